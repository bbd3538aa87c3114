import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { azureAdapter } from '../../src/providers/azure/index.js';
import { UpstreamError, type CallTarget, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type UpstreamRequest } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { startAzureUpstream, type FakeUpstream } from './azure-upstream.js';

const META = { id: 'chatcmpl-fake', created: 1, model: 'gpt-4o' };
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startAzureUpstream();
});
afterAll(async () => {
  await upstream.close();
});

function target(options: { model?: string; key?: string; deployment?: string; reasoning?: 'off' | 'high' } = {}): CallTarget {
  return callTarget('azure_openai', options.model ?? 'gpt-4o', {
    baseUrl: upstream.baseUrl,
    apiKey: new Secret(options.key ?? 'good-key'),
    params: options.deployment ? { deployment: options.deployment } : {},
    settings: { reasoning: { level: options.reasoning ?? 'off', custom: null } },
  });
}

const send = (built: UpstreamRequest) => request(built.url, { method: built.method, headers: built.headers, body: built.body });

async function complete(chat: ChatRequest, t = target()): Promise<ChatCompletion> {
  const response = await send(azureAdapter.buildChatRequest(chat, t, { stream: false, now: new Date() }));
  const text = await response.body.text();
  if (response.statusCode !== 200) throw azureAdapter.classifyError(response.statusCode, response.headers, text);
  const parsed = azureAdapter.parseChatResponse(JSON.parse(text), t, META);
  if (parsed instanceof UpstreamError) throw parsed;
  return parsed;
}

async function stream(chat: ChatRequest, t = target()): Promise<{ chunks: ChatCompletionChunk[]; reads: number; error?: UpstreamError }> {
  const response = await send(azureAdapter.buildChatRequest(chat, t, { stream: true, now: new Date() }));
  expect(response.statusCode).toBe(200);
  const translator = azureAdapter.createStreamTranslator(t, META);
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

describe('Azure adapter against the fake upstream', () => {
  it('answers on the v1 surface and on the deployment URL', async () => {
    expect((await complete(hello)).choices[0].message.content).toBe('Hello from azure');
    expect(upstream.requests.at(-1)?.path).toBe('/openai/v1/chat/completions');
    const completion = await complete(hello, target({ deployment: 'prod-4o' }));
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(upstream.requests.at(-1)?.path).toBe('/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21');
  });

  it('streams in several reads past the prompt_filter_results chunk, ending with usage', async () => {
    const { chunks, reads, error } = await stream(hello);
    expect(error).toBeUndefined();
    expect(reads).toBeGreaterThan(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from azure');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } });
  });

  it('calls the first tool in fragments, then answers its result; JSON when asked', async () => {
    const { chunks } = await stream({ ...hello, tools: weatherTool });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_fake0001', function: { name: 'get_weather' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    const followUp: ChatRequest = {
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_fake0001', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_fake0001', content: 'Sunny' },
      ],
      tools: weatherTool,
    };
    expect((await complete(followUp)).choices[0].message.content).toBe('Hello from azure');
    expect((await complete({ ...hello, response_format: { type: 'json_object' } })).choices[0].message.content).toBe('{"ok":true}');
  });

  it('returns reasoning when reasoning_effort goes out', async () => {
    const t = target({ model: 'o4-mini', reasoning: 'high' });
    const completion = await complete(hello, t);
    expect(completion.choices[0].message.reasoning_content).toBe('Thinking about it.');
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(3);
  });

  it('rejects the bad key with 401, classified as auth', async () => {
    await expect(complete(hello, target({ key: 'bad-key' }))).rejects.toMatchObject({ kind: 'auth', status: 401 });
  });

  it('answers failNext once', async () => {
    upstream.failNext(404, { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } });
    await expect(complete(hello, target({ deployment: 'missing' }))).rejects.toMatchObject({ kind: 'not_found' });
    expect((await complete(hello)).choices[0].message.content).toBe('Hello from azure');
  });

  it('serves the probe', async () => {
    const t = target();
    const response = await send(azureAdapter.buildProbeRequest(t, { now: new Date() }));
    const outcome = azureAdapter.parseProbeResponse(response.statusCode, response.headers, await response.body.text(), t);
    expect(outcome).toMatchObject({ status: 'ok', modelFound: true });
    expect(outcome.models).toContain('fake-model');
  });
});
