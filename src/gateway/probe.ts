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
