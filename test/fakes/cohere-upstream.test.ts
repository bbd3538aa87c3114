import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { cohereAdapter } from '../../src/providers/cohere/index.js';
import { UpstreamError, type CallTarget, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type UpstreamRequest } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { startCohereUpstream, type FakeUpstream } from './cohere-upstream.js';

const META = { id: 'chatcmpl-fake', created: 1, model: 'command-a-03-2025' };
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startCohereUpstream();
});
afterAll(async () => {
  await upstream.close();
});

function target(model = META.model, key = 'good-key', reasoning: 'off' | 'medium' = 'off'): CallTarget {
  return callTarget('cohere', model, { baseUrl: upstream.baseUrl, apiKey: new Secret(key), settings: { reasoning: { level: reasoning, custom: null } } });
}

const send = (built: UpstreamRequest) => request(built.url, { method: built.method, headers: built.headers, body: built.body });

async function complete(chat: ChatRequest, t = target()): Promise<ChatCompletion> {
  const response = await send(cohereAdapter.buildChatRequest(chat, t, { stream: false, now: new Date() }));
  const text = await response.body.text();
  if (response.statusCode !== 200) throw cohereAdapter.classifyError(response.statusCode, response.headers, text);
  const parsed = cohereAdapter.parseChatResponse(JSON.parse(text), t, META);
  if (parsed instanceof UpstreamError) throw parsed;
  return parsed;
}

async function stream(chat: ChatRequest, t = target()): Promise<{ chunks: ChatCompletionChunk[]; reads: number; error?: UpstreamError }> {
  const response = await send(cohereAdapter.buildChatRequest(chat, t, { stream: true, now: new Date() }));
  expect(response.statusCode).toBe(200);
  const translator = cohereAdapter.createStreamTranslator(t, META);
  const chunks: ChatCompletionChunk[] = [];
  let reads = 0;
  for await (const part of response.body) {
    reads++;
    const step = translator.push(part as Uint8Array);
    chunks.push(...step.chunks);
    if (step.error) return { chunks, reads, error: step.error };
  }
  const last = translator.finish();
  return { chunks: [...chunks, ...last.chunks], reads, error: last.error };
}

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const weatherTool: ChatRequest['tools'] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

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
    const { chunks } = await stream({ ...hello, tools: weatherTool });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'fake_tool_call_1', function: { name: 'get_weather' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    expect(chunks.map((c) => c.choices[0]?.delta.tool_plan ?? '').join('')).toBe('I will call the tool.');
    const completion = await complete({ ...hello, tools: weatherTool });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_plan: 'I will call the tool.' } });
  });

  it('answers a tool result with text and JSON when asked', async () => {
    const followUp: ChatRequest = {
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'fake_tool_call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'fake_tool_call_1', content: 'Sunny' },
      ],
      tools: weatherTool,
    };
    expect((await complete(followUp)).choices[0].message.content).toBe('Hello from cohere');
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
    const t = target();
    const response = await send(cohereAdapter.buildProbeRequest(t, { now: new Date() }));
    const outcome = cohereAdapter.parseProbeResponse(response.statusCode, response.headers, await response.body.text(), t);
    expect(outcome).toMatchObject({ status: 'ok', modelFound: true });
    expect(outcome.models).toContain('fake-model');
  });
});
