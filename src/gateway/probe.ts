// Key probes: the adapter's cheap metadata call (never inference), with its own
// short timeout; never counted toward soft-disable.
import type { Dispatcher } from 'undici';
import type { ProbeResult } from '../byok/service.js';
import { getProvider } from '../providers/registry.js';
import { UpstreamError, type CallTarget, type ProviderAdapter } from '../providers/types.js';
import { ClientAbortError, readBody, sendUpstream } from './upstream.js';

const PROBE_BODY_LIMIT = 8 * 1024 * 1024;

export async function runProbe(
  adapter: ProviderAdapter,
  target: CallTarget,
  dispatcher: Dispatcher,
  options: { timeoutMs: number; now?: () => Date },
): Promise<ProbeResult> {
  const started = performance.now();
  const provider = getProvider(target.provider);
  const latency = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  try {
    const probe = adapter.buildProbeRequest(target, { now: options.now ? options.now() : new Date() });
    const response = await sendUpstream(dispatcher, probe, { firstByteMs: options.timeoutMs, idleMs: options.timeoutMs }, deadline);
    const text = await readBody(response.body, PROBE_BODY_LIMIT, deadline);
    const outcome = adapter.parseProbeResponse(response.status, response.headers, text, target);
    return { ok: outcome.status === 'ok', ...outcome, latencyMs: latency() };
  } catch (err) {
    const timedOut = err instanceof ClientAbortError || (err instanceof UpstreamError && err.kind === 'timeout');
    if (timedOut) {
      return {
        ok: false,
        status: 'timeout',
        message: `${provider.name} did not answer within ${options.timeoutMs} ms. Check the base URL (${target.baseUrl || 'default'}) points at a reachable server, and any proxy or firewall in between.`,
        httpStatus: null,
        latencyMs: latency(),
        models: null,
        modelFound: null,
      };
    }
    const detail = err instanceof UpstreamError ? (err.providerMessage ?? err.kind) : 'the request could not be built';
    return {
      ok: false,
      status: 'network_error',
      message: `Could not reach ${provider.name} at ${target.baseUrl || 'its default endpoint'}: ${detail}. Check the host name, port, scheme (http/https) and TLS certificate.`,
      httpStatus: null,
      latencyMs: latency(),
      models: null,
      modelFound: null,
    };
  }
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
  try {
    const upstream = adapter.buildChatRequest(request, target, { stream: false, now: new Date() });
    const response = await sendUpstream(dispatcher, upstream, { firstByteMs: options.timeoutMs, idleMs: options.timeoutMs }, deadline);
    const text = await readBody(response.body, PROBE_BODY_LIMIT, deadline);
    if (response.status >= 300) {
      const error = adapter.classifyError(response.status, response.headers, text);
      const outcome = adapter.parseProbeResponse(response.status, response.headers, text, target);
      const status = error.kind === 'not_found' ? 'model_not_found' : error.kind === 'bad_request' ? 'provider_error' : outcome.status;
      return { ok: false, ...outcome, status, latencyMs: latency() };
    }
    const parsed = adapter.parseChatResponse(JSON.parse(text), target, { id: 'probe', created: 0, model: target.model });
    if (parsed instanceof UpstreamError) {
      return { ok: false, status: 'provider_error', message: `${provider.name} answered with an error: ${parsed.providerMessage ?? parsed.kind}`, httpStatus: response.status, latencyMs: latency(), models: null, modelFound: null };
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
    if (err instanceof SyntaxError) {
      return { ok: false, status: 'provider_error', message: `${provider.name} answered with invalid JSON.`, httpStatus: null, latencyMs: latency(), models: null, modelFound: null };
    }
    const timedOut = err instanceof ClientAbortError || (err instanceof UpstreamError && err.kind === 'timeout');
    return {
      ok: false,
      status: timedOut ? 'timeout' : 'network_error',
      message: timedOut
        ? `${provider.name} did not answer within ${options.timeoutMs} ms.`
        : `Could not reach ${provider.name}: ${err instanceof UpstreamError ? (err.providerMessage ?? err.kind) : 'the request could not be built'}.`,
      httpStatus: null,
      latencyMs: latency(),
      models: null,
      modelFound: null,
    };
  }
}
