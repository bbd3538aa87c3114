// A local stand-in for Azure OpenAI: deployment-style and v1 chat completions (JSON and
// SSE, with Azure's prompt_filter_results chunk first) and the v1 model list. The
// `api-key` header `bad-key` (or none) gets Azure's 401 body. Azure returns no reasoning
// text of its own; when reasoning_effort is sent the fake adds `reasoning_content`
// (as OpenAI-compatible servers do) and counts reasoning_tokens, so the path is testable.
import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startFakeServer, type FakeUpstream } from './fake-server.js';

export type { FakeUpstream } from './fake-server.js';

const LISTED_MODELS = ['fake-model', 'gpt-4o', 'gpt-4.1', 'o4-mini'];
const THINKING = 'Thinking about it.';
const SAFE = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };

interface Plan {
  reasoning: boolean;
  tool: string | null;
  text: string;
  model: string;
}

const APIM = { 'apim-request-id': 'fake-apim-id' };

function json(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, APIM);
}

function usage(plan: Plan): Record<string, unknown> {
  return {
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: plan.reasoning ? 3 : 0 },
  };
}

function planAnswer(body: any, model: string): Plan {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const reasoning = typeof body?.reasoning_effort === 'string' && body.reasoning_effort !== 'none';
  const firstTool = body?.tools?.[0]?.function?.name;
  if (firstTool && body?.tool_choice !== 'none' && messages.at(-1)?.role !== 'tool') return { reasoning, tool: firstTool, text: '', model };
  const wantsJson = body?.response_format?.type === 'json_object' || body?.response_format?.type === 'json_schema';
  return { reasoning, tool: null, text: wantsJson ? '{"ok":true}' : 'Hello from azure', model };
}

function completion(plan: Plan): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.tool ? null : plan.text, refusal: null };
  if (plan.reasoning) message.reasoning_content = THINKING;
  if (plan.tool) message.tool_calls = [{ id: 'call_fake0001', type: 'function', function: { name: plan.tool, arguments: '{"city":"Paris"}' } }];
  return {
    id: 'chatcmpl-fakeazure',
    object: 'chat.completion',
    created: 1727000000,
    model: plan.model,
    system_fingerprint: 'fp_fake',
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: SAFE }],
    choices: [{ index: 0, message, finish_reason: plan.tool ? 'tool_calls' : 'stop', logprobs: null, content_filter_results: SAFE }],
    usage: usage(plan),
  };
}

function streamChunks(plan: Plan, includeUsage: boolean): unknown[] {
  const base = { id: 'chatcmpl-fakeazure', object: 'chat.completion.chunk', created: 1727000000, model: plan.model, system_fingerprint: 'fp_fake' };
  const choice = (delta: unknown, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null, content_filter_results: SAFE }] });
  const chunks: unknown[] = [
    // Azure's first chunk: no choices, only the prompt's filter verdict.
    { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: SAFE }] },
    choice({ role: 'assistant', content: '', refusal: null }),
  ];
  if (plan.reasoning) for (const part of ['Thinking ', 'about it.']) chunks.push(choice({ reasoning_content: part }));
  if (plan.tool) {
    chunks.push(choice({ tool_calls: [{ index: 0, id: 'call_fake0001', type: 'function', function: { name: plan.tool, arguments: '' } }] }));
    for (const part of ['{"ci', 'ty":"Pa', 'ris"}']) chunks.push(choice({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
  } else {
    for (const part of plan.text.match(/.{1,6}/g) ?? ['']) chunks.push(choice({ content: part }));
  }
  chunks.push(choice({}, plan.tool ? 'tool_calls' : 'stop'));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: usage(plan) });
  return chunks;
}

function writeStream(res: ServerResponse, plan: Plan, includeUsage: boolean): Promise<void> {
  const lines = streamChunks(plan, includeUsage).map((chunk) => `data: ${JSON.stringify(chunk)}`);
  return sendSse(res, lines, { headers: { 'content-type': 'text/event-stream; charset=utf-8', ...APIM }, gapMs: 5, end: 'data: [DONE]\n\n' });
}

export function startAzureUpstream(): Promise<FakeUpstream> {
  const seenModels = new Set<string>();
  return startFakeServer({
    internalError: (res, error) => json(res, 500, { error: { code: 'InternalServerError', message: String(error) } }),
    async handle({ req, res, url: rawUrl, body }) {
      const url = new URL(rawUrl, 'http://fake');
      const key = req.headers['api-key'];
      if (!key || key === 'bad-key') {
        return json(res, 401, {
          error: {
            code: '401',
            message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
          },
        });
      }
      if (req.method === 'GET' && url.pathname === '/openai/v1/models') {
        const ids = [...new Set([...LISTED_MODELS, ...seenModels])];
        return json(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', status: 'succeeded', capabilities: { chat_completion: true } })) });
      }
      const deployment = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
      const v1 = url.pathname === '/openai/v1/chat/completions';
      if (req.method !== 'POST' || (!deployment && !v1) || (deployment && !url.searchParams.get('api-version'))) {
        return json(res, 404, { error: { code: '404', message: 'Resource not found' } });
      }
      if (!body || typeof body !== 'object' || !Array.isArray(body.messages)) {
        return json(res, 400, { error: { code: 'BadRequest', message: "'messages' is a required property", param: 'messages', type: 'invalid_request_error' } });
      }
      const model = deployment ? decodeURIComponent(deployment[1]) : String(body.model ?? '');
      if (!model) return json(res, 400, { error: { code: 'BadRequest', message: 'model is required' } });
      seenModels.add(model);
      const plan = planAnswer(body, model);
      if (body.stream === true) return writeStream(res, plan, body.stream_options?.include_usage === true);
      json(res, 200, completion(plan));
    },
  });
}
