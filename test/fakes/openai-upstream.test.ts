// The openai adapter and the fake upstream agree: requests the adapter builds are
// answered by the fake, and the adapter reads the answers back, plain and streamed.
import { beforeAll, describe, expect, it } from 'vitest';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import { assemble, complete, streamChat } from '../../src/providers/openai/test-support.js';
import { UpstreamError, type CallTarget, type ChatCompletion } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { Secret } from '../../src/keys/secret.js';
import { expectProbeFindsModels, useFakeUpstream, weatherTool } from './fake-contract.js';
import { FAKE_REASONING, startOpenAiUpstream } from './openai-upstream.js';

describe('openai adapter against the fake upstream', () => {
  const fake = useFakeUpstream(startOpenAiUpstream);
  let target: CallTarget;
  beforeAll(() => {
    target = callTarget('openai', 'gpt-5.4', { baseUrl: fake.baseUrl, settings: { reasoning: { level: 'off', custom: null } } });
  });

  it('answers a plain call', async () => {
    const result = (await complete(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, target)) as ChatCompletion;
    expect(result.choices[0].message.content).toBe('Hello from openai');
    expect(result.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer test-key-0123456789');
  });

  it('answers JSON mode with {"ok":true}', async () => {
    const result = (await complete(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_object' } }, target)) as ChatCompletion;
    expect(JSON.parse(result.choices[0].message.content ?? '')).toEqual({ ok: true });
  });

  it('streams a tool call in fragments that assemble to the arguments, with usage', async () => {
    const { chunks, usage, reads } = await streamChat(openaiAdapter, { messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] }, target);
    expect(reads).toBeGreaterThan(1);
    expect(assemble(chunks)).toMatchObject({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], finishReason: 'tool_calls' });
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('returns reasoning text when a compatible vendor is asked to think', async () => {
    const deepseek = callTarget('deepseek', 'deepseek-chat', { baseUrl: fake.baseUrl, settings: { reasoning: { level: 'high', custom: null } } });
    const plain = (await complete(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, deepseek)) as ChatCompletion;
    expect(plain.choices[0].message.reasoning_content).toBe(FAKE_REASONING);
    expect(fake.requests.at(-1)?.body.thinking).toEqual({ type: 'enabled' });
    const streamed = await streamChat(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, deepseek);
    expect(assemble(streamed.chunks)).toMatchObject({ reasoning: FAKE_REASONING, content: 'Hello from openai' });
  });

  it('rejects bad-key with the documented 401, read as auth', async () => {
    const result = await complete(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, { ...target, apiKey: new Secret('bad-key') });
    expect(result).toBeInstanceOf(UpstreamError);
    expect(result).toMatchObject({ kind: 'auth', status: 401 });
  });

  it('answers failNext once, then serves normally', async () => {
    fake.failNext(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, { 'retry-after': '1' });
    expect(await complete(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, target)).toMatchObject({ kind: 'quota_exhausted' });
    expect(await complete(openaiAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, target)).not.toBeInstanceOf(UpstreamError);
  });

  it('serves the probe with the models the requests use', async () => {
    await expectProbeFindsModels(openaiAdapter, target);
  });
});
