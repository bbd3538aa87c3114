import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { cohereAdapter } from '../../src/providers/cohere/index.js';
import type { CallTarget, ChatRequest } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { startCohereUpstream } from './cohere-upstream.js';
import { chatThroughOrThrow, expectProbeFindsModels, hello, streamThrough, toolResultTurn, useFakeUpstream, weatherTools } from './fake-contract.js';

const META = { id: 'chatcmpl-fake', created: 1, model: 'command-a-03-2025' };
const upstream = useFakeUpstream(startCohereUpstream);

function target(model = META.model, key = 'good-key', reasoning: 'off' | 'medium' = 'off'): CallTarget {
  return callTarget('cohere', model, { baseUrl: upstream.baseUrl, apiKey: new Secret(key), settings: { reasoning: { level: reasoning, custom: null } } });
}

const complete = (chat: ChatRequest, t = target()) => chatThroughOrThrow(cohereAdapter, chat, t, META);
const stream = (chat: ChatRequest, t = target()) => streamThrough(cohereAdapter, chat, t, META);

describe('Cohere adapter against the fake upstream', () => {
  it('answers with text and usage', async () => {
    const completion = await complete(hello);
    expect(completion.choices[0].message.content).toBe('Hello from cohere');
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('streams in several reads, ending with finish_reason and usage', async () => {
    const { chunks, reads, error } = await stream(hello);
    expect(error).toBeUndefined();
    expect(reads).toBeGreaterThan(1);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from cohere');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
  });

  it('calls the first tool (fragments in the stream) with the tool plan kept', async () => {
    const { chunks } = await stream({ ...hello, tools: weatherTools });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'fake_tool_call_1', function: { name: 'get_weather' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    expect(chunks.map((c) => c.choices[0]?.delta.tool_plan ?? '').join('')).toBe('I will call the tool.');
    const completion = await complete({ ...hello, tools: weatherTools });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_plan: 'I will call the tool.' } });
  });

  it('answers a tool result with text and JSON when asked', async () => {
    expect((await complete(toolResultTurn('fake_tool_call_1'))).choices[0].message.content).toBe('Hello from cohere');
    expect((await complete({ ...hello, response_format: { type: 'json_object' } })).choices[0].message.content).toBe('{"ok":true}');
  });

  it('returns reasoning when thinking is on', async () => {
    const t = target('command-a-reasoning-08-2025', 'good-key', 'medium');
    expect((await complete(hello, t)).choices[0].message.reasoning_content).toBe('Thinking about it.');
    const { chunks } = await stream(hello, t);
    expect(chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('')).toBe('Thinking about it.');
  });

  it('rejects the bad key with 401, classified as auth', async () => {
    await expect(complete(hello, target(META.model, 'bad-key'))).rejects.toMatchObject({ kind: 'auth', status: 401 });
  });

  it('answers failNext once', async () => {
    upstream.failNext(429, { message: 'You are using a Trial key, which is limited to 20 API calls / minute.' }, { 'retry-after': '1' });
    await expect(complete(hello)).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
    expect((await complete(hello)).choices[0].message.content).toBe('Hello from cohere');
  });

  it('serves the probe', async () => {
    await expectProbeFindsModels(cohereAdapter, target());
  });
});
