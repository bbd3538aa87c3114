import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { bedrockAdapter } from '../../src/providers/bedrock/index.js';
import { UpstreamError, type CallTarget, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type UpstreamRequest } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { FAKE_AWS_CREDENTIALS, startBedrockUpstream, type FakeUpstream } from './bedrock-upstream.js';

const META = { id: 'chatcmpl-fake', created: 1, model: 'anthropic.claude-sonnet-4-20250514-v1:0' };
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startBedrockUpstream();
});
afterAll(async () => {
  await upstream.close();
});

function target(model = META.model, accessKeyId = FAKE_AWS_CREDENTIALS.accessKeyId, reasoning: 'off' | 'medium' = 'off'): CallTarget {
  return callTarget('bedrock', model, {
    baseUrl: upstream.baseUrl,
    apiKey: null,
    secrets: { accessKeyId: new Secret(accessKeyId), secretAccessKey: new Secret(FAKE_AWS_CREDENTIALS.secretAccessKey) },
    params: { region: 'us-east-1' },
    settings: { reasoning: { level: reasoning, custom: null } },
  });
}

async function send(built: UpstreamRequest) {
  return request(built.url, { method: built.method, headers: built.headers, body: built.body });
}

async function complete(chat: ChatRequest, t = target()): Promise<ChatCompletion> {
  const response = await send(bedrockAdapter.buildChatRequest(chat, t, { stream: false, now: new Date() }));
  const text = await response.body.text();
  if (response.statusCode !== 200) throw bedrockAdapter.classifyError(response.statusCode, response.headers, text);
  const parsed = bedrockAdapter.parseChatResponse(JSON.parse(text), t, META);
  if (parsed instanceof UpstreamError) throw parsed;
  return parsed;
}

async function stream(chat: ChatRequest, t = target()): Promise<{ chunks: ChatCompletionChunk[]; reads: number; error?: UpstreamError }> {
  const response = await send(bedrockAdapter.buildChatRequest(chat, t, { stream: true, now: new Date() }));
  expect(response.statusCode).toBe(200);
  const translator = bedrockAdapter.createStreamTranslator(t, META);
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

describe('Bedrock adapter against the fake upstream', () => {
  it('answers a signed Converse call (signature verified over host:port) with text and usage', async () => {
    const completion = await complete(hello);
    expect(completion.choices[0].message.content).toBe('Hello from bedrock');
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(upstream.requests.at(-1)?.path).toBe('/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse');
  });

  it('streams in several reads and ends with finish_reason and usage', async () => {
    const { chunks, reads, error } = await stream(hello);
    expect(error).toBeUndefined();
    expect(reads).toBeGreaterThan(1);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from bedrock');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
  });

  it('calls the first tool, streamed as argument fragments', async () => {
    const { chunks } = await stream({ ...hello, tools: weatherTool });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'tooluse_fake0001', function: { name: 'get_weather' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    expect(calls.length).toBeGreaterThan(2);
    const completion = await complete({ ...hello, tools: weatherTool });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ function: { arguments: '{"city":"Paris"}' } }] } });
  });

  it('answers the tool result with text, and JSON when JSON is asked for', async () => {
    const followUp: ChatRequest = {
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'tooluse_fake0001', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'tooluse_fake0001', content: 'Sunny' },
      ],
      tools: weatherTool,
    };
    expect((await complete(followUp)).choices[0].message.content).toBe('Hello from bedrock');
    expect((await complete({ ...hello, response_format: { type: 'json_object' } })).choices[0].message.content).toBe('{"ok":true}');
  });

  it('returns signed reasoning when thinking is on', async () => {
    const t = target('anthropic.claude-sonnet-4-6', FAKE_AWS_CREDENTIALS.accessKeyId, 'medium');
    const completion = await complete(hello, t);
    expect(completion.choices[0].message).toMatchObject({
      reasoning_content: 'Thinking about it.',
      thinking_blocks: [{ type: 'thinking', thinking: 'Thinking about it.', signature: 'fake-bedrock-signature' }],
    });
    const { chunks } = await stream(hello, t);
    expect(chunks.flatMap((c) => c.choices[0]?.delta.thinking_blocks ?? [])).toEqual([
      { type: 'thinking', thinking: 'Thinking about it.', signature: 'fake-bedrock-signature' },
    ]);
  });

  it('rejects the bad key as AWS does, classified as auth', async () => {
    await expect(complete(hello, target(META.model, 'bad-key'))).rejects.toMatchObject({ kind: 'auth', status: 403 });
  });

  it('verifies the signature: a body changed after signing is refused', async () => {
    const built = bedrockAdapter.buildChatRequest(hello, target(), { stream: false, now: new Date() });
    const response = await send({ ...built, body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Bye' }] }] }) });
    const error = bedrockAdapter.classifyError(response.statusCode, response.headers, await response.body.text());
    expect(error).toMatchObject({ kind: 'auth', providerCode: 'InvalidSignatureException' });
  });

  it('answers failNext once, classified by the adapter', async () => {
    upstream.failNext(429, { message: 'Too many requests, please wait before trying again.' }, { 'x-amzn-errortype': 'ThrottlingException' });
    await expect(complete(hello)).rejects.toMatchObject({ kind: 'rate_limited', status: 429 });
    expect((await complete(hello)).choices[0].message.content).toBe('Hello from bedrock');
  });

  it('serves the probe with the models in use', async () => {
    const t = target();
    const built = bedrockAdapter.buildProbeRequest(t, { now: new Date() });
    const response = await send(built);
    const outcome = bedrockAdapter.parseProbeResponse(response.statusCode, response.headers, await response.body.text(), t);
    expect(outcome).toMatchObject({ status: 'ok', modelFound: true });
    expect(outcome.models).toContain('fake-model');
  });
});
