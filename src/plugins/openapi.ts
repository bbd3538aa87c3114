// The OpenAPI 3.1 document, built by @fastify/swagger from the routes' TypeBox schemas
// and enriched (auth, error codes, headers, SSE) by openapi-document.ts; served at
// GET /openapi.json (routes/ops.ts) and browsable at GET /docs (Swagger UI, whose
// assets ship inside @fastify/swagger-ui: no network needed). Register it before the
// routes: it documents the routes registered after it.
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { API_DESCRIPTION, SECURITY_SCHEMES, TAGS, enrichDocument, type OpenApiDocument, type ServedRoute } from './openapi-document.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the openapi plugin, for the document-coverage check. */
    servedRoutes: readonly ServedRoute[];
  }
}

export const DOCS_PREFIX = '/docs';

function packageVersion(): string {
  // src/plugins → repo root, and dist/plugins → /app in the image: package.json sits there in both.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    const served: ServedRoute[] = [];
    app.decorate('servedRoutes', served);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) served.push({ method, url: route.url, schema: route.schema as Record<string, unknown> | undefined });
    });

    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'BYOK LLM gateway', version: packageVersion(), description: API_DESCRIPTION },
        tags: TAGS,
        components: { securitySchemes: SECURITY_SCHEMES as never },
      },
      // Shared schemas keep their $id as their name (components.schemas.Error, .Slot).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
      convertConstToEnum: false,
      transformObject: (document) => enrichDocument(('openapiObject' in document ? document.openapiObject : {}) as OpenApiDocument),
    });
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    });
  },
  { name: 'openapi', fastify: '5.x' },
);
