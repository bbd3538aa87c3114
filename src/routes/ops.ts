import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { GatewayMetrics } from '../plugins/metrics.js';

export interface OpsRoutesOptions {
  metrics: GatewayMetrics;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Type.String(), {
    description: 'storage: "ok (postgres|pglite)" or "unreachable: …"; with REDIS_URL also redis ("ok" or "unreachable: …") and semaphore (redis, local or degraded).',
  }),
});

/** Health, readiness, metrics and the API document: no token needed. */
export const opsRoutes: FastifyPluginAsyncTypebox<OpsRoutesOptions> = async (app, { metrics }) => {
  app.get(
    '/healthz',
    { schema: { summary: 'The process is up', tags: ['ops'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Storage and (when configured) Redis reachable; 503 names the failing part',
        tags: ['ops'],
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply) => {
      const { storage, redis, semaphore } = app.gateway;
      const checks: Record<string, string> = {};
      let ready = true;
      try {
        await withTimeout(storage.ping(), CHECK_TIMEOUT_MS);
        checks.storage = `ok (${storage.kind})`;
      } catch (err) {
        ready = false;
        checks.storage = `unreachable: ${(err as Error).message}`;
      }
      if (redis) {
        try {
          await withTimeout(redis.ping(), CHECK_TIMEOUT_MS);
          checks.redis = 'ok';
        } catch (err) {
          ready = false;
          checks.redis = `unreachable: ${(err as Error).message}; concurrency limits are enforced per instance until it returns`;
        }
        checks.semaphore = semaphore.mode();
      }
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Chat calls by provider, model, slot and outcome; latency, time-to-first-token and gateway-overhead histograms; failovers by reason; soft-disables; ' +
          'permits in flight and queue depth per credential (short hashes); usage-log backlog; the semaphore mode. No org ids, no key material.',
        tags: ['ops'],
        response: { 200: { description: 'Prometheus text format 0.0.4.', content: { 'text/plain': { schema: Type.String() } } } },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This API description (OpenAPI 3.1), generated from the route schemas',
        tags: ['ops'],
        response: { 200: { description: 'The OpenAPI document.', content: { 'application/json': { schema: Type.Object({}, { additionalProperties: true }) } } } },
      },
    },
    // A string skips the response serializer: the document is sent exactly as built.
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
  );
};
