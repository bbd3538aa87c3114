// The Anthropic adapter and the fake upstream agree: requests the adapter builds are
// answered, and the answers translate back into the canonical shapes.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { anthropicAdapter } from '../../src/providers/anthropic/index.js';
import { UpstreamError, type CallTarget, type ChatCompletion, type ChatRequest, type ResponseMeta, type SlotSettings } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { FAKE_SIGNATURE, FAKE_TEXT, FAKE_THINKING, startAnthropicUpstream } from './anthropic-upstream.js';
import { chatThrough, expectProbeFindsModels, hello, streamThrough, useFakeUpstream, weatherTool } from './fake-contract.js';

const META: ResponseMeta = { id: 'chatcmpl-e2e', created: 1_764_000_000, model: 'claude-sonnet-4-6' };
const fake = useFakeUpstream(startAnthropicUpstream);

function target(settings: Partial<SlotSettings> = {}, apiKey = 'good-key'): CallTarget {
  return callTarget('anthropic', 'claude-sonnet-4-6', { baseUrl: fake.baseUrl, apiKey: new Secret(apiKey), settings });
}

const complete = (chat: ChatRequest, slot: CallTarget = target()) => chatThrough(anthropicAdapter, chat, slot, META);
const stream = (chat: ChatRequest, slot: CallTarget = target()) => streamThrough(anthropicAdapter, chat, slot, META);

describe('anthropic adapter against the fake upstream', () => {
  it('completes a plain chat, sending the key and version headers', async () => {
    const result = (await complete(hello)) as ChatCompletion;
    expect(result.choices[0].message.content).toBe(FAKE_TEXT);
    expect(result.choices[0].finish_reason).toBe('stop');
    expect(result.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    const seen = fake.requests[fake.requests.length - 1];
    expect(seen).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(seen.headers['x-api-key']).toBe('good-key');
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('streams reasoning, text and usage in several reads', async () => {
    const { deltas, chunks, error, reads, steps } = await stream(hello, target({ reasoning: { level: 'medium', custom: null } }));
    expect(error).toBeUndefined();
    expect(reads).toBeGreaterThan(1);
    expect(steps.some((s) => s.done)).toBe(true);
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe(FAKE_THINKING);
    expect(deltas.flatMap((d) => d.thinking_blocks ?? [])).toEqual([{ type: 'thinking', thinking: FAKE_THINKING, signature: FAKE_SIGNATURE }]);
    expect(deltas.map((d) => d.content ?? '').join('')).toBe(FAKE_TEXT);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } });
  });

  it('streams a tool call in fragments, then answers the tool result turn with text', async () => {
    const first = await stream({ ...hello, tools: [weatherTool] });
    const calls = first.deltas.flatMap((d) => d.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(calls.length).toBeGreaterThan(2);
    const args = calls.map((c) => c.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(first.chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);

    const followUp: ChatRequest = {
      tools: [weatherTool],
      messages: [
        ...hello.messages,
        { role: 'assistant', content: null, tool_calls: [{ id: calls[0].id!, type: 'function', function: { name: 'get_weather', arguments: args } }] },
        { role: 'tool', tool_call_id: calls[0].id!, content: 'Sunny, 21°C' },
      ],
    };
    const second = (await complete(followUp)) as ChatCompletion;
    expect(second.choices[0].message.content).toBe(FAKE_TEXT);
  });

  it('answers {"ok":true} when JSON output is requested, schema or not', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
    const withSchema = (await complete({ ...hello, response_format: { type: 'json_schema', json_schema: { name: 'r', schema } } })) as ChatCompletion;
    expect(JSON.parse(withSchema.choices[0].message.content!)).toEqual({ ok: true });
    const jsonObject = (await complete({ ...hello, response_format: { type: 'json_object' } })) as ChatCompletion;
    expect(JSON.parse(jsonObject.choices[0].message.content!)).toEqual({ ok: true });
  });

  it('rejects bad-key with the documented 401, classified as auth', async () => {
    const result = await complete(hello, target({}, 'bad-key'));
    expect(result).toBeInstanceOf(UpstreamError);
    expect(result).toMatchObject({ kind: 'auth', status: 401, providerCode: 'authentication_error' });
  });

  it('passes an injected failure through, with its retry-after', async () => {
    fake.failNext(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { 'retry-after': '2' });
    expect(await complete(hello)).toMatchObject({ kind: 'server', status: 529, retryAfterMs: 2000 });
  });

  it('proves the key with the model list, which includes the requested models and fake-model', async () => {
    await expectProbeFindsModels(anthropicAdapter, target());
  });
});
