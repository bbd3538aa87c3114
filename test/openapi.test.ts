// openapi.yaml is the contract as served: a valid OpenAPI 3.1 document, generated from
// the route schemas and never stale, naming every route the app serves (and nothing
// else), its auth, its error codes, the gateway headers and the SSE form of chat.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRoutesWithSpec, openApiPath, type OpenApiDocument } from '../src/plugins/openapi-document.js';
import { documentOf, isStale, readOpenApiFile } from '../scripts/generate-openapi.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SRC = new URL('../src/', import.meta.url);

/** Local `#/…` JSON pointer lookup. */
function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(part in (node as object))) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function deref<T = OpenApiDocument>(doc: OpenApiDocument, node: OpenApiDocument): T {
  return (typeof node?.$ref === 'string' ? resolvePointer(doc, node.$ref) : node) as T;
}

/**
 * The OpenAPI 3.1 rules a generator can get wrong, checked structurally: versions,
 * required fields, response keys and descriptions, parameters (path parameters
 * declared and required), media types with schemas, security schemes that exist,
 * unique operation ids, and every local $ref resolving.
 */
function openApi31Problems(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  const allowedTop = new Set(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs']);
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${doc.openapi}, not 3.1.x`);
  for (const key of Object.keys(doc)) if (!allowedTop.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level field ${key}`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') problems.push('info.title and info.version are required strings');
  if (!doc.paths && !doc.webhooks && !doc.components) problems.push('one of paths, webhooks, components is required');

  const schemes = doc.components?.securitySchemes ?? {};
  for (const [name, scheme] of Object.entries(schemes as Record<string, OpenApiDocument>)) {
    if (!['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(scheme.type)) problems.push(`securityScheme ${name}: bad type ${scheme.type}`);
    if (scheme.type === 'http' && typeof scheme.scheme !== 'string') problems.push(`securityScheme ${name}: http needs scheme`);
  }

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, OpenApiDocument>)) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) {
        if (!['summary', 'description', 'servers', 'parameters', '$ref'].includes(method) && !method.startsWith('x-')) problems.push(`${path}: unknown field ${method}`);
        continue;
      }
      const where = `${method.toUpperCase()} ${path}`;
      const op = raw as OpenApiDocument;
      if (op.operationId) {
        if (operationIds.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: OpenApiDocument) => deref(doc, p));
      const seen = new Set<string>();
      for (const param of params) {
        if (!param) {
          problems.push(`${where}: a parameter $ref does not resolve`);
          continue;
        }
        if (typeof param.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(param.in)) problems.push(`${where}: parameter needs name and in`);
        const id = `${param.in}:${param.in === 'header' ? String(param.name).toLowerCase() : param.name}`;
        if (seen.has(id)) problems.push(`${where}: duplicate parameter ${id}`);
        seen.add(id);
        if (param.in === 'path' && param.required !== true) problems.push(`${where}: path parameter ${param.name} must be required`);
        if (param.in === 'path' && !templated.includes(param.name)) problems.push(`${where}: path parameter ${param.name} is not in the path`);
        if (!param.schema && !param.content) problems.push(`${where}: parameter ${param.name} has neither schema nor content`);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) problems.push(`${where}: {${name}} has no path parameter`);
      if (op.requestBody) {
        const body = deref(doc, op.requestBody);
        if (!body?.content || Object.keys(body.content).length === 0) problems.push(`${where}: requestBody without content`);
      }
      const responses = op.responses as Record<string, OpenApiDocument> | undefined;
      if (!responses || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, rawResponse] of Object.entries(responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: bad response key ${status}`);
        const response = deref(doc, rawResponse);
        if (typeof response?.description !== 'string') problems.push(`${where} ${status}: description is required`);
        for (const [type, media] of Object.entries((response?.content ?? {}) as Record<string, OpenApiDocument>)) {
          if (!media.schema) problems.push(`${where} ${status} ${type}: no schema`);
        }
        for (const [name, header] of Object.entries((response?.headers ?? {}) as Record<string, OpenApiDocument>)) {
          const resolved = deref(doc, header);
          if (!resolved) problems.push(`${where} ${status}: header ${name} $ref does not resolve`);
          else if (!resolved.schema && !resolved.content) problems.push(`${where} ${status}: header ${name} has no schema`);
        }
      }
      for (const requirement of op.security ?? []) {
        for (const name of Object.keys(requirement)) if (!(name in schemes)) problems.push(`${where}: security scheme ${name} is not defined`);
      }
    }
  }

  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${at}/${i}`));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && resolvePointer(doc, value) === undefined) problems.push(`${at}: $ref ${value} does not resolve`);
        walk(value, `${at}/${key}`);
      }
    }
  };
  walk(doc, '#');
  return problems;
}

/** Every error code the source can answer with. */
function errorCodesInSource(): Map<string, string> {
  const codes = new Map<string, string>();
  const visit = (dir: URL) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(new URL(`${entry.name}/`, dir));
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = readFileSync(new URL(entry.name, dir), 'utf8');
        // `new ApiError(…, 'code'` (the status may be computed) and any `(404, 'code'` call (errorBody and friends).
        for (const match of text.matchAll(/new ApiError\([^']{0,200}'([a-z][a-z0-9_]+)'|\(\s*[1-5]\d\d\s*,\s*'([a-z][a-z0-9_]+)'/g)) {
          codes.set(match[1] ?? match[2], join(dir.pathname, entry.name));
        }
      }
    }
  };
  visit(SRC);
  return codes;
}

function operations(doc: OpenApiDocument): Array<{ key: string; path: string; method: string; op: OpenApiDocument }> {
  const out = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, OpenApiDocument>)) {
    for (const [method, op] of Object.entries(item)) if (METHODS.includes(method)) out.push({ key: `${method.toUpperCase()} ${path}`, path, method, op: op as OpenApiDocument });
  }
  return out;
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as OpenApiDocument;

/** A TypeBox schema as @fastify/swagger writes it: Type.Record's catch-all pattern becomes additionalProperties. */
function asDocumented(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asDocumented);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const catchAll = (value as Record<string, unknown> | null)?.['^(.*)$'];
    if (key === 'patternProperties' && catchAll && Object.keys(value as object).length === 1) out.additionalProperties = asDocumented(catchAll);
    else out[key] = asDocumented(value);
  }
  return out;
}

describe('openapi.yaml', () => {
  let gateway: TestGateway;
  let app: FastifyInstance;
  let committed: OpenApiDocument;

  beforeAll(async () => {
    gateway = await startTestGateway({ listen: false });
    app = gateway.app;
    await app.ready();
    committed = readOpenApiFile();
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it('is valid OpenAPI 3.1', async () => {
    expect(openApi31Problems(committed)).toEqual([]);
    // Full JSON-Schema validation against the official 3.1 schema, when the validator is installed.
    const validatorModule = '@seriousme/openapi-schema-validator';
    const loaded = (await import(validatorModule).catch(() => null)) as { Validator: new () => { validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> } } | null;
    if (loaded) {
      const result = await new loaded.Validator().validate(committed);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.valid).toBe(true);
    }
  });

  it('the structural check catches a broken document', () => {
    const broken = plain(committed);
    delete broken.paths['/healthz'].get.responses['200'].description;
    broken.paths['/byok/{orgId}'].get.parameters = broken.paths['/byok/{orgId}'].get.parameters.filter((p: OpenApiDocument) => p.in !== 'path');
    broken.paths['/v1/models'].get.security = [{ nobody: [] }];
    const problems = openApi31Problems(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'GET /healthz 200: description is required',
        'GET /byok/{orgId}: {orgId} has no path parameter',
        'GET /v1/models: security scheme nobody is not defined',
      ]),
    );
  });

  it('is what the route schemas generate today (run `npm run openapi` when this fails)', () => {
    const generated = documentOf(app);
    if (isStale(generated, committed)) {
      // Name what differs, path by path, before failing.
      const differing = [...new Set([...Object.keys(generated.paths), ...Object.keys(committed.paths)])].filter(
        (path) => !isDeepStrictEqual(generated.paths[path], committed.paths[path]),
      );
      expect.fail(`openapi.yaml is stale (differs in: ${differing.join(', ') || 'components or info'}): run \`npm run openapi\` and commit it.`);
    }
  });

  it('is exactly what GET /openapi.json serves', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(isDeepStrictEqual(res.json(), committed)).toBe(true);
  });

  it('documents every route the app serves, and serves every path it documents', () => {
    const comparison = compareRoutesWithSpec(app.servedRoutes, committed);
    expect(comparison).toEqual({ undocumented: [], unserved: [], incomplete: [] });
    // And the operations the contract names are there.
    const keys = operations(committed).map((o) => o.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /v1/chat/completions',
        'GET /v1/models',
        'GET /byok/catalog',
        'GET /byok/{orgId}',
        'PUT /byok/{orgId}/{slot}',
        'PATCH /byok/{orgId}/{slot}',
        'DELETE /byok/{orgId}/{slot}',
        'POST /byok/{orgId}/{slot}/enable',
        'POST /byok/test',
        'GET /byok/{orgId}/audit',
        'GET /byok/{orgId}/usage',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /docs',
      ]),
    );
  });

  it('reports a route added without documentation, and a documented path no longer served', async () => {
    const fresh = await startTestGateway({ listen: false });
    try {
      fresh.app.get('/v1/undocumented-extra', async () => ({ ok: true }));
      await fresh.app.ready();
      const comparison = compareRoutesWithSpec(fresh.app.servedRoutes, committed);
      expect(comparison.undocumented).toEqual(['GET /v1/undocumented-extra']);
      // The regenerated document would differ too (the stale check fails), and the new
      // operation has no summary, security or error table row.
      const regenerated = documentOf(fresh.app);
      expect(isStale(regenerated, committed)).toBe(true);
      expect(compareRoutesWithSpec(fresh.app.servedRoutes, regenerated).incomplete).toEqual([
        'GET /v1/undocumented-extra: no summary, no row in ERROR_CODES, no 401 response',
      ]);

      const withGhost = plain(committed);
      withGhost.paths['/v1/ghost'] = { get: withGhost.paths['/v1/models'].get };
      expect(compareRoutesWithSpec(app.servedRoutes, withGhost).unserved).toEqual(['GET /v1/ghost']);
    } finally {
      await fresh.close();
      await fresh.storage.close();
    }
  });

  it('takes its request schemas from the TypeBox route schemas', () => {
    let compared = 0;
    for (const route of app.servedRoutes) {
      const schema = route.schema;
      if (!schema || route.method === 'HEAD' || route.url.startsWith('/docs')) continue;
      const op = committed.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).toBeDefined();
      if (schema.body) {
        expect(op.requestBody.content['application/json'].schema, `${route.method} ${route.url} body`).toEqual(asDocumented(plain(schema.body)));
        compared++;
      }
      for (const [part, location] of [
        ['querystring', 'query'],
        ['params', 'path'],
      ] as const) {
        const typebox = schema[part] as { properties?: Record<string, OpenApiDocument>; required?: string[] } | undefined;
        if (!typebox?.properties) continue;
        const documented = (op.parameters as OpenApiDocument[]).filter((p) => p.in === location);
        expect(documented.map((p) => p.name).sort(), `${route.method} ${route.url} ${part}`).toEqual(Object.keys(typebox.properties).sort());
        for (const param of documented) {
          const { description, ...property } = asDocumented(plain(typebox.properties[param.name])) as OpenApiDocument;
          expect(param.schema, `${route.method} ${route.url} ${part}.${param.name}`).toEqual(property);
          if (description) expect(param.description).toBe(description);
          expect(Boolean(param.required)).toBe(location === 'path' || (typebox.required ?? []).includes(param.name));
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it('documents the bearer auth: admin for /byok, service for /v1, none for operations', () => {
    expect(committed.components.securitySchemes).toMatchObject({
      adminToken: { type: 'http', scheme: 'bearer' },
      serviceToken: { type: 'http', scheme: 'bearer' },
    });
    for (const { key, path, op } of operations(committed)) {
      if (path.startsWith('/byok/')) expect(op.security, key).toEqual([{ adminToken: [] }]);
      else if (path.startsWith('/v1/')) expect(op.security, key).toEqual([{ serviceToken: [] }]);
      else expect(op.security, key).toBeUndefined();
      if (op.security) expect(Object.keys(op.responses), key).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('documents X-Org-Id on the chat routes', () => {
    for (const key of ['/v1/chat/completions', '/v1/models']) {
      const op = committed.paths[key].post ?? committed.paths[key].get;
      const header = (op.parameters as OpenApiDocument[]).find((p) => p.in === 'header' && String(p.name).toLowerCase() === 'x-org-id');
      expect(header, key).toBeDefined();
      expect(header!.description).toContain('^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$');
    }
  });

  it('documents the SSE stream and the gateway headers of chat', () => {
    const ok = committed.paths['/v1/chat/completions'].post.responses['200'];
    expect(Object.keys(ok.content)).toEqual(expect.arrayContaining(['application/json', 'text/event-stream']));
    expect(ok.content['text/event-stream'].example).toContain('data: [DONE]');
    expect(ok.content['text/event-stream'].schema.description).toContain('upstream_stream_truncated');
    expect(Object.keys(ok.headers)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'X-Gateway-Slot', 'X-Gateway-Provider', 'X-Gateway-Model', 'X-Gateway-Failover-Reason']),
    );
    expect(committed.components.schemas.ChatCompletionChunk.properties.object).toEqual({ type: 'string', enum: ['chat.completion.chunk'] });
    expect(committed.paths['/v1/chat/completions'].post.responses['429'].headers['Retry-After']).toBeDefined();
    for (const { key, op } of operations(committed)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, OpenApiDocument>)) {
        expect(response.headers?.['X-Request-Id'], `${key} ${status}`).toBeDefined();
      }
    }
  });

  it("documents every error code the source can answer with, including the contract's", () => {
    const text = JSON.stringify(committed);
    const documented = new Set<string>();
    for (const { op } of operations(committed)) {
      for (const response of Object.values(op.responses as Record<string, OpenApiDocument>)) for (const code of response['x-error-codes'] ?? []) documented.add(code);
    }
    const contract = [
      'unauthorized',
      'forbidden',
      'invalid_org_id',
      'payload_too_large',
      'unknown_provider',
      'invalid_reasoning_override',
      'main_required',
      'env_override_unconfirmed',
      'key_test_failed',
      'byok_not_configured',
      'rate_limited',
      'upstream_error',
      'upstream_timeout',
      'upstream_auth_failed',
      'model_not_found',
    ];
    const source = errorCodesInSource();
    expect(source.size).toBeGreaterThan(20);
    const missing = [...new Set([...contract, ...source.keys()])].filter((code) => !documented.has(code) && !text.includes(`\`${code}\``));
    expect(missing, 'add them to ERROR_CODES in src/plugins/openapi-document.ts, then npm run openapi').toEqual([]);
  });

  it('names the error codes per route', () => {
    const codes = (key: string, status: string) => {
      const [method, path] = key.split(' ');
      return committed.paths[path][method.toLowerCase()].responses[status]['x-error-codes'];
    };
    expect(codes('PUT /byok/{orgId}/{slot}', '409')).toEqual(['main_required', 'env_override_unconfirmed']);
    expect(codes('PUT /byok/{orgId}/{slot}', '422')).toEqual(['key_test_failed']);
    expect(codes('POST /v1/chat/completions', '409')).toEqual(['byok_not_configured']);
    expect(codes('POST /v1/chat/completions', '504')).toEqual(['upstream_timeout']);
    expect(codes('DELETE /byok/{orgId}/{slot}', '409')).toEqual(['fallback_requires_main']);
  });
});
