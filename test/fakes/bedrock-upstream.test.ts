import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { bedrockAdapter } from '../../src/providers/bedrock/index.js';
import type { CallTarget, ChatRequest } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { FAKE_AWS_CREDENTIALS, startBedrockUpstream } from './bedrock-upstream.js';
import { chatThroughOrThrow, expectProbeFindsModels, hello, send, streamThrough, toolResultTurn, useFakeUpstream, weatherTools } from './fake-contract.js';

const META = { id: 'chatcmpl-fake', created: 1, model: 'anthropic.claude-sonnet-4-20250514-v1:0' };
const upstream = useFakeUpstream(startBedrockUpstream);

function target(model = META.model, accessKeyId = FAKE_AWS_CREDENTIALS.accessKeyId, reasoning: 'off' | 'medium' = 'off'): CallTarget {
  return callTarget('bedrock', model, {
    baseUrl: upstream.baseUrl,
    apiKey: null,
    secrets: { accessKeyId: new Secret(accessKeyId), secretAccessKey: new Secret(FAKE_AWS_CREDENTIALS.secretAccessKey) },
    params: { region: 'us-east-1' },
    settings: { reasoning: { level: reasoning, custom: null } },
  });
}

const complete = (chat: ChatRequest, t = target()) => chatThroughOrThrow(bedrockAdapter, chat, t, META);
const stream = (chat: ChatRequest, t = target()) => streamThrough(bedrockAdapter, chat, t, META);

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
    const { chunks } = await stream({ ...hello, tools: weatherTools });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'tooluse_fake0001', function: { name: 'get_weather' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    expect(calls.length).toBeGreaterThan(2);
    const completion = await complete({ ...hello, tools: weatherTools });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ function: { arguments: '{"city":"Paris"}' } }] } });
  });

  it('answers the tool result with text, and JSON when JSON is asked for', async () => {
    expect((await complete(toolResultTurn('tooluse_fake0001'))).choices[0].message.content).toBe('Hello from bedrock');
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
    await expectProbeFindsModels(bedrockAdapter, target());
  });
});
