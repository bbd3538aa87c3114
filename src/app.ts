// buildApp(deps): composes the gateway from what it is given; never listens.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import { ByokService } from './byok/service.js';
import { envSlot } from './byok/targets.js';
import type { GatewayConfig } from './config.js';
import { errorBody } from './errors.js';
import { ChatGateway } from './gateway/chat.js';
import type { GatewayObserver } from './gateway/events.js';
import { createInvalidationBus } from './gateway/invalidation.js';
import { checkBaseUrl } from './gateway/network-guard.js';
import { OrgConfigCache, type ResolvedSlot } from './gateway/org-configs.js';
import { runCompletionProbe, runProbe } from './gateway/probe.js';
import { createUpstreamAgent } from './gateway/upstream-agent.js';
import { UsageRecorder } from './gateway/usage-recorder.js';
import type { KeyVault } from './keys/vault.js';
import {
  createLocalAuthFailureCounter,
  createLocalSemaphore,
  createRedisAuthFailureCounter,
  createRedisSemaphore,
  type AuthFailureCounter,
  type Semaphore,
} from './limits/index.js';
import { TokenAuthenticator } from './plugins/auth.js';
import { clientErrorHandler, errorHandlerPlugin, frameworkErrorHandler } from './plugins/error-handler.js';
import { coerceQuery } from './plugins/query-coercion.js';
import { combineObservers, configuredModels, createGatewayMetrics } from './plugins/metrics.js';
import { InFlightCalls, closeGracefully } from './plugins/in-flight.js';
import { openapiPlugin } from './plugins/openapi.js';
import { lazySchemaCompilers } from './plugins/lazy-compilers.js';
import { lazyChildLogger, logResponse, loggerOptions } from './plugins/logger.js';
import { ADAPTERS, adapterFor } from './providers/adapters.js';
import { byokRoutes } from './routes/byok.js';
import { ErrorSchema, SlotViewSchema } from './routes/schemas.js';
import { opsRoutes } from './routes/ops.js';
import { v1Routes } from './routes/v1.js';
import type { Storage } from './store/db.js';
import { SlotRepository } from './store/slots.js';
import { UsageRepository } from './store/usage.js';

export interface AppDeps {
  config: GatewayConfig;
  storage: Storage;
  vault: KeyVault;
  /** A connected ioredis client, or null for in-process limits. The app closes it. */
  redis: Redis | null;
  /** Key prefix for everything this gateway keeps in Redis. */
  redisPrefix?: string;
  /** The upstream HTTP dispatcher; default: a keep-alive agent with the network guard. */
  dispatcher?: Dispatcher;
  /** Logger: pino options, an instance, or false. Default: pino at config.logLevel with redaction. */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  observer?: GatewayObserver;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request arrived. */
    startedAt: number;
  }
  interface FastifyInstance {
    gateway: {
      semaphore: Semaphore;
      usage: UsageRecorder;
      configs: OrgConfigCache;
      storage: Storage;
      redis: Redis | null;
    };
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, storage, vault, redis } = deps;
  const redisPrefix = deps.redisPrefix ?? 'byokgw:';
  const loggerOption =
    deps.logger && typeof (deps.logger as { info?: unknown }).info === 'function'
      ? { loggerInstance: deps.logger as FastifyServerOptions['loggerInstance'] }
      : { logger: (deps.logger as FastifyServerOptions['logger']) ?? loggerOptions(config.logLevel) };

  const app = Fastify({
    ...loggerOption,
    bodyLimit: config.bodyLimitBytes,
    // One access line per request, from logResponse below (errors at info, the rest at debug).
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    schemaController: lazySchemaCompilers(),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Requests that arrive while closing get the contract's 503 from the onRequest hook below.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Org ids are up to 128 characters (the default, 100, would refuse the longest ones).
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // No coercion: JSON bodies are validated as sent (see plugins/query-coercion.ts).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorSchema);
  app.addSchema(SlotViewSchema);
  app.decorateRequest('startedAt', 0);
  app.decorateRequest('actor', null);
  // Only routes with a querystring schema pay for the coercion (the chat route has none).
  app.addHook('onRoute', (route) => {
    if (!route.schema?.querystring) return;
    const own = route.preValidation ?? [];
    route.preValidation = [coerceQuery, ...(Array.isArray(own) ? own : [own])];
  });
  // Callback-style hooks: no promise per request.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    request.startedAt = performance.now();
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close').header('retry-after', '1').code(503).send(errorBody(503, 'shutting_down', 'This gateway instance is shutting down: retry, another instance will answer.'));
      return;
    }
    done();
  });
  app.addHook('onResponse', logResponse);
  await app.register(errorHandlerPlugin);
  // Before every route: it documents the routes registered after it.
  await app.register(openapiPlugin);
  // curl and many clients send content-type: application/json on bodiless DELETE/POST.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method !== 'PUT' && request.method !== 'PATCH') return done(null, undefined);
    return jsonParser(request, body as string, done);
  });

  // ---- components with a lifecycle, closed in reverse order in onClose
  const log = app.log;
  const semaphore: Semaphore = redis
    ? createRedisSemaphore({ redis, prefix: redisPrefix, logger: log })
    : createLocalSemaphore();
  const authFailures: AuthFailureCounter = redis
    ? createRedisAuthFailureCounter({ redis, prefix: redisPrefix, logger: log })
    : createLocalAuthFailureCounter();
  const policy = { blockPrivateNetworks: config.blockPrivateNetworks };
  const dispatcher = deps.dispatcher ?? createUpstreamAgent({ policy, connectTimeoutMs: config.upstreamConnectTimeoutMs });
  const slots = new SlotRepository(storage.db);
  const usageRepository = new UsageRepository(storage.db);
  const env = {
    main: config.fixedMain ? envSlot('main', config.fixedMain) : null,
    fallback: config.fixedFallback ? envSlot('fallback', config.fixedFallback) : null,
  };
  const configs = new OrgConfigCache({
    slots,
    vault,
    env,
    onStorageError: (err) => log.warn({ err }, 'config cache: storage unreachable, serving cached config'),
  });
  const bus = await createInvalidationBus({
    redis,
    redisPrefix,
    storage,
    onInvalidate: (orgId) => (orgId === null ? configs.invalidateAll() : configs.invalidate(orgId)),
    logger: log,
  });
  const usage = new UsageRecorder({
    repository: usageRepository,
    flushIntervalMs: config.usageFlushIntervalMs,
    bufferLimit: config.usageBufferLimit,
    logger: log,
  });
  const metrics = createGatewayMetrics({ semaphore, usage }, { models: configuredModels(config) });
  const observer = deps.observer ? combineObservers(metrics, deps.observer) : metrics;
  const checkUrl = (url: string) => checkBaseUrl(url, policy);
  const probe = (target: Parameters<typeof runProbe>[1], mode: 'metadata' | 'completion') =>
    mode === 'completion'
      ? runCompletionProbe(adapterFor(target.provider), target, dispatcher, { timeoutMs: Math.max(config.probeTimeoutMs, config.upstreamFirstByteTimeoutMs) })
      : runProbe(adapterFor(target.provider), target, dispatcher, { timeoutMs: config.probeTimeoutMs });

  const byok = new ByokService({ slots, vault, env, checkBaseUrl: checkUrl, probe: (target) => probe(target, 'metadata'), onChange: (orgId) => bus.publish(orgId) });
  const gateway = new ChatGateway({
    configs,
    adapters: ADAPTERS,
    dispatcher,
    semaphore,
    authFailures,
    async softDisable(slot: ResolvedSlot, failures: number, httpStatus: number | null) {
      const disabled = await byok.softDisable(slot.orgId, slot.slot, slot.fingerprint, {
        httpStatus,
        failures,
        reason: `The provider answered ${httpStatus ?? 'an auth error'} ${failures} times in a row: the key was rejected.`,
      });
      if (disabled) {
        observer.softDisable(slot.target?.provider ?? 'unknown');
        log.warn({ orgId: slot.orgId, slot: slot.slot, failures, httpStatus }, 'key soft-disabled after repeated auth failures');
      }
    },
    recordAuthFailures: (slot, failures) => byok.recordAuthFailures(slot.orgId, slot.slot, slot.fingerprint, failures),
    usage,
    observer,
    settings: {
      firstByteTimeoutMs: config.upstreamFirstByteTimeoutMs,
      idleTimeoutMs: config.upstreamIdleTimeoutMs,
      queueWaitMs: config.queueWaitMs,
      softDisableAfter: config.softDisableAfter,
      maxResponseBytes: 32 * 1024 * 1024,
    },
    logger: log,
  });

  app.decorate('gateway', { semaphore, usage, configs, storage, redis });

  const auth = new TokenAuthenticator({ admin: config.adminTokens, service: config.serviceTokens });
  // Chat calls in flight finish (up to SHUTDOWN_GRACE_MS) and are recorded before the usage log is flushed.
  const inFlight = new InFlightCalls();
  closeGracefully(app, inFlight, config.shutdownGraceMs);
  await app.register(opsRoutes, { metrics });
  await app.register(v1Routes, { auth, gateway, configs, inFlight });
  await app.register(byokRoutes, { auth, byok, usage: usageRepository, checkBaseUrl: checkUrl, probe });

  app.addHook('onClose', async () => {
    await inFlight.idle();
    await semaphore.close().catch((err: unknown) => log.warn({ err }, 'semaphore close failed'));
    await usage.close(config.shutdownGraceMs);
    await bus.close();
    await authFailures.close();
    if (!deps.dispatcher) await (dispatcher as Dispatcher & { close(): Promise<void> }).close();
    if (redis) redis.disconnect();
    await storage.close();
  });

  return app;
}
