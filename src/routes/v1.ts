import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Cancellation } from '../cancellation.js';
import { ApiError, MAX_JSON_DEPTH, assertOrgId, nestsDeeperThan } from '../errors.js';
import type { ChatGateway, SseSink } from '../gateway/chat.js';
import { ClientAbortError } from '../gateway/upstream.js';
import type { OrgConfigCache } from '../gateway/org-configs.js';
import type { TokenAuthenticator } from '../plugins/auth.js';
import type { InFlightCalls } from '../plugins/in-flight.js';
import type { ChatRequest } from '../providers/types.js';
import { ChatCompletionSchema, ChatRequestSchema, ModelListSchema, OrgHeaderSchema, errors } from './schemas.js';

export interface V1RoutesOptions {
  auth: TokenAuthenticator;
  gateway: ChatGateway;
  configs: OrgConfigCache;
  /** Calls in flight, for the graceful shutdown (a hijacked stream is invisible to app.close()). */
  inFlight?: InFlightCalls;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

const CANCELLATION = Symbol('cancellation');
type CancellableResponse = ServerResponse & { [CANCELLATION]?: Cancellation };

/** The caller hung up before the answer was complete: cancel the call (one listener for every request, no closure). */
function cancelOnEarlyClose(this: CancellableResponse): void {
  if (!this.writableFinished) this[CANCELLATION]?.abort();
}

function uncork(raw: ServerResponse): void {
  raw.uncork();
}

/**
 * A stream's frames go to the hijacked response, corked until the end of the tick: the
 * chunks of one upstream read leave in one socket write instead of one write each.
 */
class ResponseSink implements SseSink {
  readonly #raw: ServerResponse;

  constructor(raw: ServerResponse) {
    this.#raw = raw;
  }

  write(frame: string): boolean {
    const raw = this.#raw;
    if (raw.destroyed) return true;
    if (raw.writableCorked === 0) {
      raw.cork();
      process.nextTick(uncork, raw);
    }
    return raw.write(frame);
  }

  drain(): Promise<void> {
    const raw = this.#raw;
    return new Promise<void>((resolve) => {
      if (raw.destroyed) return resolve();
      const done = () => {
        raw.off('drain', done);
        raw.off('close', done);
        resolve();
      };
      raw.once('drain', done);
      raw.once('close', done);
    });
  }
}

/** The OpenAI-compatible surface, for service tokens. */
export const v1Routes: FastifyPluginAsyncTypebox<V1RoutesOptions> = async (app, { auth, gateway, configs, inFlight }) => {
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
      // Unknown fields pass through to the provider: a hostile nesting would overflow JSON.stringify.
      if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
        throw new ApiError(400, 'invalid_request', `The body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; flatten it.`);
      }
      const cancellation = new Cancellation();
      (reply.raw as CancellableResponse)[CANCELLATION] = cancellation;
      reply.raw.on('close', cancelOnEarlyClose);
      inFlight?.enter(cancellation);
      try {
        let outcome: Awaited<ReturnType<ChatGateway['handle']>>;
        try {
          outcome = await gateway.handle(request.body as ChatRequest, {
            orgId,
            requestId: request.id,
            signal: cancellation,
            startedAt: request.startedAt,
          });
        } catch (err) {
          // The caller hung up (its usage row says cancelled): not a gateway failure.
          if (err instanceof ClientAbortError) throw new ApiError(499, 'client_closed_request', 'The client closed the connection before the answer was ready.');
          throw err;
        }
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
        try {
          await outcome.pipe(new ResponseSink(raw));
        } finally {
          raw.end();
        }
      } finally {
        inFlight?.leave(cancellation);
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
