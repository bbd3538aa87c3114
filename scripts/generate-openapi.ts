// `npm run openapi`: writes openapi.yaml at the repo root from the routes' TypeBox
// schemas (the same document GET /openapi.json serves). `--check` writes nothing and
// fails when the committed file is stale. test/openapi.test.ts runs the same check.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { parse, stringify } from 'yaml';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { KeyVault, generateMasterKey } from '../src/keys/vault.js';
import type { OpenApiDocument } from '../src/plugins/openapi-document.js';
import { openPglite } from '../src/store/db.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

const HEADER = [
  '# Generated from the route schemas by `npm run openapi` (scripts/generate-openapi.ts): do not edit by hand.',
  '# The same document is served at GET /openapi.json and browsable at GET /docs. test/openapi.test.ts fails when this file is stale.',
  '',
].join('\n');

/** The document as plain JSON (what GET /openapi.json sends). */
export function documentOf(app: FastifyInstance): OpenApiDocument {
  return JSON.parse(JSON.stringify(app.swagger())) as OpenApiDocument;
}

export function renderOpenApiYaml(doc: OpenApiDocument): string {
  return HEADER + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function readOpenApiFile(path = OPENAPI_FILE): OpenApiDocument {
  return parse(readFileSync(path, 'utf8')) as OpenApiDocument;
}

export function isStale(generated: OpenApiDocument, committed: OpenApiDocument): boolean {
  return !isDeepStrictEqual(generated, committed);
}

/** A throwaway app (in-memory PGlite, no Redis, no listening) to read the document from. */
async function buildDocumentApp(): Promise<FastifyInstance> {
  const config = loadConfig({ GATEWAY_ADMIN_TOKENS: 'openapi-admin', GATEWAY_SERVICE_TOKENS: 'openapi-service', LOG_LEVEL: 'silent' });
  const app = await buildApp({ config, storage: await openPglite(null), vault: KeyVault.fromSpec(generateMasterKey('openapi')), redis: null, logger: false });
  await app.ready();
  return app;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const app = await buildDocumentApp();
  try {
    const doc = documentOf(app);
    if (check) {
      let committed: OpenApiDocument | null = null;
      try {
        committed = readOpenApiFile();
      } catch {
        committed = null;
      }
      if (!committed || isStale(doc, committed)) {
        process.stderr.write('openapi.yaml is stale: run `npm run openapi` and commit the result.\n');
        process.exitCode = 1;
      } else {
        process.stdout.write('openapi.yaml is up to date.\n');
      }
      return;
    }
    writeFileSync(OPENAPI_FILE, renderOpenApiYaml(doc));
    process.stdout.write(`wrote ${OPENAPI_FILE} (${Object.keys(doc.paths ?? {}).length} paths)\n`);
  } finally {
    await app.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
