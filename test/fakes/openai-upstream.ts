// A local OpenAI Chat Completions server for end-to-end tests: the documented wire
// (platform.openai.com/docs/api-reference/chat), deterministic answers, real SSE with
// small gaps between events. Reasoning comes back the way the compatible vendors send
// it (`reasoning_content`, as DeepSeek/Kimi/GLM do) when the request turns it on.
import { randomUUID } from 'node:crypto';
import { requestedModels, sendJson, sendSse, SSE_HEADERS, startFakeServer, type FakeCall, type FakeUpstream } from './fake-server.js';

export type { FakeUpstream, RecordedRequest } from './fake-server.js';

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

const OPENAI_SSE_HEADERS = { ...SSE_HEADERS, connection: 'keep-alive' };

/** What a fake speaking the OpenAI chat wire answers with. */
export interface OpenAiCompatibleOptions {
  /** Named in the plain answer: "Hello from <family>". */
  family: string;
  /** The 401 body for the key `bad-key`. */
  unauthorized: unknown;
  /** The body of GET …/models, given the default models and every model requested so far. */
  modelList(ids: string[]): unknown;
  reasoningRequested(body: any): boolean;
  completion(body: any, scenario: Scenario, reasoning: boolean): unknown;
  /** The SSE events (without the blank line after each). */
  streamLines(body: any, scenario: Scenario, reasoning: boolean): string[];
  /** Answers the family's other routes; true when it did. */
  otherRoute?(call: FakeCall): boolean;
}

/** The server the OpenAI-wire fakes share: bad-key, the model list, chat completions, the 404 and 500 bodies. */
export function startOpenAiCompatibleServer(options: OpenAiCompatibleOptions): Promise<FakeUpstream> {
  return startFakeServer({
    recordQuery: false,
    internalError: (res, error) => sendJson(res, 500, { error: { message: String(error), type: 'server_error' } }),
    async handle(call) {
      const { req, res, path, body } = call;
      if (req.headers.authorization === 'Bearer bad-key') return sendJson(res, 401, options.unauthorized);
      if (options.otherRoute?.(call)) return;
      if (req.method === 'GET' && path.endsWith('/models')) {
        return sendJson(res, 200, options.modelList([...new Set([...DEFAULT_MODELS, ...requestedModels(call.requests)])]));
      }
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        return sendJson(res, 404, { error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error', code: 'not_found' } });
      }
      const scenario = scenarioFor(body, options.family);
      const reasoning = options.reasoningRequested(body);
      if (body?.stream) await sendSse(res, options.streamLines(body, scenario, reasoning), { headers: OPENAI_SSE_HEADERS });
      else sendJson(res, 200, options.completion(body, scenario, reasoning));
    },
  });
}

/**
 * The answer's stream events, built with the family's `chunk`: the tool call then its
 * arguments in fragments, or the text in pieces (then `beforeTextFinish`); the finish last.
 */
export function answerLines(scenario: Scenario, chunk: (delta: unknown, finish?: string) => string, beforeTextFinish: string[] = []): string[] {
  if (scenario.kind === 'tool') {
    return [
      chunk({ tool_calls: [{ index: 0, id: 'call_fake_1', type: 'function', function: { name: scenario.toolName, arguments: '' } }] }),
      ...pieces(FAKE_TOOL_ARGUMENTS, 5).map((part) => chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] })),
      chunk({}, 'tool_calls'),
    ];
  }
  return [...pieces(scenario.text).map((part) => chunk({ content: part })), ...beforeTextFinish, chunk({}, 'stop')];
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
  lines.push(...answerLines(scenario, chunk));
  if (body.stream_options?.include_usage) lines.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { ...FAKE_USAGE } })}`);
  lines.push('data: [DONE]');
  return lines;
}

export function startOpenAiUpstream(): Promise<FakeUpstream> {
  return startOpenAiCompatibleServer({
    family: 'openai',
    unauthorized: { error: { message: 'Incorrect API key provided: bad-key.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    modelList: (ids) => ({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) }),
    reasoningRequested,
    completion,
    streamLines,
  });
}
