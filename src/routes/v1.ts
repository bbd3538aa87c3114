import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { assertOrgId } from '../errors.js';
import type { ChatGateway, SseSink } from '../gateway/chat.js';
import type { OrgConfigCache } from '../gateway/org-configs.js';
import type { TokenAuthenticator } from '../plugins/auth.js';
import type { ChatRequest } from '../providers/types.js';
import { ChatCompletionSchema, ChatRequestSchema, ModelListSchema, OrgHeaderSchema, errors } from './schemas.js';

export interface V1RoutesOptions {
  auth: TokenAuthenticator;
  gateway: ChatGateway;
  configs: OrgConfigCache;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** The OpenAI-compatible surface, for service tokens. */
export const v1Routes: FastifyPluginAsyncTypebox<V1RoutesOptions> = async (app, { auth, gateway, configs }) => {
  app.addHook('preHandler', auth.require('service'));

  app.post(
    '/v1/chat/completions',
    {
      schema: {
        summary: 'Chat completion through the org\'s Main (or Fallback) provider key',
        tags: ['chat'],
        headers: OrgHeaderSchema,
        body: ChatRequestSchema,
        response: { 200: ChatCompletionSchema, ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const orgId = assertOrgId(request.headers['x-org-id'], 'X-Org-Id');
      const controller = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      const outcome = await gateway.handle(request.body as ChatRequest, {
        orgId,
        requestId: request.id,
        signal: controller.signal,
        startedAt: request.startedAt,
      });
      const served = outcome.served;
      const headers: Record<string, string> = {
        'x-request-id': request.id,
        'x-gateway-slot': served.slot,
        'x-gateway-provider': served.provider,
        'x-gateway-model': served.model,
      };
      if (served.failoverReason) headers['x-gateway-failover-reason'] = served.failoverReason;

      if (outcome.type === 'json') {
        return reply.headers(headers).type('application/json; charset=utf-8').send(outcome.body as never);
      }
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { ...SSE_HEADERS, ...headers });
      const sink: SseSink = {
        write: (frame) => (raw.destroyed ? true : raw.write(frame)),
        drain: () =>
          new Promise<void>((resolve) => {
            if (raw.destroyed) return resolve();
            const done = () => {
              raw.off('drain', done);
              raw.off('close', done);
              resolve();
            };
            raw.once('drain', done);
            raw.once('close', done);
          }),
      };
      try {
        await outcome.pipe(sink);
      } finally {
        raw.end();
      }
    },
  );

  app.get(
    '/v1/models',
    {
      schema: {
        summary: 'The models configured for the org (Main and Fallback)',
        tags: ['chat'],
        headers: OrgHeaderSchema,
        response: { 200: ModelListSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const orgId = assertOrgId(request.headers['x-org-id'], 'X-Org-Id');
      const org = await configs.get(orgId);
      const data = [org.main, org.fallback]
        .filter((slot) => slot?.target)
        .map((slot) => ({ id: slot!.target!.model, object: 'model' as const, created: 0, owned_by: slot!.target!.provider }));
      const unique = data.filter((m, i) => data.findIndex((o) => o.id === m.id) === i);
      return { object: 'list' as const, data: unique };
    },
  );
};
