// A local OpenRouter server for end-to-end tests: OpenAI chat wire plus OpenRouter's
// conventions (openrouter.ai/docs/api-reference): `: OPENROUTER PROCESSING` comments in
// streams, reasoning as `reasoning` + `reasoning_details` (with a signature) when the
// request's `reasoning` block enables it, usage always reported, `GET /key`.
import { randomUUID } from 'node:crypto';
import { sendJson, type FakeUpstream } from './fake-server.js';
import { answerLines, FAKE_REASONING, FAKE_TOOL_ARGUMENTS, FAKE_USAGE, pieces, startOpenAiCompatibleServer, type Scenario } from './openai-upstream.js';

export type { FakeUpstream } from './fake-server.js';

export const FAKE_SIGNATURE = 'fake-signature-123';
const FORMAT = 'anthropic-claude-v1';

function reasoningRequested(body: any): boolean {
  const reasoning = body?.reasoning;
  if (reasoning && typeof reasoning === 'object') return reasoning.enabled !== false && reasoning.effort !== 'none' && reasoning.exclude !== true;
  return typeof body?.reasoning_effort === 'string' && body.reasoning_effort !== 'none';
}

function completion(body: any, scenario: Scenario, reasoning: boolean): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: scenario.kind === 'text' ? scenario.text : null, refusal: null };
  if (reasoning) {
    message.reasoning = FAKE_REASONING;
    message.reasoning_details = [{ type: 'reasoning.text', text: FAKE_REASONING, signature: FAKE_SIGNATURE, format: FORMAT, index: 0 }];
  }
  if (scenario.kind === 'tool') {
    message.tool_calls = [{ id: 'call_fake_1', index: 0, type: 'function', function: { name: scenario.toolName, arguments: FAKE_TOOL_ARGUMENTS } }];
  }
  return {
    id: `gen-${randomUUID()}`,
    provider: 'Fake',
    model: body.model,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    choices: [{ index: 0, logprobs: null, finish_reason: scenario.kind === 'tool' ? 'tool_calls' : 'stop', native_finish_reason: 'stop', message }],
    usage: { ...FAKE_USAGE, cost: 0.0001 },
  };
}

function streamLines(body: any, scenario: Scenario, reasoning: boolean): string[] {
  const base = { id: `gen-${randomUUID()}`, provider: 'Fake', model: body.model, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000) };
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: finish, logprobs: null }] })}`;
  const lines = [': OPENROUTER PROCESSING', chunk({ role: 'assistant', content: '' })];
  if (reasoning) {
    for (const part of pieces(FAKE_REASONING, 9)) {
      lines.push(chunk({ role: 'assistant', content: '', reasoning: part, reasoning_details: [{ type: 'reasoning.text', text: part, format: FORMAT, index: 0 }] }));
    }
    lines.push(chunk({ role: 'assistant', content: '', reasoning: '', reasoning_details: [{ type: 'reasoning.text', signature: FAKE_SIGNATURE, format: FORMAT, index: 0 }] }));
  }
  lines.push(...answerLines(scenario, chunk, [': OPENROUTER PROCESSING']));
  // OpenRouter reports usage in every stream's last event, asked or not.
  lines.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { ...FAKE_USAGE, cost: 0.0001 } })}`);
  lines.push('data: [DONE]');
  return lines;
}

export function startOpenRouterUpstream(): Promise<FakeUpstream> {
  return startOpenAiCompatibleServer({
    family: 'openrouter',
    unauthorized: { error: { message: 'No auth credentials found', code: 401 } },
    modelList: (ids) => ({ data: ids.map((id) => ({ id, name: id, context_length: 128_000 })) }),
    reasoningRequested,
    completion,
    streamLines,
    otherRoute({ req, res, path }) {
      if (req.method !== 'GET' || !path.endsWith('/key')) return false;
      sendJson(res, 200, { data: { label: 'sk-or-v1-fak...key', limit: null, limit_remaining: null, usage: 0, is_free_tier: false, is_provisioning_key: false } });
      return true;
    },
  });
}
