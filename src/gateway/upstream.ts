// The gateway's only upstream I/O: send what an adapter built, with the configured
// timeouts and the caller's abort signal, and turn transport failures into typed
// UpstreamErrors (timeout, network) the failover logic understands.
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
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

export async function sendUpstream(
  dispatcher: Dispatcher,
  upstream: UpstreamRequest,
  timeouts: UpstreamTimeouts,
  signal?: AbortSignal,
): Promise<UpstreamResponse> {
  try {
    const response = await request(upstream.url, {
      method: upstream.method,
      headers: upstream.headers,
      body: upstream.body,
      dispatcher,
      signal,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (err) {
    throw transportError(err, signal);
  }
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
