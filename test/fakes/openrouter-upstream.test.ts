// The openrouter adapter and the fake upstream agree, plain and streamed.
import { beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { assemble, complete, send, streamChat } from '../../src/providers/openai/test-support.js';
import { openrouterAdapter } from '../../src/providers/openrouter/index.js';
import { UpstreamError, type CallTarget, type ChatCompletion } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { useFakeUpstream } from './fake-contract.js';
import { FAKE_REASONING } from './openai-upstream.js';
import { FAKE_SIGNATURE, startOpenRouterUpstream } from './openrouter-upstream.js';

describe('openrouter adapter against the fake upstream', () => {
  const fake = useFakeUpstream(startOpenRouterUpstream);
  let target: CallTarget;
  beforeAll(() => {
    target = callTarget('openrouter', 'moonshotai/kimi-k2.6', { baseUrl: fake.baseUrl, settings: { reasoning: { level: 'medium', custom: null } } });
  });

  it('answers with reasoning and a signed thinking block, sending the attribution headers', async () => {
    const result = (await complete(openrouterAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, target)) as ChatCompletion;
    expect(result.choices[0].message).toMatchObject({ content: 'Hello from openrouter', reasoning_content: FAKE_REASONING });
    expect(result.choices[0].message.thinking_blocks?.[0]).toMatchObject({ signature: FAKE_SIGNATURE });
    const sent = fake.requests.at(-1);
    expect(sent?.headers['http-referer']).toBe('https://github.com/byok-gateway');
    expect(sent?.body.reasoning).toEqual({ effort: 'medium' });
  });

  it('streams reasoning, a tool call and usage through the processing comments', async () => {
    const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } };
    const { chunks, usage } = await streamChat(openrouterAdapter, { messages: [{ role: 'user', content: 'Weather?' }], tools: [weather] }, target);
    expect(assemble(chunks)).toMatchObject({ reasoning: FAKE_REASONING, toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], finishReason: 'tool_calls' });
    expect(chunks.some((c) => c.choices[0]?.delta.thinking_blocks?.[0]?.signature === FAKE_SIGNATURE)).toBe(true);
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
  });

  it('rejects bad-key with a 401, read as auth', async () => {
    expect(await complete(openrouterAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, { ...target, apiKey: new Secret('bad-key') })).toMatchObject({ kind: 'auth' });
  });

  it('reads a failNext 403 as moderation, not auth', async () => {
    fake.failNext(403, { error: { code: 403, message: 'Your input was flagged' } });
    const result = await complete(openrouterAdapter, { messages: [{ role: 'user', content: 'Hi' }] }, target);
    expect(result).toBeInstanceOf(UpstreamError);
    expect(result).toMatchObject({ kind: 'bad_request' });
  });

  it('proves the key at /key', async () => {
    const probe = openrouterAdapter.buildProbeRequest(target, { now: new Date() });
    const res = await send(probe);
    expect(openrouterAdapter.parseProbeResponse(res.statusCode, res.headers, await res.body.text(), target)).toMatchObject({ status: 'ok' });
    expect(fake.requests.at(-1)?.path).toBe('/key');
  });
});
