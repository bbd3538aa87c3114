// The HTTP shell the fake upstreams in this folder share: every request is recorded
// (body parsed as JSON where it is), `failNext` answers come first, the family's own
// handler does the rest; it listens on 127.0.0.1 at a free port. Also the small writers
// the fakes answer with: JSON, and paced streams (SSE or binary frames) whose small gaps
// between events let clients see real chunking.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface FakeUpstream {
  baseUrl: string;
  requests: RecordedRequest[];
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/** The string `model` of each recorded body, in request order. */
export function requestedModels(requests: RecordedRequest[]): string[] {
  return requests.flatMap((request) => (typeof request.body?.model === 'string' ? [request.body.model] : []));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** A string body goes out as it is, anything else as JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export interface PacedOptions {
  /** The 200's headers. */
  headers?: Record<string, string>;
  /** The pause after each frame; 2 ms unless told. */
  gapMs?: number;
  /** Written with the end of the response (after the last gap), unless the client has gone. */
  end?: string;
}

/** Writes a 200 with the frames one by one, a short pause after each; stops when the client has gone. */
export async function sendPaced(res: ServerResponse, frames: Iterable<string | Uint8Array>, options: PacedOptions = {}): Promise<void> {
  res.writeHead(200, options.headers ?? {});
  for (const frame of frames) {
    if (res.destroyed) return;
    res.write(frame);
    await new Promise((resolve) => setTimeout(resolve, options.gapMs ?? 2));
  }
  if (options.end === undefined) res.end();
  else res.end(options.end);
}

export const SSE_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** SSE: each event's lines (`data: …`, or `event: …\ndata: …`), then the separator (a blank line unless told). */
export function sendSse(res: ServerResponse, events: string[], options: PacedOptions & { separator?: string } = {}): Promise<void> {
  const separator = options.separator ?? '\n\n';
  return sendPaced(
    res,
    events.map((event) => `${event}${separator}`),
    { ...options, headers: options.headers ?? SSE_HEADERS },
  );
}

/** One request, as the family's handler sees it (already recorded, no failNext pending). */
export interface FakeCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** req.url as sent, query included. */
  url: string;
  /** The path without the query. */
  path: string;
  /** The body as sent. */
  raw: string;
  /** The body parsed as JSON; the text where it is not JSON; `emptyBody` when there is none. */
  body: any;
  /** Every request so far, this one last. */
  requests: RecordedRequest[];
}

export interface FakeServerOptions {
  /** Answers one request. */
  handle(call: FakeCall): Promise<void> | void;
  /** Headers of a failNext answer, before the ones failNext names (content-type is application/json unless set here). */
  failureHeaders?: Record<string, string>;
  /** Answers a request whose handler threw before it wrote anything; without it the connection is dropped. */
  internalError?(res: ServerResponse, error: unknown): void;
  /** Whether `requests[].path` keeps the query string; it does unless told. */
  recordQuery?: boolean;
  /** What an empty body is recorded and handled as; undefined unless told. */
  emptyBody?: null;
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; body: unknown; headers: Record<string, string> }> = [];

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: any = raw;
    try {
      body = raw ? JSON.parse(raw) : options.emptyBody;
    } catch {
      // Kept as text: a test may want to see what was sent.
    }
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    requests.push({ method: req.method ?? 'GET', path: options.recordQuery === false ? path : url, headers: req.headers, body });
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body, { ...options.failureHeaders, ...failure.headers });
    await options.handle({ req, res, url, path, raw, body, requests });
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent && options.internalError) options.internalError(res, error);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, body, headers = {}) {
      failures.push({ status, body, headers });
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
