// The benchmark's upstream: answers OpenAI-format chat (`…/chat/completions`) and
// Anthropic-format messages (`…/v1/messages`) as fast as Node can, from bodies built
// once at start. A body containing `"stream":true` gets a 20-chunk SSE stream written
// in one go; anything else gets a small JSON answer.
//
// The first path segment picks a behaviour, so one process serves every scenario:
//   /openai/…, /anthropic/…, /fallback/…  always answer
//   /hold/…     streams: the first chunk only, the rest after POST /_release (open-stream RSS)
//   /flaky/…    every FAIL_EVERY-th call fails (503, 429 or an error event at the head
//               of the stream, in turn): the soak's injected failovers
// GET /_stats reports the calls per behaviour; POST /_reset zeroes them.
//
// Run as a child process of bench/run.ts: it reports its port over IPC.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STREAM_CHUNKS = 20;
const FAIL_EVERY = Number(process.env.BENCH_FAIL_EVERY ?? 20);
const CREATED = 1_767_225_600;
const WORDS = 'Hello there, this is the benchmark upstream answering with twenty small chunks of text so the gateway has work'.split(' ');

// ------------------------------------------------------------------ OpenAI format

const OPENAI_JSON = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: 'gpt-4.1-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! This is a small benchmark answer.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 24, completion_tokens: 9, total_tokens: 33 },
    system_fingerprint: 'fp_bench',
  }),
);

function openAiChunk(delta: Record<string, unknown>, finishReason: string | null): string {
  const chunk = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'gpt-4.1-mini', system_fingerprint: 'fp_bench', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** 19 content chunks (the first carries the role), a finish chunk, the usage chunk, [DONE]. */
const OPENAI_SSE: Buffer[] = [
  ...Array.from({ length: STREAM_CHUNKS - 1 }, (_, i) => openAiChunk(i === 0 ? { role: 'assistant', content: `${WORDS[i]} ` } : { content: `${WORDS[i]} ` }, null)),
  openAiChunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'gpt-4.1-mini', choices: [], usage: { prompt_tokens: 24, completion_tokens: 19, total_tokens: 43 } })}\n\n`,
  'data: [DONE]\n\n',
].map((s) => Buffer.from(s));

// ------------------------------------------------------------------ Anthropic format

const ANTHROPIC_JSON = Buffer.from(
  JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [{ type: 'text', text: 'Hello! This is a small benchmark answer.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 24, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  }),
);

function anthropicEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Translates to 19 content chunks, a finish chunk and a usage chunk: the same 20 chunks as the OpenAI stream. */
const ANTHROPIC_SSE: Buffer[] = [
  anthropicEvent('message_start', {
    message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 24, output_tokens: 1 } },
  }),
  anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ...Array.from({ length: STREAM_CHUNKS - 1 }, (_, i) => anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `${WORDS[i]} ` } })),
  anthropicEvent('content_block_stop', { index: 0 }),
  anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 19 } }),
  anthropicEvent('message_stop', {}),
].map((s) => Buffer.from(s));

// ------------------------------------------------------------------ failures (soak)

const OPENAI_503 = Buffer.from(JSON.stringify({ error: { message: 'The server is overloaded (injected by the benchmark).', type: 'server_error', code: null, param: null } }));
const OPENAI_429 = Buffer.from(JSON.stringify({ error: { message: 'Rate limit reached (injected by the benchmark).', type: 'requests', code: 'rate_limit_exceeded', param: null } }));
const OPENAI_SSE_ERROR = Buffer.from(`data: ${JSON.stringify({ error: { message: 'The server had an error (injected by the benchmark).', type: 'server_error', code: null } })}\n\n`);

// ------------------------------------------------------------------ server

const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
const STREAM_MARK = Buffer.from('"stream":true');

const calls: Record<string, number> = {};
const injected = { status503: 0, status429: 0, streamError: 0 };
let flakyCount = 0;
/** Held streams and where each resumes. */
const held = new Map<ServerResponse, { events: Buffer[]; from: number }>();

function writeStream(res: ServerResponse, events: Buffer[], from = 0): void {
  for (let i = from; i < events.length; i++) res.write(events[i]);
  res.end();
}

/** Every FAIL_EVERY-th flaky call fails, cycling through the three ways a provider fails. */
function injectFailure(res: ServerResponse, stream: boolean): boolean {
  if (++flakyCount % FAIL_EVERY !== 0) return false;
  const kind = (flakyCount / FAIL_EVERY) % 3;
  if (kind === 0 && stream) {
    injected.streamError++;
    res.writeHead(200, SSE_HEADERS);
    res.end(OPENAI_SSE_ERROR);
  } else if (kind === 1) {
    injected.status429++;
    res.writeHead(429, { ...JSON_HEADERS, 'retry-after': '1' });
    res.end(OPENAI_429);
  } else {
    injected.status503++;
    res.writeHead(503, JSON_HEADERS);
    res.end(OPENAI_503);
  }
  return true;
}

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const url = req.url ?? '/';
  const second = url.indexOf('/', 1);
  const behaviour = second > 0 ? url.slice(1, second) : url.slice(1);
  calls[behaviour] = (calls[behaviour] ?? 0) + 1;
  const anthropic = url.endsWith('/v1/messages');
  const stream = body.includes(STREAM_MARK);

  if (behaviour === 'flaky' && injectFailure(res, stream)) return;
  if (!stream) {
    res.writeHead(200, JSON_HEADERS);
    res.end(anthropic ? ANTHROPIC_JSON : OPENAI_JSON);
    return;
  }
  const events = anthropic ? ANTHROPIC_SSE : OPENAI_SSE;
  res.writeHead(200, SSE_HEADERS);
  if (behaviour !== 'hold') return writeStream(res, events);
  // Open-stream RSS: everything up to the first content chunk now, the rest on release.
  const head = anthropic ? 3 : 1;
  for (let i = 0; i < head; i++) res.write(events[i]);
  held.set(res, { events, from: head });
  res.once('close', () => held.delete(res));
}

function control(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url === '/_stats') {
    res.writeHead(200, JSON_HEADERS);
    res.end(JSON.stringify({ calls, injected, held: held.size }));
    return true;
  }
  if (req.url === '/_release') {
    const count = held.size;
    for (const [stream, { events, from }] of held) writeStream(stream, events, from);
    held.clear();
    res.writeHead(200, JSON_HEADERS);
    res.end(JSON.stringify({ released: count }));
    return true;
  }
  if (req.url === '/_reset') {
    for (const key of Object.keys(calls)) delete calls[key];
    injected.status503 = injected.status429 = injected.streamError = 0;
    flakyCount = 0;
    res.writeHead(204);
    res.end();
    return true;
  }
  return false;
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.url?.startsWith('/_') && control(req, res)) return;
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => answer(req, res, parts.length === 1 ? parts[0] : Buffer.concat(parts)));
});
server.maxHeadersCount = 64;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  if (process.send) process.send({ ready: true, port });
  else process.stdout.write(`benchmark upstream on http://127.0.0.1:${port}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
