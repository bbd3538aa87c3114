// Key probes: the adapter's cheap metadata call (never inference), with its own
// short timeout; never counted toward soft-disable.
import type { Dispatcher } from 'undici';
import type { ProbeResult } from '../byok/service.js';
import { ApiError } from '../errors.js';
import { redactKeyLike } from '../keys/redact.js';
import type { Secret } from '../keys/secret.js';
import { getProvider } from '../providers/registry.js';
import { UpstreamError, type CallTarget, type ProbeOutcome, type ProviderAdapter, type UpstreamRequest } from '../providers/types.js';
import { ClientAbortError, UpstreamExchange } from './upstream.js';

const PROBE_BODY_LIMIT = 8 * 1024 * 1024;

/** Where the probe went, without path or query (which may carry a credential). */
function origin(url: string | null, target: CallTarget): string {
  try {
    return new URL(url ?? target.baseUrl).origin;
  } catch {
    return target.baseUrl || 'its default endpoint';
  }
}

// transportError (upstream.ts) keeps the transport's error code as "connection failed (CODE)".
const TLS_CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME_MISMATCH/;

/** An adapter that cannot build the request is missing configuration (Azure without an endpoint): the input's fault. */
function incomplete(err: unknown, target: CallTarget): ApiError {
  const provider = getProvider(target.provider);
  const detail = redactKeyLike(err instanceof Error ? err.message : String(err)).slice(0, 300);
  return new ApiError(400, 'invalid_credentials', `The ${provider.name} configuration is incomplete, so no probe could be sent: ${detail}.`, { param: 'credentials' });
}

function networkAdvice(err: UpstreamError, where: string): string {
  const said = err.providerMessage ?? err.kind;
  const code = /\(([A-Za-z0-9_]+)\)$/.exec(said)?.[1] ?? '';
  if (code === 'ECONNREFUSED') return `the connection was refused: nothing listens at ${where}. Check the port and the scheme, and that the server is running`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve (DNS ${code}). Check the spelling of the base URL's host`;
  if (TLS_CERT_CODES.test(code)) {
    return `the TLS certificate of ${where} is not trusted (${code}). Use a certificate from a public CA, or give the gateway your private CA with NODE_EXTRA_CA_CERTS`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST') {
    return `the TLS handshake failed (${code}): the server at ${where} does not speak HTTPS on this port. Use http:// for a plain-HTTP server, or the server's HTTPS port`;
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'TLS') return `the TLS handshake with ${where} failed (${code}). Check the scheme (http/https), the port and the server's certificate`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') return `${where} is unreachable from the gateway (${code}). Check the address, routing and firewalls`;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code.startsWith('UND_ERR')) {
    return `the connection to ${where} was closed before an answer (${code}). Check the scheme (http/https), the port and any proxy in between`;
  }
  if (/refuses to call/.test(said)) return `${said}. Self-hosted servers on private addresses need UPSTREAM_BLOCK_PRIVATE_NETWORKS=false`;
  return `${said}. Check the host name, port, scheme (http/https) and TLS certificate`;
}

/** Providers quote the key they rejected: no message of a probe result carries this target's secrets. */
function withoutSecrets(result: ProbeResult, target: CallTarget): ProbeResult {
  const secrets = [target.apiKey, ...Object.values(target.secrets)].filter((s): s is Secret => s !== null).map((s) => s.reveal());
  return { ...result, message: redactKeyLike(result.message, secrets) };
}

function failed(status: 'timeout' | 'network_error' | 'provider_error', message: string, latencyMs: number, httpStatus: number | null = null): ProbeResult {
  return { ok: false, status, message, httpStatus, latencyMs, models: null, modelFound: null };
}

function transportFailure(err: unknown, target: CallTarget, url: string | null, timeoutMs: number, latencyMs: number): ProbeResult {
  const provider = getProvider(target.provider);
  const where = origin(url, target);
  const timedOut = err instanceof ClientAbortError || (err instanceof UpstreamError && err.kind === 'timeout');
  if (timedOut) {
    return failed(
      'timeout',
      `${provider.name} did not answer within ${timeoutMs} ms at ${where}. Check the base URL points at a reachable server, and any proxy or firewall in between.`,
      latencyMs,
    );
  }
  if (err instanceof UpstreamError && err.kind === 'invalid_response') {
    return failed('provider_error', `${provider.name} answered at ${where}, but ${err.providerMessage ?? 'not with a readable answer'}.`, latencyMs);
  }
  if (!(err instanceof UpstreamError)) {
    return failed('provider_error', `${provider.name} answered at ${where}, but the answer could not be read: check the base URL.`, latencyMs);
  }
  return failed('network_error', `Could not reach ${provider.name} at ${where}: ${networkAdvice(err, where)}.`, latencyMs);
}

/** Redirects are never followed (the agent has no redirect interceptor): the base URL is not where the API answers. */
function redirected(status: number, location: string | string[] | undefined, url: string, target: CallTarget): ProbeOutcome {
  const provider = getProvider(target.provider);
  const raw = Array.isArray(location) ? location[0] : location;
  let where = '';
  try {
    if (raw) {
      const next = new URL(raw, url);
      where = ` to ${next.origin}${next.pathname}`.slice(0, 300);
    }
  } catch {
    where = '';
  }
  return {
    status: 'endpoint_not_found',
    message: `${provider.name} answered ${status}, a redirect${where}, at ${origin(url, target)}. The gateway does not follow redirects: check the base URL (https rather than http, the version path such as /v1, the trailing slash).`,
    httpStatus: status,
    models: null,
    modelFound: null,
  };
}

export async function runProbe(
  adapter: ProviderAdapter,
  target: CallTarget,
  dispatcher: Dispatcher,
  options: { timeoutMs: number; now?: () => Date },
): Promise<ProbeResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let probe: UpstreamRequest | null = null;
  try {
    try {
      probe = adapter.buildProbeRequest(target, { now: options.now ? options.now() : new Date() });
    } catch (err) {
      throw incomplete(err, target);
    }
    const response = await UpstreamExchange.fetch(dispatcher, probe, { firstByteMs: options.timeoutMs, idleMs: options.timeoutMs }, deadline, PROBE_BODY_LIMIT);
    const text = response.text;
    const outcome =
      response.status >= 300 && response.status < 400
        ? redirected(response.status, response.headers.location, probe.url, target)
        : adapter.parseProbeResponse(response.status, response.headers, text, target);
    return withoutSecrets({ ok: outcome.status === 'ok', ...outcome, latencyMs: latency() }, target);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    return withoutSecrets(transportFailure(err, target, probe?.url ?? null, options.timeoutMs, latency()), target);
  }
}

// Vendors that answer an unknown model with 400 instead of 404 (DeepSeek "Model Not Exist",
// Z.ai code 1211, OpenAI-compatible servers "model … does not exist").
const UNKNOWN_MODEL = /model[^.]{0,80}(not (exist|found)|does ?n[o']t exist|unknown|invalid)|(unknown|invalid|unsupported) model|^1211$|model_not_found/i;

function completionFailure(error: UpstreamError, outcome: ProbeOutcome, target: CallTarget, httpStatus: number): ProbeOutcome {
  const provider = getProvider(target.provider);
  const said = error.providerMessage ? ` ${provider.name} said: "${error.providerMessage}".` : '';
  const unknownModel =
    error.kind === 'not_found' ||
    (error.kind === 'bad_request' && (UNKNOWN_MODEL.test(error.providerMessage ?? '') || UNKNOWN_MODEL.test(error.providerCode ?? '')));
  if (unknownModel) {
    return {
      ...outcome,
      status: 'model_not_found',
      message: `${provider.name} refused a minimal completion with the model "${target.model}" (${httpStatus}): the model id is unknown to this key or endpoint. Check the model id for typos (and the base URL's version path).${said}`,
    };
  }
  if (error.kind === 'bad_request') {
    return {
      ...outcome,
      status: 'provider_error',
      message: `${provider.name} rejected a minimal completion with the slot's settings (${httpStatus}): check the reasoning preset or custom override and the other settings for this model.${said}`,
    };
  }
  return outcome;
}

/**
 * `mode: "completion"`: one minimal real call through the chat adapter with the slot's
 * settings, proving the model id and reasoning parameters are accepted.
 */
export async function runCompletionProbe(
  adapter: ProviderAdapter,
  target: CallTarget,
  dispatcher: Dispatcher,
  options: { timeoutMs: number },
): Promise<ProbeResult> {
  const started = performance.now();
  const provider = getProvider(target.provider);
  const latency = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const request = { messages: [{ role: 'user' as const, content: 'Reply with the single word OK.' }], max_tokens: 256 };
  let upstream: UpstreamRequest | null = null;
  try {
    try {
      upstream = adapter.buildChatRequest(request, target, { stream: false, now: new Date() });
    } catch (err) {
      throw incomplete(err, target);
    }
    const response = await UpstreamExchange.fetch(dispatcher, upstream, { firstByteMs: options.timeoutMs, idleMs: options.timeoutMs }, deadline, PROBE_BODY_LIMIT);
    const text = response.text;
    if (response.status >= 300 && response.status < 400) {
      return withoutSecrets({ ok: false, ...redirected(response.status, response.headers.location, upstream.url, target), latencyMs: latency() }, target);
    }
    if (response.status >= 300) {
      const error = adapter.classifyError(response.status, response.headers, text);
      const outcome = completionFailure(error, adapter.parseProbeResponse(response.status, response.headers, text, target), target, response.status);
      return withoutSecrets({ ok: false, ...outcome, models: null, modelFound: outcome.status === 'model_not_found' ? false : null, latencyMs: latency() }, target);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return failed('provider_error', `${provider.name} answered ${response.status} with invalid JSON: check the base URL.`, latency(), response.status);
    }
    const parsed = adapter.parseChatResponse(body, target, { id: 'probe', created: 0, model: target.model });
    if (parsed instanceof UpstreamError) {
      return withoutSecrets(failed('provider_error', `${provider.name} answered with an error: ${parsed.providerMessage ?? parsed.kind}`, latency(), response.status), target);
    }
    return {
      ok: true,
      status: 'ok',
      message: `${provider.name} answered a minimal completion with ${target.model} and the slot's settings.`,
      httpStatus: response.status,
      latencyMs: latency(),
      models: null,
      modelFound: true,
    };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    return withoutSecrets(transportFailure(err, target, upstream?.url ?? null, options.timeoutMs, latency()), target);
  }
}
