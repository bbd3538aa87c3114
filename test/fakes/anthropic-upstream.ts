// A local stand-in for the Anthropic Messages API (docs.claude.com/en/api/messages,
// /en/docs/build-with-claude/streaming, /en/api/models-list), for end-to-end tests.
// Deterministic: a tool call when tools are offered and the last turn is not a tool
// result, `{"ok":true}` when JSON output is asked for, otherwise "Hello from anthropic";
// a signed thinking block whenever thinking is on. Usage is always 10 in, 5 out.
import type { ServerResponse } from 'node:http';
import { requestedModels, sendJson, sendSse, startFakeServer, type FakeCall, type FakeUpstream } from './fake-server.js';

export type { FakeUpstream } from './fake-server.js';

export const FAKE_THINKING = 'Thinking about it.';
export const FAKE_SIGNATURE = 'fake-signature-EqQBCgIYAhIM';
export const FAKE_TEXT = 'Hello from anthropic';
const BASE_MODELS = ['fake-model', 'claude-sonnet-4-6', 'claude-opus-4-7', 'claude-haiku-4-5'];
const USAGE = { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 };
const EVENT_GAP_MS = 2;
/** On every JSON answer, failNext's included. */
const REQUEST_ID = { 'request-id': 'req_fake' };

type Block =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

interface Answer {
  blocks: Block[];
  stopReason: 'end_turn' | 'tool_use';
}

export function startAnthropicUpstream(): Promise<FakeUpstream> {
  let messageCount = 0;

  async function handle({ req, res, path: route, body, requests }: FakeCall): Promise<void> {
    const key = req.headers['x-api-key'];
    if (!key || key === 'bad-key') return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');

    if (req.method === 'GET' && route === '/v1/models') return sendModels(res, [...new Set([...BASE_MODELS, ...requestedModels(requests)])]);
    if (req.method === 'POST' && route === '/v1/messages') {
      if (!body || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages)) {
        return sendError(res, 400, 'invalid_request_error', 'max_tokens and messages are required');
      }
      messageCount += 1;
      const id = `msg_fake_${String(messageCount).padStart(4, '0')}`;
      const answer = answerFor(body, id);
      if (body.stream === true) return streamAnswer(res, id, body.model, answer);
      return send(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: answer.blocks,
        stop_reason: answer.stopReason,
        stop_sequence: null,
        usage: USAGE,
      });
    }
    return sendError(res, 404, 'not_found_error', `${req.method} ${route} not found`);
  }

  // No internalError: a request the fake cannot handle drops the connection.
  return startFakeServer({ handle, failureHeaders: REQUEST_ID });
}

function answerFor(body: any, id: string): Answer {
  const blocks: Block[] = [];
  const thinkingType = body.thinking?.type;
  if (thinkingType === 'adaptive' || thinkingType === 'enabled') {
    blocks.push({ type: 'thinking', thinking: FAKE_THINKING, signature: FAKE_SIGNATURE });
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.length > 0 && !lastTurnIsToolResult(body.messages)) {
    blocks.push({ type: 'tool_use', id: `toolu_${id.slice(4)}`, name: String(tools[0].name), input: { city: 'Paris' } });
    return { blocks, stopReason: 'tool_use' };
  }
  blocks.push({ type: 'text', text: wantsJson(body) ? '{"ok":true}' : FAKE_TEXT });
  return { blocks, stopReason: 'end_turn' };
}

function lastTurnIsToolResult(messages: any[]): boolean {
  const last = messages[messages.length - 1];
  return Array.isArray(last?.content) && last.content.some((block: any) => block?.type === 'tool_result');
}

/** Structured outputs (`output_config.format`), or a system prompt that asks for JSON. */
function wantsJson(body: any): boolean {
  if (body.output_config?.format) return true;
  const system = typeof body.system === 'string' ? body.system : Array.isArray(body.system) ? body.system.map((b: any) => b?.text ?? '').join(' ') : '';
  return /\bJSON\b/.test(system);
}

function streamAnswer(res: ServerResponse, id: string, model: string, answer: Answer): Promise<void> {
  const events: Array<Record<string, unknown>> = [
    {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...USAGE, output_tokens: 1 } },
    },
    { type: 'ping' },
  ];
  answer.blocks.forEach((block, index) => events.push(...blockEvents(block, index)));
  events.push(
    { type: 'message_delta', delta: { stop_reason: answer.stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } },
    { type: 'message_stop' },
  );
  return sendSse(
    res,
    events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}`),
    { gapMs: EVENT_GAP_MS },
  );
}

function blockEvents(block: Block, index: number): Array<Record<string, unknown>> {
  const delta = (d: Record<string, unknown>) => ({ type: 'content_block_delta', index, delta: d });
  const stop = { type: 'content_block_stop', index };
  if (block.type === 'thinking') {
    return [
      { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } },
      ...pieces(block.thinking, 3).map((thinking) => delta({ type: 'thinking_delta', thinking })),
      delta({ type: 'signature_delta', signature: block.signature }),
      stop,
    ];
  }
  if (block.type === 'tool_use') {
    return [
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } },
      delta({ type: 'input_json_delta', partial_json: '' }),
      ...pieces(JSON.stringify(block.input), 3).map((partial_json) => delta({ type: 'input_json_delta', partial_json })),
      stop,
    ];
  }
  return [
    { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    ...pieces(block.text, 3).map((text) => delta({ type: 'text_delta', text })),
    stop,
  ];
}

/** Splits text into `count` roughly equal, non-empty pieces. */
function pieces(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sendModels(res: ServerResponse, ids: string[]): void {
  const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }));
  send(res, 200, { data, has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null });
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { type: 'error', error: { type, message }, request_id: 'req_fake' });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, REQUEST_ID);
}
