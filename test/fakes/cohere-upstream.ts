// A local stand-in for Cohere v2 Chat (JSON and typed SSE) and the model list, in the
// documented wire format. The Bearer key `bad-key` (or none) gets Cohere's 401.
import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startFakeServer, type FakeUpstream } from './fake-server.js';

export type { FakeUpstream } from './fake-server.js';

const LISTED_MODELS = ['fake-model', 'command-a-03-2025', 'command-a-reasoning-08-2025'];
const USAGE = { billed_units: { input_tokens: 10, output_tokens: 5 }, tokens: { input_tokens: 10, output_tokens: 5 } };
const THINKING = 'Thinking about it.';
const TOOL_PLAN = 'I will call the tool.';

interface Plan {
  thinking: boolean;
  tool: string | null;
  text: string;
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

function writeStream(res: ServerResponse, plan: Plan): Promise<void> {
  const lines = streamEvents(plan).map((event) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}`);
  return sendSse(res, lines, { gapMs: 5 });
}

export function startCohereUpstream(): Promise<FakeUpstream> {
  const seenModels = new Set<string>();
  return startFakeServer({
    internalError: (res, error) => sendJson(res, 500, { message: String(error) }),
    async handle({ req, res, path: route, body }) {
      const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!key || key === 'bad-key') return sendJson(res, 401, { id: 'fake-error', message: 'invalid api token' });

      if (req.method === 'GET' && route === '/v1/models') {
        const names = [...new Set([...LISTED_MODELS, ...seenModels])];
        return sendJson(res, 200, { models: names.map((name) => ({ name, endpoints: ['chat'], finetuned: false, context_length: 128000 })), next_page_token: '' });
      }
      if (req.method !== 'POST' || route !== '/v2/chat') return sendJson(res, 404, { message: `path ${route} not found` });
      if (!body || typeof body !== 'object' || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
        return sendJson(res, 400, { id: 'fake-error', message: 'invalid request: model and messages are required' });
      }
      seenModels.add(body.model);
      const plan = planAnswer(body);
      if (body.stream === true) return writeStream(res, plan);
      sendJson(res, 200, chatResponse(plan));
    },
  });
}
