// The image's start command, outside Docker: compile as the Dockerfile does (tsc -p
// tsconfig.build.json) into a temporary /app-like layout (dist/, migrations/,
// package.json, node_modules), run the Dockerfile's CMD against PostgreSQL and Redis,
// check it is healthy and ready, then stop it with SIGTERM and expect exit code 0.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/keys/vault.js';
import { imageCommand } from '../scripts/image-command.js';
import { createTestDatabase, serviceUrls, type TestDatabase } from './helpers/services.js';
import { freePort } from './helpers/free-port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the image start command (node dist/server.js)', () => {
  let app: string;
  let database: TestDatabase;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'gw-image-'));
    // Same compiler and project as the Dockerfile's build stage, into the /app layout.
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: ROOT });
    cpSync(join(ROOT, 'migrations'), join(app, 'migrations'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    database = await createTestDatabase();
  }, 180_000);
  afterAll(async () => {
    if (app) rmSync(app, { recursive: true, force: true });
    await database?.drop();
  });

  it('compiles no tests and imports only production dependencies', () => {
    const files = filesUnder(join(app, 'dist'));
    expect(files.some((file) => file.endsWith('/server.js'))).toBe(true);
    expect(existsSync(join(app, 'dist/store/db.js'))).toBe(true);
    expect(files.filter((file) => /\.test\.js$|\/testing\//.test(file))).toEqual([]);

    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const offending: string[] = [];
    const seen = new Set<string>();
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        const specifier = match[1] ?? match[2];
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        seen.add(name);
        if (!allowed.has(name)) offending.push(`${relative(app, file)}: ${specifier}`);
      }
    }
    expect(offending, 'dev dependencies are not in the image').toEqual([]);
    expect([...seen]).toEqual(expect.arrayContaining(['fastify', 'undici', 'prom-client', '@fastify/swagger', '@fastify/swagger-ui', 'postgres']));
  });

  it('starts against PostgreSQL and Redis, is healthy and ready, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const [command, ...args] = imageCommand();
    expect(command).toBe('node');
    let output = '';
    const child = spawn(process.execPath, args, {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(app, 'data'),
        DATABASE_URL: database.url,
        REDIS_URL: serviceUrls().redisUrl,
        BYOK_MASTER_KEYS: generateMasterKey('k1'),
        GATEWAY_ADMIN_TOKENS: 'image-admin-token-0123456789',
        GATEWAY_SERVICE_TOKENS: 'image-service-token-0123456789',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (part: Buffer) => (output += part.toString()));
    child.stderr.on('data', (part: Buffer) => (output += part.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    try {
      let health: Response | null = null;
      for (let i = 0; i < 300 && child.exitCode === null; i++) {
        health = await fetch(`${url}/healthz`).catch(() => null);
        if (health?.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health?.status, output).toBe(200);

      const ready = await fetch(`${url}/readyz`);
      expect(ready.status, output).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { storage: 'ok (postgres)', redis: 'ok', semaphore: 'redis' } });

      // What the compiled layout needs at run time: migrations applied, package.json read, the UI's bundled assets.
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { info: { version: string } };
      expect(doc.info.version).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
      expect((await fetch(`${url}/docs/static/swagger-ui-bundle.js`).then(async (res) => [res.status, (await res.arrayBuffer()).byteLength]))[0]).toBe(200);
      expect((await fetch(`${url}/byok/catalog`, { headers: { authorization: 'Bearer image-admin-token-0123456789' } })).status).toBe(200);

      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
      expect(code, output).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
