import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

/** Health and readiness: no token needed. */
export const opsRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
        response: {
          200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        },
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
};
