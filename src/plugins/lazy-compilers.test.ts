import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from './lazy-compilers.js';

let app: FastifyInstance;
afterEach(async () => app?.close());

function build(): FastifyInstance {
  app = Fastify({ schemaController: lazySchemaCompilers(), ajv: { customOptions: { useDefaults: true, coerceTypes: false } } });
  app.post(
    '/items',
    {
      schema: {
        headers: { type: 'object', properties: { 'x-org-id': { type: 'string', minLength: 2 } } },
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, count: { type: 'integer', default: 1 } } },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } }, additionalProperties: false } },
      },
    },
    async (request) => ({ ...(request.body as object), secret: 'not in the schema' }),
  );
  app.post('/broken', { schema: { body: { type: 'no-such-type' } } }, async () => ({ ok: true }));
  return app;
}

describe('lazy schema compilers', () => {
  it('validate, default and serialise as Fastify’s own compilers do', async () => {
    build();
    const ok = await app.inject({ method: 'POST', url: '/items', payload: { name: 'a' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ name: 'a', count: 1 }); // default applied, extra field dropped by the serializer
    const bad = await app.inject({ method: 'POST', url: '/items', payload: { count: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe("body must have required property 'name'");
    const header = await app.inject({ method: 'POST', url: '/items', headers: { 'x-org-id': 'a' }, payload: { name: 'a' } });
    expect(header.statusCode).toBe(400);
    expect(header.json().message).toContain('headers/x-org-id');
  });

  it('compile a schema when its route first runs, not at start', async () => {
    build();
    await expect(app.ready()).resolves.toBeDefined(); // the broken schema has not been compiled yet
    const broken = await app.inject({ method: 'POST', url: '/broken', payload: {} });
    expect(broken.statusCode).toBe(500);
  });
});
