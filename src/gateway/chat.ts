// The call path: resolve the org's slots, acquire a permit, call the adapter, decide
// failover (Main → Fallback, once), count auth failures, record usage.
import type { Dispatcher } from 'undici';
import type { CancelSignal } from '../cancellation.js';
import { ApiError } from '../errors.js';
import { redactKeyLike } from '../keys/redact.js';
import type { Secret } from '../keys/secret.js';
import type { AuthFailureCounter, Permit, Semaphore } from '../limits/index.js';
import { getProvider } from '../providers/registry.js';
import {
  UpstreamError,
  type CallTarget,
  type ChatCompletionChunk,
  type ChatRequest,
  type ProviderAdapter,
  type ResponseMeta,
  type StreamTranslator,
  type Usage,
  type WireFamily,
} from '../providers/types.js';
import type { SlotName } from '../store/slots.js';
import type { CallOutcome, GatewayObserver } from './events.js';
import { StreamRelay, type SseSink } from './stream-relay.js';
import { ClientAbortError, UpstreamExchange, redirectError, transportError, type UpstreamAnswer } from './upstream.js';
import type { OrgConfigCache, ResolvedOrg, ResolvedSlot } from './org-configs.js';
import { stampCompletionBlocks, withoutForeignBlocks } from './thinking-blocks.js';
import type { UsageRecorder } from './usage-recorder.js';

export type FailoverReason =
  | 'rate_limited'
  | 'quota_exhausted'
  | 'server_error'
  | 'auth_failed'
  | 'model_not_found'
  | 'timeout'
  | 'network_error'
  | 'main_disabled'
  | 'main_saturated';

export interface ServedBy {
  slot: SlotName;
  provider: string;
  model: string;
  failoverReason: FailoverReason | null;
}

export interface CallContext {
  orgId: string;
  requestId: string;
  signal: CancelSignal;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

export type { SseSink };

export type ChatOutcome =
  | { type: 'json'; served: ServedBy; body: string }
  | { type: 'stream'; served: ServedBy; pipe(sink: SseSink): Promise<void> };

export interface ChatGatewaySettings {
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  queueWaitMs: number;
  softDisableAfter: number;
  maxResponseBytes: number;
}

export interface ChatGatewayDeps {
  configs: OrgConfigCache;
  adapters: Record<WireFamily, ProviderAdapter | undefined>;
  dispatcher: Dispatcher;
  semaphore: Semaphore;
  authFailures: AuthFailureCounter;
  /** Persists a soft-disable (audit, status) once the count is reached. */
  softDisable(slot: ResolvedSlot, failures: number, httpStatus: number | null): Promise<void>;
  /** Persists the running count for the status page (best effort). */
  recordAuthFailures(slot: ResolvedSlot, failures: number): Promise<void>;
  usage: UsageRecorder;
  observer: GatewayObserver;
  settings: ChatGatewaySettings;
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const FAILOVER_REASON: Record<UpstreamError['kind'], FailoverReason | null> = {
  auth: 'auth_failed',
  rate_limited: 'rate_limited',
  quota_exhausted: 'quota_exhausted',
  server: 'server_error',
  invalid_response: 'server_error',
  truncated: 'server_error',
  not_found: 'model_not_found',
  timeout: 'timeout',
  network: 'network_error',
  bad_request: null,
};

const RETRY_AFTER_CAP_MS = 60_000;

/** Providers quote the key they rejected: remove this slot's own secrets from the message. */
function scrubbed(error: UpstreamError, target: CallTarget): UpstreamError {
  if (!error.providerMessage) return error;
  const secrets = [target.apiKey, ...Object.values(target.secrets)].filter((s): s is Secret => s !== null).map((s) => s.reveal());
  const message = redactKeyLike(error.providerMessage, secrets);
  if (message === error.providerMessage) return error;
  return new UpstreamError({ kind: error.kind, status: error.status, retryAfterMs: error.retryAfterMs, providerMessage: message, providerCode: error.providerCode });
}

/** The contract's status and code for an upstream failure the caller receives. */
export function upstreamApiError(error: UpstreamError, served: { provider: string; model: string; slot: SlotName }): ApiError {
  const provider = getProvider(served.provider as never).name;
  const said = error.providerMessage ? ` ${provider} said: ${error.providerMessage}` : '';
  switch (error.kind) {
    case 'rate_limited':
    case 'quota_exhausted': {
      const headers: Record<string, string> = {};
      if (error.retryAfterMs !== null) headers['retry-after'] = String(Math.max(1, Math.ceil(Math.min(error.retryAfterMs, RETRY_AFTER_CAP_MS) / 1000)));
      const what = error.kind === 'quota_exhausted' ? 'reports the account is out of quota or credit' : 'is rate limiting the org key';
      return new ApiError(429, 'rate_limited', `${provider} ${what} (${served.slot} slot).${said}`, { headers });
    }
    case 'auth':
      return new ApiError(401, 'upstream_auth_failed', `${provider} rejected the org's stored ${served.slot} key (${error.status ?? 'auth'}). Replace it with PUT /byok/{orgId}/${served.slot}.${said}`, {
        type: 'api_error',
      });
    case 'not_found':
      return new ApiError(404, 'model_not_found', `${provider} does not know the model "${served.model}" or the endpoint (${served.slot} slot). Check the model id and base URL.${said}`);
    case 'timeout':
      return new ApiError(504, 'upstream_timeout', `${provider} did not answer in time (${served.slot} slot).${said}`);
    case 'bad_request': {
      const status = error.status === 413 || error.status === 422 ? error.status : 400;
      return new ApiError(status, error.providerCode && /^[a-z_]+$/.test(error.providerCode) ? error.providerCode : 'upstream_bad_request', `${provider} rejected the request: ${error.providerMessage ?? 'bad request'}`);
    }
    default:
      return new ApiError(502, 'upstream_error', `${provider} failed (${error.status ?? error.kind}) on the ${served.slot} slot.${said}`);
  }
}

/** What a call's usage row and metrics say about it. */
interface CallRecord {
  outcome: CallOutcome;
  httpStatus: number;
  failoverReason: FailoverReason | null;
  stream: boolean;
  ttftMs: number | null;
  usage: Usage | null;
  upstreamMs: number;
  upstreamStatus: number | null;
}

interface Attempt {
  slot: ResolvedSlot;
  adapter: ProviderAdapter;
  permit: Permit;
  sentAt: number;
}

type AttemptFailure = { failed: UpstreamError } | { saturated: true } | { disabled: 'disabled' | 'undecryptable' };

export class ChatGateway {
  readonly #deps: ChatGatewayDeps;

  constructor(deps: ChatGatewayDeps) {
    this.#deps = deps;
  }

  async handle(request: ChatRequest, ctx: CallContext): Promise<ChatOutcome> {
    const cached = this.#deps.configs.peek(ctx.orgId);
    const org: ResolvedOrg = cached ?? (await this.#deps.configs.get(ctx.orgId));
    if (!org.main) {
      throw new ApiError(409, 'byok_not_configured', `Org ${ctx.orgId} has no provider key configured: an admin stores one with PUT /byok/${ctx.orgId}/main.`);
    }
    const stream = request.stream === true;
    const meta: ResponseMeta = {
      id: `chatcmpl-${ctx.requestId}`,
      created: Math.floor(Date.now() / 1000),
      model: org.main.target?.model ?? '',
    };

    const mainResult = await this.#try(org.main, request, ctx, meta, stream, null);
    if ('outcome' in mainResult) return mainResult.outcome;

    const failoverReason = this.#failoverReason(mainResult);
    const fallback = org.fallback;
    if (failoverReason && fallback && fallback.status === 'active' && fallback.target) {
      this.#deps.observer.failover(failoverReason);
      const fallbackMeta = { ...meta, model: fallback.target.model };
      const fallbackResult = await this.#try(fallback, request, ctx, fallbackMeta, stream, failoverReason);
      if ('outcome' in fallbackResult) return fallbackResult.outcome;
      throw this.#finalError(fallbackResult, fallback, ctx, stream, failoverReason);
    }
    throw this.#finalError(mainResult, org.main, ctx, stream, null);
  }

  #failoverReason(failure: AttemptFailure): FailoverReason | null {
    if ('saturated' in failure) return 'main_saturated';
    if ('disabled' in failure) return 'main_disabled';
    return FAILOVER_REASON[failure.failed.kind];
  }

  /** The error the caller gets when no slot could serve; also records the usage row. */
  #finalError(failure: AttemptFailure, slot: ResolvedSlot, ctx: CallContext, stream: boolean, failoverReason: FailoverReason | null): ApiError {
    const provider = slot.target?.provider ?? 'unknown';
    const model = slot.target?.model ?? '';
    let error: ApiError;
    let outcome: CallOutcome = 'error';
    if ('saturated' in failure) {
      const seconds = Math.max(1, Math.ceil(this.#deps.settings.queueWaitMs / 1000));
      error = new ApiError(429, 'rate_limited', `The ${slot.slot} key is at its maxConcurrentRequests limit and no permit freed up in time. Retry shortly, or raise the limit.`, {
        headers: { 'retry-after': String(seconds) },
      });
      outcome = 'rejected';
    } else if ('disabled' in failure) {
      error =
        failure.disabled === 'undecryptable'
          ? new ApiError(503, 'key_undecryptable', `The stored ${slot.slot} key of org ${ctx.orgId} cannot be decrypted (its master key is missing from BYOK_MASTER_KEYS, or the row was altered). An admin must store it again with PUT.`)
          : new ApiError(401, 'upstream_auth_failed', `The org's ${slot.slot} key was disabled after repeated 401/403 answers from the provider. An admin must replace it (PUT) or re-enable it (POST /byok/${ctx.orgId}/${slot.slot}/enable).`, { type: 'api_error' });
      outcome = 'rejected';
    } else {
      error = upstreamApiError(failure.failed, { provider, model, slot: slot.slot });
    }
    this.#record(ctx, slot, { outcome, httpStatus: error.status, failoverReason, stream, ttftMs: null, usage: null, upstreamMs: 0, upstreamStatus: 'failed' in failure ? failure.failed.status : null });
    return error;
  }

  async #try(
    slot: ResolvedSlot,
    request: ChatRequest,
    ctx: CallContext,
    meta: ResponseMeta,
    stream: boolean,
    failoverReason: FailoverReason | null,
  ): Promise<{ outcome: ChatOutcome } | AttemptFailure> {
    if (slot.status !== 'active' || !slot.target) return { disabled: slot.status === 'undecryptable' || !slot.target ? 'undecryptable' : 'disabled' };
    const target = slot.target;
    const adapter = this.#deps.adapters[getProvider(target.provider).family];
    if (!adapter) throw new ApiError(501, 'provider_not_supported', `Provider ${target.provider} is not available in this build.`);

    const acquired = await this.#deps.semaphore.acquire({
      key: slot.permitKey,
      limit: target.settings.maxConcurrentRequests,
      maxWaitMs: this.#deps.settings.queueWaitMs,
      signal: ctx.signal,
    });
    if (!acquired.ok) {
      if (acquired.reason === 'aborted') throw new ClientAbortError();
      return { saturated: true };
    }
    const attempt: Attempt = { slot, adapter, permit: acquired.permit, sentAt: performance.now() };
    let exchange: UpstreamExchange | null = null;
    try {
      const upstreamRequest = this.#build(adapter, withoutForeignBlocks(request, adapter.family), target, stream);
      const { dispatcher, settings } = this.#deps;
      const timeouts = { firstByteMs: settings.firstByteTimeoutMs, idleMs: settings.idleTimeoutMs };
      attempt.sentAt = performance.now();
      if (!stream) {
        const answer = await UpstreamExchange.fetch(dispatcher, upstreamRequest, timeouts, ctx.signal, settings.maxResponseBytes);
        if (answer.status >= 300) return this.#failedAnswer(attempt, answer, upstreamRequest.url);
        return this.#completeJson(attempt, answer, ctx, meta, failoverReason);
      }
      exchange = await UpstreamExchange.open(dispatcher, upstreamRequest, timeouts, ctx.signal, settings.maxResponseBytes);
      if (exchange.status >= 300) {
        return this.#failedAnswer(attempt, { status: exchange.status, headers: exchange.headers, text: await exchange.text() }, upstreamRequest.url);
      }
      return await this.#openStream(attempt, exchange, ctx, meta, request, failoverReason);
    } catch (err) {
      const error = transportError(err, ctx.signal);
      // Whatever failed after the answer began (a translator that threw…), stop reading it.
      exchange?.abort(error);
      if (error instanceof ClientAbortError) {
        attempt.permit.release();
        this.#record(ctx, slot, { outcome: 'cancelled', httpStatus: 499, failoverReason, stream, ttftMs: null, usage: null, upstreamMs: performance.now() - attempt.sentAt, upstreamStatus: null });
        throw error;
      }
      return this.#failed(attempt, error as UpstreamError);
    }
  }

  /** A 3xx (never followed) or an error status: the adapter classifies the provider's error body. */
  #failedAnswer(attempt: Attempt, answer: UpstreamAnswer, requestUrl: string): AttemptFailure {
    if (answer.status < 400) return this.#failed(attempt, redirectError(answer, requestUrl));
    return this.#failed(attempt, attempt.adapter.classifyError(answer.status, answer.headers, answer.text));
  }

  /** A request the adapter cannot build is the slot's misconfiguration (missing region, endpoint…) or the caller's bad input. */
  #build(adapter: ProviderAdapter, request: ChatRequest, target: NonNullable<ResolvedSlot['target']>, stream: boolean) {
    try {
      return adapter.buildChatRequest(request, target, { stream, now: new Date() });
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError({ kind: 'not_found', providerMessage: `the slot's configuration is incomplete: ${(err as Error).message}` });
    }
  }

  #failed(attempt: Attempt, rawError: UpstreamError): AttemptFailure {
    attempt.permit.release();
    const error = scrubbed(rawError, attempt.slot.target!);
    if (error.kind === 'auth') void this.#countAuthFailure(attempt.slot, error.status);
    return { failed: error };
  }

  async #countAuthFailure(slot: ResolvedSlot, httpStatus: number | null): Promise<void> {
    if (slot.source !== 'org') return;
    const key = slot.failureKey;
    try {
      const failures = await this.#deps.authFailures.recordFailure(key);
      if (failures >= this.#deps.settings.softDisableAfter) {
        await this.#deps.softDisable(slot, failures, httpStatus);
        await this.#deps.authFailures.reset(key);
      } else {
        await this.#deps.recordAuthFailures(slot, failures);
      }
    } catch (err) {
      this.#deps.logger.warn({ err, orgId: slot.orgId, slot: slot.slot }, 'auth failure could not be recorded');
    }
  }

  #succeeded(slot: ResolvedSlot): void {
    if (slot.source === 'org') void this.#deps.authFailures.reset(slot.failureKey);
  }

  #completeJson(
    attempt: Attempt,
    answer: UpstreamAnswer,
    ctx: CallContext,
    meta: ResponseMeta,
    failoverReason: FailoverReason | null,
  ): { outcome: ChatOutcome } | AttemptFailure {
    const upstreamMs = performance.now() - attempt.sentAt;
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      return this.#failed(attempt, new UpstreamError({ kind: 'invalid_response', status: answer.status, providerMessage: 'the provider answered with invalid JSON' }));
    }
    const target = attempt.slot.target!;
    const completion = attempt.adapter.parseChatResponse(parsed, target, meta);
    if (completion instanceof UpstreamError) return this.#failed(attempt, completion);
    stampCompletionBlocks(completion.choices, attempt.adapter.family);
    attempt.permit.release();
    this.#succeeded(attempt.slot);
    const served = this.#served(attempt.slot, failoverReason);
    this.#record(ctx, attempt.slot, { outcome: 'success', httpStatus: 200, failoverReason, stream: false, ttftMs: null, usage: completion.usage ?? null, upstreamMs, upstreamStatus: answer.status });
    return { outcome: { type: 'json', served, body: JSON.stringify(completion) } };
  }

  /**
   * Reads the upstream stream up to its first translated chunk before answering, so
   * an error at the head of a stream can still fail over; then hands the rest to the
   * route as a pipe.
   */
  async #openStream(
    attempt: Attempt,
    exchange: UpstreamExchange,
    ctx: CallContext,
    meta: ResponseMeta,
    request: ChatRequest,
    failoverReason: FailoverReason | null,
  ): Promise<{ outcome: ChatOutcome } | AttemptFailure> {
    const relay = new StreamRelay({
      exchange,
      translator: attempt.adapter.createStreamTranslator(attempt.slot.target!, meta),
      family: attempt.adapter.family,
      includeUsage: request.stream_options?.include_usage === true,
      startedAt: ctx.startedAt,
      onFinished: ({ outcome, ttftMs, usage }) => {
        attempt.permit.release();
        if (outcome === 'success') this.#succeeded(attempt.slot);
        this.#recordStream(ctx, attempt.slot, {
          outcome,
          httpStatus: outcome === 'cancelled' ? 499 : 200,
          failoverReason,
          stream: true,
          ttftMs,
          usage,
          upstreamMs: performance.now() - attempt.sentAt,
          upstreamStatus: exchange.status,
        });
      },
    });
    const headError = await relay.head();
    if (headError) return this.#failed(attempt, headError);
    return { outcome: { type: 'stream', served: this.#served(attempt.slot, failoverReason), pipe: (sink) => relay.pipe(sink) } };
  }

  /** A stream's row is written from inside the upstream's event: a failure is logged, not thrown into undici. */
  #recordStream(ctx: CallContext, slot: ResolvedSlot, result: CallRecord): void {
    try {
      this.#record(ctx, slot, result);
    } catch (err) {
      this.#deps.logger.error({ err, orgId: ctx.orgId, requestId: ctx.requestId }, 'recording a finished stream failed');
    }
  }

  #served(slot: ResolvedSlot, failoverReason: FailoverReason | null): ServedBy {
    return { slot: slot.slot, provider: slot.target!.provider, model: slot.target!.model, failoverReason };
  }

  #record(ctx: CallContext, slot: ResolvedSlot, result: CallRecord): void {
    const latencyMs = performance.now() - ctx.startedAt;
    const provider = slot.target?.provider ?? 'unknown';
    const model = slot.target?.model ?? '';
    const usage = result.usage;
    this.#deps.usage.record({
      orgId: ctx.orgId,
      requestId: ctx.requestId,
      slot: slot.slot,
      provider,
      model,
      outcome: result.outcome,
      httpStatus: result.httpStatus,
      failoverReason: result.failoverReason,
      stream: result.stream,
      latencyMs: Math.round(latencyMs),
      ttftMs: result.ttftMs === null ? null : Math.round(result.ttftMs),
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
      reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
      cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      createdAt: new Date(),
    });
    this.#deps.observer.call({
      provider,
      model,
      slot: slot.slot,
      outcome: result.outcome,
      stream: result.stream,
      latencyMs,
      ttftMs: result.ttftMs,
      overheadMs: Math.max(0, latencyMs - result.upstreamMs),
      upstreamStatus: result.upstreamStatus,
    });
  }
}
