// The gateway's only upstream I/O: send what an adapter built, with the configured
// timeouts and the caller's abort signal, and turn transport failures into typed
// UpstreamErrors (timeout, network) the failover logic understands.
import { errors as undiciErrors, type Dispatcher } from 'undici';
import type { CancelSignal } from '../cancellation.js';
import { UpstreamError, type UpstreamHeaders, type UpstreamRequest } from '../providers/types.js';

export interface UpstreamTimeouts {
  /** Until the response headers arrive (time to first byte). */
  firstByteMs: number;
  /** Between two body chunks (a stalled stream). */
  idleMs: number;
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
export function transportError(err: unknown, signal?: CancelSignal): Error {
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

/** Hears a response body as it arrives, once attached with `UpstreamExchange.consume`. */
export interface BodyConsumer {
  data(chunk: Buffer): void;
  end(): void;
  /** A transport failure, already classified: an UpstreamError or a ClientAbortError. */
  error(error: Error): void;
}

/** A whole (non-streaming) answer. */
export interface UpstreamAnswer {
  status: number;
  headers: UpstreamHeaders;
  text: string;
}

type Pending =
  | { kind: 'head'; resolve(exchange: UpstreamExchange): void; reject(error: Error): void }
  | { kind: 'text'; resolve(text: string): void; reject(error: Error): void }
  | { kind: 'answer'; resolve(answer: UpstreamAnswer): void; reject(error: Error): void };

const NO_HEADERS: UpstreamHeaders = Object.freeze({});

/**
 * A consumer that threw (a translator bug, a body it cannot read) fails the exchange
 * like a bad answer, instead of the exception escaping into undici's parser.
 */
function consumerFailure(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  return new UpstreamError({ kind: 'invalid_response', providerMessage: `the gateway could not read the provider's stream (${(err as Error)?.name ?? 'error'})` });
}

/**
 * One upstream request on undici's dispatch API. undici's `request` wraps every answer in
 * a Readable, read back through an async iterator (promises per chunk), and listens on
 * an AbortSignal; on the hot path that cost as much as the gateway's own work. Here the
 * body is buffered, or handed to a consumer chunk by chunk as the parser produces it, and
 * the caller's cancellation aborts the request through undici's controller.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  status = 0;
  headers: UpstreamHeaders = NO_HEADERS;
  readonly #signal: CancelSignal | undefined;
  readonly #maxBytes: number;
  #controller: Dispatcher.DispatchController | null = null;
  #pending: Pending | null;
  #chunks: Buffer[] = [];
  #size = 0;
  #ended = false;
  #failure: Error | null = null;
  #consumer: BodyConsumer | null = null;
  readonly #onAbort = (): void => this.abort(new ClientAbortError());

  private constructor(signal: CancelSignal | undefined, maxBytes: number, pending: Pending) {
    this.#signal = signal;
    this.#maxBytes = maxBytes;
    this.#pending = pending;
  }

  /** Sends the request; resolves with status, headers and the whole body (at most `maxBytes`). */
  static fetch(dispatcher: Dispatcher, request: UpstreamRequest, timeouts: UpstreamTimeouts, signal: CancelSignal | undefined, maxBytes: number): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => new UpstreamExchange(signal, maxBytes, { kind: 'answer', resolve, reject }).#send(dispatcher, request, timeouts));
  }

  /** Sends the request; resolves at the response head. Read the body with `text()` or `consume()`. */
  static open(dispatcher: Dispatcher, request: UpstreamRequest, timeouts: UpstreamTimeouts, signal: CancelSignal | undefined, maxBytes: number): Promise<UpstreamExchange> {
    return new Promise((resolve, reject) => new UpstreamExchange(signal, maxBytes, { kind: 'head', resolve, reject }).#send(dispatcher, request, timeouts));
  }

  #send(dispatcher: Dispatcher, request: UpstreamRequest, timeouts: UpstreamTimeouts): void {
    if (this.#signal?.aborted) return this.#fail(new ClientAbortError());
    try {
      const { origin, path } = splitUrl(request.url);
      this.#signal?.addEventListener('abort', this.#onAbort);
      dispatcher.dispatch(
        {
          origin,
          path,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body,
          headersTimeout: timeouts.firstByteMs,
          bodyTimeout: timeouts.idleMs,
        },
        this,
      );
    } catch (err) {
      this.#fail(err);
    }
  }

  /** The rest of the body as text (at most `maxBytes` in all). */
  text(): Promise<string> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(this.#joined());
    return new Promise((resolve, reject) => {
      this.#pending = { kind: 'text', resolve, reject };
    });
  }

  /** Hands what arrived so far, then every chunk as it arrives, to `consumer`; synchronously. */
  consume(consumer: BodyConsumer): void {
    this.#consumer = consumer;
    const chunks = this.#chunks;
    this.#chunks = [];
    for (const chunk of chunks) if (!this.#deliver(chunk)) return;
    if (this.#failure) consumer.error(this.#failure);
    else if (this.#ended) this.#finishConsumer();
  }

  /** Hands a chunk to the consumer; false (and the exchange failed) when the consumer threw. */
  #deliver(chunk: Buffer): boolean {
    try {
      this.#consumer!.data(chunk);
      return true;
    } catch (err) {
      const failure = consumerFailure(err);
      if (this.#ended) this.#consumer!.error(failure);
      else this.abort(failure);
      return false;
    }
  }

  #finishConsumer(): void {
    try {
      this.#consumer!.end();
    } catch (err) {
      this.#consumer!.error(consumerFailure(err));
    }
  }

  /** Stops reading from the upstream socket until `resume()` (backpressure). */
  pause(): void {
    this.#controller?.pause();
  }

  resume(): void {
    this.#controller?.resume();
  }

  /** Ends the request; the pending read or the consumer gets `reason` (unless already done). */
  abort(reason: Error): void {
    if (this.#ended || this.#failure) return;
    // Queued behind a connection, the request has no controller yet: it aborts when it gets one.
    if (this.#controller) this.#controller.abort(reason);
    else this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#failure) controller.abort(this.#failure);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: UpstreamHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the answer follows
    this.status = statusCode;
    this.headers = headers;
    const pending = this.#pending;
    if (pending?.kind === 'head') {
      this.#pending = null;
      pending.resolve(this);
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#consumer) {
      this.#deliver(chunk);
      return;
    }
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      this.abort(new UpstreamError({ kind: 'invalid_response', providerMessage: `the provider's answer exceeded ${this.#maxBytes} bytes` }));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#ended || this.#failure) return;
    this.#ended = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#consumer) return this.#finishConsumer();
    const pending = this.#pending;
    this.#pending = null;
    if (pending?.kind === 'answer') pending.resolve({ status: this.status, headers: this.headers, text: this.#joined() });
    else if (pending?.kind === 'text') pending.resolve(this.#joined());
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(err);
  }

  #fail(err: unknown): void {
    if (this.#ended || this.#failure) return;
    const error = transportError(err, this.#signal);
    this.#failure = error;
    this.#chunks = [];
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#consumer) return this.#consumer.error(error);
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(error);
  }

  #joined(): string {
    const chunks = this.#chunks;
    this.#chunks = [];
    return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  }
}

/**
 * A 3xx is never followed (an org's base URL must not lead the gateway to another host,
 * and undici's `request` does not follow): it means the base URL is wrong, not that the
 * caller's request is, so it is an upstream failure (502, failover), never a 400.
 */
export function redirectError(response: { status: number; headers: UpstreamHeaders }, requestUrl: string): UpstreamError {
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
