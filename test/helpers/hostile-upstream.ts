// An OpenAI-format upstream that misbehaves on demand, for the fault suite. One server
// serves many "base URLs": the first path segment names a lane (`/lane-a/chat/completions`),
// each lane answers with its armed faults first (one per request) and then healthily.
// Every request is recorded with whether (and when) its connection was closed, so a test
// can tell that the gateway hung up on a stalled upstream instead of leaking the socket.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface HostileCall {
  lane: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** Set once the connection that carried this request is gone. */
  closed: boolean;
  /** Resolves when the connection that carried this request closes. */
  whenClosed: Promise<void>;
}

export type Fault = (res: ServerResponse, body: any) => Promise<void> | void;

export interface HostileUpstream {
  port: number;
  origin: string;
  /** The base URL of a lane (no trailing slash). */
  baseUrl(lane: string): string;
  calls: HostileCall[];
  /** The next requests on `lane` get these faults, one each; then the lane answers healthily. */
  arm(lane: string, ...faults: Fault[]): void;
  /** Connections currently open to this server. */
  openSockets(): number;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const HEALTHY_TEXT = 'healthy answer';
export const USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };

export function completion(content: string, model = 'up-model') {
  return {
    id: 'chatcmpl-upstream',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: USAGE,
  };
}

export function sseChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

const SSE_HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function waitClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || res.socket?.destroyed) return resolve();
    res.once('close', () => resolve());
  });
}

/** Healthy: a completion, or a short stream with usage and [DONE]. */
export const healthy: Fault = async (res, body) => {
  if (body?.stream === true) {
    res.writeHead(200, SSE_HEAD);
    res.write(sseChunk({ role: 'assistant', content: '' }));
    res.write(sseChunk({ content: HEALTHY_TEXT }));
    res.write(sseChunk({}, 'stop'));
    res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [], usage: USAGE })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(HEALTHY_TEXT)));
};

/** The catalogue of misbehaviours. */
export const faults = {
  /** Promises a body, sends a part of it, then resets the TCP connection. */
  resetMidBody: (async (res) => {
    const text = JSON.stringify(completion('x'.repeat(4000)));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
    res.write(text.slice(0, 200));
    await sleep(20);
    res.socket?.resetAndDestroy();
  }) satisfies Fault,

  /** Sends `events` stream events (0: headers only), then resets the TCP connection. */
  resetMidStream: (events: number): Fault => async (res) => {
    res.writeHead(200, SSE_HEAD);
    res.flushHeaders();
    if (events > 0) res.write(sseChunk({ role: 'assistant', content: '' }));
    for (let i = 1; i < events; i++) res.write(sseChunk({ content: `part ${i} ` }));
    await sleep(30);
    res.socket?.resetAndDestroy();
  },

  /** Sends `events` stream events (0: headers only), then nothing, until the caller hangs up. */
  stallStream: (events: number): Fault => async (res) => {
    res.writeHead(200, SSE_HEAD);
    res.flushHeaders();
    if (events > 0) res.write(sseChunk({ role: 'assistant', content: '' }));
    for (let i = 1; i < events; i++) res.write(sseChunk({ content: `part ${i} ` }));
    await waitClosed(res);
  },

  /** A stream that ends cleanly at the HTTP level without a finish_reason or [DONE]. */
  noDone: (async (res) => {
    res.writeHead(200, SSE_HEAD);
    res.write(sseChunk({ role: 'assistant', content: '' }));
    res.write(sseChunk({ content: 'an answer that' }));
    await sleep(10);
    res.end(sseChunk({ content: ' stops here' }));
  }) satisfies Fault,

  /** A stream that finishes (finish_reason) and ends the body without `[DONE]`, as some compatible servers do. */
  finishWithoutDone: (async (res) => {
    res.writeHead(200, SSE_HEAD);
    res.write(sseChunk({ role: 'assistant', content: '' }));
    res.write(sseChunk({ content: 'complete answer' }));
    await sleep(10);
    res.end(sseChunk({}, 'stop'));
  }) satisfies Fault,

  /** A stream that closes the connection after some events, without the chunked terminator. */
  closeMidStream: (async (res) => {
    res.writeHead(200, SSE_HEAD);
    res.write(sseChunk({ role: 'assistant', content: '' }));
    res.write(sseChunk({ content: 'partial' }));
    await sleep(20);
    res.socket?.end();
  }) satisfies Fault,

  /** A 200 whose body is not JSON. */
  invalidJson: ((res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "chatcmpl-1", "choices": [ {"message": ');
  }) satisfies Fault,

  /** A 200 whose body is JSON of the wrong shape. */
  wrongShape: (body: unknown): Fault => (res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  },

  /** A stream whose event at `position` (0 = the first) is not JSON. */
  invalidSse: (position: number): Fault => async (res) => {
    res.writeHead(200, SSE_HEAD);
    for (let i = 0; i < position; i++) res.write(sseChunk(i === 0 ? { role: 'assistant', content: '' } : { content: `part ${i} ` }));
    await sleep(10);
    res.write('data: {"choices": [{"delta": {"content": "brok\n\n');
    await sleep(10);
    res.end('data: [DONE]\n\n');
  },

  /** A 200 carrying an error (OpenAI-style body, or as the first stream event). */
  errorBody200: ((res, body) => {
    const error = { error: { message: 'The server had an error while processing your request.', type: 'server_error', code: 'server_error' } };
    if (body?.stream === true) {
      res.writeHead(200, SSE_HEAD);
      res.end(`data: ${JSON.stringify(error)}\n\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(error));
  }) satisfies Fault,

  /** A valid answer whose content is `bytes` long (streamed in 64 KiB deltas when asked to stream). */
  huge: (bytes: number): Fault => async (res, body) => {
    if (body?.stream === true) {
      res.writeHead(200, SSE_HEAD);
      res.write(sseChunk({ role: 'assistant', content: '' }));
      const piece = 'y'.repeat(64 * 1024);
      for (let sent = 0; sent < bytes; sent += piece.length) {
        const ok = res.write(sseChunk({ content: piece.slice(0, Math.min(piece.length, bytes - sent)) }));
        if (!ok) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.write(sseChunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion('y'.repeat(bytes))));
  },

  /** `bytes` of bytes that are neither JSON nor SSE. */
  hugeJunk: (bytes: number): Fault => async (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const piece = Buffer.alloc(1024 * 1024, 0x7a);
    for (let sent = 0; sent < bytes && !res.destroyed; sent += piece.length) {
      if (!res.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
      }
    }
    res.end();
  },

  /** Accepts the request and never answers, until the caller hangs up. */
  noHeaders: (async (res) => {
    await waitClosed(res);
  }) satisfies Fault,

  /** An endless stream: an event every `gapMs` until the caller hangs up. */
  endlessStream: (gapMs: number): Fault => async (res) => {
    res.writeHead(200, SSE_HEAD);
    res.write(sseChunk({ role: 'assistant', content: '' }));
    let i = 0;
    while (!res.destroyed && !res.writableEnded) {
      res.write(sseChunk({ content: `tick ${i++} ` }));
      await sleep(gapMs);
    }
  },

  /** A redirect to `location`. */
  redirect: (location: string, status = 302): Fault => (res) => {
    res.writeHead(status, { location, 'content-type': 'application/json' }).end(JSON.stringify({ moved: location }));
  },

  /** Any status with any body. */
  status: (status: number, body: unknown, headers: Record<string, string> = {}): Fault => (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
  },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const calls: HostileCall[] = [];
  const armed = new Map<string, Fault[]>();
  const sockets = new Set<Socket>();
  const onSocketClose = new WeakMap<Socket, Array<() => void>>();
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      const lane = path.split('/')[1] ?? '';
      const socket = req.socket;
      const call: HostileCall = { lane, method: req.method ?? 'GET', path, headers: req.headers, body: undefined, closed: false, whenClosed: Promise.resolve() };
      call.whenClosed = new Promise<void>((resolve) => {
        const done = () => {
          call.closed = true;
          resolve();
        };
        if (socket.destroyed) return done();
        // One listener per socket, however many requests a kept-alive socket carries.
        let waiting = onSocketClose.get(socket);
        if (!waiting) {
          const list: Array<() => void> = [];
          onSocketClose.set(socket, (waiting = list));
          socket.once('close', () => list.forEach((fn) => fn()));
        }
        waiting.push(done);
      });
      calls.push(call);
      const text = await readBody(req);
      try {
        call.body = text ? JSON.parse(text) : undefined;
      } catch {
        call.body = text;
      }
      const fault = armed.get(lane)?.shift();
      if (fault) return fault(res, call.body);
      if (req.method === 'GET' && path.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'up-model', object: 'model', created: 1, owned_by: 'fake' }] }));
        return;
      }
      return healthy(res, call.body);
    })().catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    baseUrl: (lane) => `${origin}/${lane}`,
    calls,
    arm(lane, ...list) {
      armed.set(lane, [...(armed.get(lane) ?? []), ...list]);
    },
    openSockets: () => sockets.size,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every SSE `data:` payload of a body, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

export type { ServerResponse };
