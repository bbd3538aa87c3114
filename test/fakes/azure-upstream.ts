// A local stand-in for Azure OpenAI: deployment-style and v1 chat completions (JSON and
// SSE, with Azure's prompt_filter_results chunk first) and the v1 model list. The
// `api-key` header `bad-key` (or none) gets Azure's 401 body. Azure returns no reasoning
// text of its own; when reasoning_effort is sent the fake adds `reasoning_content`
// (as OpenAI-compatible servers do) and counts reasoning_tokens, so the path is testable.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUpstream {
  baseUrl: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: any }>;
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const LISTED_MODELS = ['fake-model', 'gpt-4o', 'gpt-4.1', 'o4-mini'];
const THINKING = 'Thinking about it.';
const SAFE = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };

type Failure = { status: number; body: unknown; headers: Record<string, string> };

interface Plan {
  reasoning: boolean;
  tool: string | null;
  text: string;
  model: string;
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
  res.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': 'fake-apim-id' });
  res.end(JSON.stringify(body));
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

async function writeStream(res: ServerResponse, plan: Plan, includeUsage: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'apim-request-id': 'fake-apim-id' });
  for (const chunk of streamChunks(plan, includeUsage)) {
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  res.end('data: [DONE]\n\n');
}

export async function startAzureUpstream(): Promise<FakeUpstream> {
  const requests: FakeUpstream['requests'] = [];
  const failures: Failure[] = [];
  const seenModels = new Set<string>();

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: any = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // kept as text
      }
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });

      const failure = failures.shift();
      if (failure) {
        res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
        res.end(typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body));
        return;
      }
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
    })().catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { code: 'InternalServerError', message: String(error) } });
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
