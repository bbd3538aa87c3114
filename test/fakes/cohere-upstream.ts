// A local stand-in for Cohere v2 Chat (JSON and typed SSE) and the model list, in the
// documented wire format. The Bearer key `bad-key` (or none) gets Cohere's 401.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUpstream {
  baseUrl: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: any }>;
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const LISTED_MODELS = ['fake-model', 'command-a-03-2025', 'command-a-reasoning-08-2025'];
const USAGE = { billed_units: { input_tokens: 10, output_tokens: 5 }, tokens: { input_tokens: 10, output_tokens: 5 } };
const THINKING = 'Thinking about it.';
const TOOL_PLAN = 'I will call the tool.';

type Failure = { status: number; body: unknown; headers: Record<string, string> };

interface Plan {
  thinking: boolean;
  tool: string | null;
  text: string;
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
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function planAnswer(body: any): Plan {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const thinking = body?.thinking?.type === 'enabled';
  const firstTool = body?.tools?.[0]?.function?.name;
  if (firstTool && messages.at(-1)?.role !== 'tool') return { thinking, tool: firstTool, text: '' };
  return { thinking, tool: null, text: body?.response_format ? '{"ok":true}' : 'Hello from cohere' };
}

function chatResponse(plan: Plan): unknown {
  const content: unknown[] = [];
  if (plan.thinking) content.push({ type: 'thinking', thinking: THINKING });
  if (!plan.tool) content.push({ type: 'text', text: plan.text });
  return {
    id: 'fake-cohere-generation',
    finish_reason: plan.tool ? 'TOOL_CALL' : 'COMPLETE',
    message: {
      role: 'assistant',
      content,
      ...(plan.tool
        ? { tool_plan: TOOL_PLAN, tool_calls: [{ id: 'fake_tool_call_1', type: 'function', function: { name: plan.tool, arguments: '{"city":"Paris"}' } }] }
        : {}),
    },
    usage: USAGE,
  };
}

function streamEvents(plan: Plan): unknown[] {
  const events: unknown[] = [
    { type: 'message-start', id: 'fake-cohere-generation', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } },
  ];
  let index = 0;
  if (plan.thinking) {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: 'thinking', thinking: '' } } } });
    for (const part of ['Thinking ', 'about it.']) events.push({ type: 'content-delta', index, delta: { message: { content: { thinking: part } } } });
    events.push({ type: 'content-end', index: index++ });
  }
  if (plan.tool) {
    events.push({ type: 'tool-plan-delta', delta: { message: { tool_plan: TOOL_PLAN } } });
    events.push({ type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'fake_tool_call_1', type: 'function', function: { name: plan.tool, arguments: '' } } } } });
    for (const part of ['{"ci', 'ty":"Pa', 'ris"}']) events.push({ type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: part } } } } });
    events.push({ type: 'tool-call-end', index: 0 });
  } else {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: 'text', text: '' } } } });
    for (const part of plan.text.match(/.{1,6}/g) ?? ['']) events.push({ type: 'content-delta', index, delta: { message: { content: { text: part } } } });
    events.push({ type: 'content-end', index });
  }
  events.push({ type: 'message-end', delta: { finish_reason: plan.tool ? 'TOOL_CALL' : 'COMPLETE', usage: USAGE } });
  return events;
}

async function writeStream(res: ServerResponse, plan: Plan): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of streamEvents(plan)) {
    if (res.destroyed) return;
    res.write(`event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  res.end();
}

export async function startCohereUpstream(): Promise<FakeUpstream> {
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
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

      const failure = failures.shift();
      if (failure) {
        res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
        res.end(typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body));
        return;
      }
      const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!key || key === 'bad-key') return json(res, 401, { id: 'fake-error', message: 'invalid api token' });

      const route = path.split('?')[0];
      if (req.method === 'GET' && route === '/v1/models') {
        const names = [...new Set([...LISTED_MODELS, ...seenModels])];
        return json(res, 200, { models: names.map((name) => ({ name, endpoints: ['chat'], finetuned: false, context_length: 128000 })), next_page_token: '' });
      }
      if (req.method !== 'POST' || route !== '/v2/chat') return json(res, 404, { message: `path ${route} not found` });
      if (!body || typeof body !== 'object' || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
        return json(res, 400, { id: 'fake-error', message: 'invalid request: model and messages are required' });
      }
      seenModels.add(body.model);
      const plan = planAnswer(body);
      if (body.stream === true) return writeStream(res, plan);
      json(res, 200, chatResponse(plan));
    })().catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { message: String(error) });
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
