// An upstream that answers with the fingerprint of the key it received, in the OpenAI
// (Authorization: Bearer) and the Anthropic (x-api-key) wire formats, and records the
// key of every request: proof of which org's key each call carried. Keys starting with
// `reject-` get a 401 whose message quotes the whole key, as some providers do; a
// request whose last message says `echo-400` gets a 400 quoting the Authorization header.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { keyFingerprint } from '../../src/keys/hints.js';

export interface EchoUpstream {
  baseUrl: string;
  /** The key each request carried, in arrival order. */
  keys: string[];
  close(): Promise<void>;
}

/** What the echo upstream answers for a key. */
export function echoText(key: string): string {
  return `key ${keyFingerprint(key)}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function lastText(body: any): string {
  const last = Array.isArray(body?.messages) ? body.messages[body.messages.length - 1] : null;
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
}

async function answerOpenAi(res: ServerResponse, body: any, text: string): Promise<void> {
  if (body?.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: unknown, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    // Split, with a pause, so parallel streams interleave.
    res.write(chunk({ content: text.slice(0, 6) }, null));
    await new Promise((resolve) => setTimeout(resolve, 5));
    res.write(chunk({ content: text.slice(6) }, null));
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
    return;
  }
  json(res, 200, {
    id: 'chatcmpl-echo',
    object: 'chat.completion',
    created: 1,
    model: body?.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

async function answerAnthropic(res: ServerResponse, body: any, text: string): Promise<void> {
  const usage = { input_tokens: 1, output_tokens: 1 };
  if (body?.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    res.write(event('message_start', { type: 'message_start', message: { id: 'msg_echo', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, usage } }));
    res.write(event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    res.write(event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(0, 6) } }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    res.write(event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(6) } }));
    res.write(event('content_block_stop', { type: 'content_block_stop', index: 0 }));
    res.write(event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }));
    res.end(event('message_stop', { type: 'message_stop' }));
    return;
  }
  json(res, 200, {
    id: 'msg_echo',
    type: 'message',
    role: 'assistant',
    model: body?.model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  });
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const keys: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const anthropic = typeof req.headers['x-api-key'] === 'string';
      const authorization = req.headers.authorization ?? '';
      const key = anthropic ? String(req.headers['x-api-key']) : authorization.replace(/^Bearer /, '');
      keys.push(key);
      if (key.startsWith('reject-')) {
        const message = `Incorrect API key provided: ${key}. You can find your API key at https://example.invalid/keys.`;
        return json(res, 401, anthropic ? { type: 'error', error: { type: 'authentication_error', message } } : { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      if (lastText(body).includes('echo-400')) {
        const message = `Bad request sent with headers authorization=${authorization} x-api-key=${req.headers['x-api-key'] ?? ''}`;
        return json(res, 400, anthropic ? { type: 'error', error: { type: 'invalid_request_error', message } } : { error: { message, type: 'invalid_request_error', code: null } });
      }
      if (lastText(body).includes('echo-500')) {
        return json(res, 500, { error: { message: `internal failure while serving key ${key}`, type: 'server_error' } });
      }
      const text = echoText(key);
      if (req.method === 'GET') return json(res, 200, { object: 'list', data: [{ id: 'echo-model', object: 'model', created: 1, owned_by: 'echo' }] });
      return anthropic ? answerAnthropic(res, body, text) : answerOpenAi(res, body, text);
    })().catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    keys,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
