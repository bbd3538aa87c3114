// A local OpenAI Chat Completions server for end-to-end tests: the documented wire
// (platform.openai.com/docs/api-reference/chat), deterministic answers, real SSE with
// small gaps between events. Reasoning comes back the way the compatible vendors send
// it (`reasoning_content`, as DeepSeek/Kimi/GLM do) when the request turns it on.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
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

export const FAKE_USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } as const;
export const FAKE_REASONING = 'Thinking about it.';
export const FAKE_TOOL_ARGUMENTS = '{"city":"Paris"}';
const DEFAULT_MODELS = ['fake-model', 'gpt-5.4', 'gpt-4.1', 'kimi-k2.6', 'glm-5.1', 'deepseek-chat'];

export type Scenario = { kind: 'tool'; toolName: string } | { kind: 'text'; text: string };

/** Tools and a last message that is not a tool result → call the first tool; JSON asked → {"ok":true}; else hello. */
export function scenarioFor(body: any, family: string): Scenario {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const tools: any[] = Array.isArray(body?.tools) ? body.tools : [];
  if (tools.length > 0 && messages[messages.length - 1]?.role !== 'tool') return { kind: 'tool', toolName: String(tools[0]?.function?.name ?? 'tool') };
  const format = body?.response_format?.type;
  if (format === 'json_object' || format === 'json_schema') return { kind: 'text', text: '{"ok":true}' };
  return { kind: 'text', text: `Hello from ${family}` };
}

/** Splits text into a few small pieces so a stream has several events. */
export function pieces(text: string, size = 6): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Writes SSE lines with a short pause between them, so clients see real chunking. */
export async function sendSse(res: ServerResponse, lines: string[], gapMs = 2): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const line of lines) {
    if (res.destroyed) return;
    res.write(`${line}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  res.end();
}

export interface FakeServerOptions {
  /** Handles one request after auth and failNext; returns false when the path is unknown. */
  route(req: IncomingMessage, res: ServerResponse, path: string, body: any, models: Set<string>): Promise<boolean>;
  /** The family's 401 body for the key `bad-key`. */
  unauthorized: unknown;
}

/** The server shell shared by the family fakes: recording, failNext, bad-key, model bookkeeping. */
export async function startFakeServer(options: FakeServerOptions): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; body: unknown; headers: Record<string, string> }> = [];
  const models = new Set(DEFAULT_MODELS);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      const text = await readBody(req);
      let body: any;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      if (typeof body?.model === 'string') models.add(body.model);
      const failure = failures.shift();
      if (failure) return sendJson(res, failure.status, failure.body, failure.headers);
      if (req.headers.authorization === 'Bearer bad-key') return sendJson(res, 401, options.unauthorized);
      if (!(await options.route(req, res, path, body, models))) sendJson(res, 404, { error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error', code: 'not_found' } });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error' } });
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
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function reasoningRequested(body: any): boolean {
  if (typeof body?.reasoning_effort === 'string') return body.reasoning_effort !== 'none';
  return body?.thinking?.type === 'enabled' || body?.enable_thinking === true;
}

function completion(body: any, scenario: Scenario, reasoning: boolean): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: scenario.kind === 'text' ? scenario.text : null };
  if (reasoning) message.reasoning_content = FAKE_REASONING;
  if (scenario.kind === 'tool') {
    message.tool_calls = [{ id: 'call_fake_1', type: 'function', function: { name: scenario.toolName, arguments: FAKE_TOOL_ARGUMENTS } }];
  }
  return {
    id: `chatcmpl-fake-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: scenario.kind === 'tool' ? 'tool_calls' : 'stop' }],
    usage: { ...FAKE_USAGE },
  };
}

function streamLines(body: any, scenario: Scenario, reasoning: boolean): string[] {
  const base = { id: `chatcmpl-fake-${randomUUID()}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model };
  const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}`;
  const lines = [chunk({ role: 'assistant', content: '' })];
  if (reasoning) for (const part of pieces(FAKE_REASONING, 9)) lines.push(chunk({ reasoning_content: part }));
  if (scenario.kind === 'tool') {
    lines.push(chunk({ tool_calls: [{ index: 0, id: 'call_fake_1', type: 'function', function: { name: scenario.toolName, arguments: '' } }] }));
    for (const part of pieces(FAKE_TOOL_ARGUMENTS, 5)) lines.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
    lines.push(chunk({}, 'tool_calls'));
  } else {
    for (const part of pieces(scenario.text)) lines.push(chunk({ content: part }));
    lines.push(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage) lines.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { ...FAKE_USAGE } })}`);
  lines.push('data: [DONE]');
  return lines;
}

export function startOpenAiUpstream(): Promise<FakeUpstream> {
  return startFakeServer({
    unauthorized: { error: { message: 'Incorrect API key provided: bad-key.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    async route(req, res, path, body, models) {
      if (req.method === 'GET' && path.endsWith('/models')) {
        sendJson(res, 200, { object: 'list', data: [...models].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) });
        return true;
      }
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) return false;
      const scenario = scenarioFor(body, 'openai');
      const reasoning = reasoningRequested(body);
      if (body?.stream) await sendSse(res, streamLines(body, scenario, reasoning));
      else sendJson(res, 200, completion(body, scenario, reasoning));
      return true;
    },
  });
}
