// The gateway's only upstream I/O: send what an adapter built, with the configured
// timeouts and the caller's abort signal, and turn transport failures into typed
// UpstreamErrors (timeout, network) the failover logic understands.
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { UpstreamError, type UpstreamHeaders, type UpstreamRequest } from '../providers/types.js';

export interface UpstreamTimeouts {
  /** Until the response headers arrive (time to first byte). */
  firstByteMs: number;
  /** Between two body chunks (a stalled stream). */
  idleMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: Dispatcher.ResponseData['body'];
}

/** The caller went away: not an upstream failure, never failed over nor counted. */
export class ClientAbortError extends Error {
  constructor() {
    super('client aborted');
    this.name = 'ClientAbortError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UPSTREAM_ADDRESS_BLOCKED',
]);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a thrown transport error; `signal` tells a client abort from our own deadlines. */
export function transportError(err: unknown, signal?: AbortSignal): Error {
  if (err instanceof UpstreamError || err instanceof ClientAbortError) return err;
  if (signal?.aborted) return new ClientAbortError();
  const code = errorCode(err);
  if (
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new UpstreamError({ kind: 'timeout', providerMessage: 'the provider did not answer in time' });
  }
  if (code === 'UPSTREAM_ADDRESS_BLOCKED') {
    return new UpstreamError({ kind: 'network', providerMessage: 'the base URL resolves to an address this gateway refuses to call' });
  }
  if ((code && NETWORK_CODES.has(code)) || code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL') || /certificate|TLS|SSL/i.test(String((err as Error)?.message))) {
    return new UpstreamError({ kind: 'network', providerMessage: `connection failed (${code ?? 'TLS'})` });
  }
  return new UpstreamError({ kind: 'network', providerMessage: 'connection failed' });
}

/** Path characters the URL parser leaves as they are (RFC 3986 pchar, `/` and `?`): no parse needed. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

/**
 * The adapters build absolute URLs; the dispatcher wants origin and path. A plain URL is
 * split where its path starts (no URL parse per call); anything unusual (credentials,
 * characters that need escaping) goes through the URL parser, as undici's `request` would.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const scheme = url.indexOf('://');
  const slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
  if (slash > 0 && url.lastIndexOf('@', slash) < 0 && PLAIN_PATH.test(url.slice(slash))) {
    return { origin: url.slice(0, slash), path: url.slice(slash) };
  }
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

export async function sendUpstream(
  dispatcher: Dispatcher,
  upstream: UpstreamRequest,
  timeouts: UpstreamTimeouts,
  signal?: AbortSignal,
): Promise<UpstreamResponse> {
  try {
    const { origin, path } = splitUrl(upstream.url);
    const response = await dispatcher.request({
      origin,
      path,
      method: upstream.method as Dispatcher.HttpMethod,
      headers: upstream.headers,
      body: upstream.body,
      signal,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (err) {
    throw transportError(err, signal);
  }
}

/**
 * A 3xx is never followed (an org's base URL must not lead the gateway to another host,
 * and undici's `request` does not follow): it means the base URL is wrong, not that the
 * caller's request is, so it is an upstream failure (502, failover), never a 400.
 */
export function redirectError(response: Pick<UpstreamResponse, 'status' | 'headers'>, requestUrl: string): UpstreamError {
  const raw = response.headers.location;
  const location = Array.isArray(raw) ? raw[0] : raw;
  let where = '';
  if (location) {
    try {
      const target = new URL(location, requestUrl);
      where = ` to ${target.origin}${target.pathname}`.slice(0, 300);
    } catch {
      where = '';
    }
  }
  return new UpstreamError({
    kind: 'invalid_response',
    status: response.status,
    providerMessage: `it answered ${response.status}, a redirect${where}; the gateway does not follow redirects: check the slot's base URL`,
  });
}

/** Reads a whole (non-streaming) body, refusing more than `maxBytes`. */
export async function readBody(body: UpstreamResponse['body'], maxBytes: number, signal?: AbortSignal): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        body.destroy();
        throw new UpstreamError({ kind: 'invalid_response', providerMessage: `the provider's answer exceeded ${maxBytes} bytes` });
      }
      parts.push(chunk as Buffer);
    }
  } catch (err) {
    throw transportError(err, signal);
  }
  return parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8');
}
