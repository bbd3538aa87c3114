// The Gemini adapter and the fake Gemini upstream agree: requests built by the adapter
// are understood by the fake, and its answers translate back.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { geminiAdapter } from '../../src/providers/gemini/index.js';
import type { CallTarget, ChatCompletion, ChatRequest, UpstreamError } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { chatThrough, expectProbeFindsModels, hello as hi, probeThrough, streamThrough, useFakeUpstream, weatherTools as tools } from './fake-contract.js';
import { FAKE_GEMINI_SIGNATURE, startGeminiUpstream } from './gemini-upstream.js';

const meta = { id: 'chatcmpl-fake1', created: 1_767_225_600, model: 'gemini-3.1-pro-preview' };
const fake = useFakeUpstream(startGeminiUpstream);

function target(model = 'gemini-3.1-pro-preview', reasoning: 'off' | 'medium' = 'off', key = 'good-key'): CallTarget {
  return callTarget('google', model, {
    baseUrl: fake.baseUrl,
    apiKey: new Secret(key),
    settings: { reasoning: { level: reasoning, custom: null } },
  });
}

const complete = (chat: ChatRequest, t = target()) => chatThrough(geminiAdapter, chat, t, meta);
const stream = (chat: ChatRequest, t = target()) => streamThrough(geminiAdapter, { ...chat, stream: true }, t, meta);

describe('fake Gemini upstream with the Gemini adapter', () => {
  it('answers a plain chat with usage 10/5', async () => {
    const result = (await complete(hi)) as ChatCompletion;
    expect(result.choices[0].message.content).toBe('Hello from gemini');
    expect(result.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(fake.requests.at(-1)?.headers['x-goog-api-key']).toBe('good-key');
  });

  it('answers {"ok":true} when JSON output is asked', async () => {
    const result = (await complete({ ...hi, response_format: { type: 'json_object' } })) as ChatCompletion;
    expect(result.choices[0].message.content).toBe('{"ok":true}');
  });

  it('calls the first tool, and answers once the tool result comes back with its signature', async () => {
    const first = (await complete({ ...hi, tools }, target('gemini-3.1-pro-preview', 'medium'))) as ChatCompletion;
    const message = first.choices[0].message;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(message.tool_calls?.[0].function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(message.reasoning_content).toBe('Thinking about it.');
    expect(message.thinking_blocks).toEqual([{ type: 'thinking', signature: FAKE_GEMINI_SIGNATURE }]);

    const followUp: ChatRequest = {
      messages: [
        ...hi.messages,
        { role: 'assistant', content: null, tool_calls: message.tool_calls, thinking_blocks: message.thinking_blocks },
        { role: 'tool', tool_call_id: message.tool_calls![0].id, content: '{"temp":21}' },
      ],
      tools,
    };
    const second = (await complete(followUp, target('gemini-3.1-pro-preview', 'medium'))) as ChatCompletion;
    expect(second.choices[0].message.content).toBe('Hello from gemini');
    const sent = fake.requests.at(-1)?.body;
    expect(sent.contents[1].parts[0].thoughtSignature).toBe(FAKE_GEMINI_SIGNATURE);
    expect(sent.contents[2].parts[0].functionResponse).toEqual({ name: 'get_weather', response: { output: { temp: 21 } } });
  });

  it('streams text in several events, with the usage chunk last', async () => {
    const { chunks, last, reads, usage } = await stream(hi);
    expect(reads).toBeGreaterThan(1);
    expect(last.error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from gemini');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } });
    expect(usage?.total_tokens).toBe(15);
  });

  it('streams reasoning, a tool call and the signature', async () => {
    const { chunks } = await stream({ ...hi, tools }, target('gemini-3-flash-preview', 'medium'));
    const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta));
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe('Thinking about it.');
    expect(deltas.flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: 'call_fake1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(deltas.flatMap((d) => d.thinking_blocks ?? [])).toEqual([{ type: 'thinking', signature: FAKE_GEMINI_SIGNATURE }]);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('rejects bad-key the way Gemini does, which the adapter reads as auth', async () => {
    const error = (await complete(hi, target('gemini-2.5-flash', 'off', 'bad-key'))) as UpstreamError;
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(400);
  });

  it('answers a failNext once, then behaves again', async () => {
    fake.failNext(429, { error: { code: 429, message: 'Slow down', status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': '2' });
    const error = (await complete(hi)) as UpstreamError;
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
    expect(((await complete(hi)) as ChatCompletion).choices[0].message.content).toBe('Hello from gemini');
  });

  it('serves the probe list with the requested models and fake-model', async () => {
    await expectProbeFindsModels(geminiAdapter, target('gemini-3.1-pro-preview'));
  });

  it('probes bad-key as an invalid key', async () => {
    expect((await probeThrough(geminiAdapter, target('gemini-2.5-flash', 'off', 'bad-key'))).status).toBe('invalid_key');
  });
});

describe('fake Gemini upstream on its own', () => {
  it('rejects a Gemini 3 function-call turn without a thought signature, as the real API does', async () => {
    const res = await request(`${fake.baseUrl}/v1beta/models/gemini-3-pro-preview:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'good-key' },
      body: JSON.stringify({
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 21 } } }] },
        ],
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toContain('thought_signature');
  });

  it('answers 403 PERMISSION_DENIED without a key', async () => {
    const res = await request(`${fake.baseUrl}/v1beta/models`, { method: 'GET' });
    expect(res.statusCode).toBe(403);
    await res.body.dump();
  });
});
