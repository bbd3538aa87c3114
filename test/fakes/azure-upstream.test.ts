import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/keys/secret.js';
import { azureAdapter } from '../../src/providers/azure/index.js';
import type { CallTarget, ChatRequest } from '../../src/providers/types.js';
import { callTarget } from '../helpers/call-target.js';
import { startAzureUpstream } from './azure-upstream.js';
import { chatThroughOrThrow, expectProbeFindsModels, hello, streamThrough, toolResultTurn, useFakeUpstream, weatherTools } from './fake-contract.js';

const META = { id: 'chatcmpl-fake', created: 1, model: 'gpt-4o' };
const upstream = useFakeUpstream(startAzureUpstream);

function target(options: { model?: string; key?: string; deployment?: string; reasoning?: 'off' | 'high' } = {}): CallTarget {
  return callTarget('azure_openai', options.model ?? 'gpt-4o', {
    baseUrl: upstream.baseUrl,
    apiKey: new Secret(options.key ?? 'good-key'),
    params: options.deployment ? { deployment: options.deployment } : {},
    settings: { reasoning: { level: options.reasoning ?? 'off', custom: null } },
  });
}

const complete = (chat: ChatRequest, t = target()) => chatThroughOrThrow(azureAdapter, chat, t, META);
const stream = (chat: ChatRequest, t = target()) => streamThrough(azureAdapter, chat, t, META);

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
    const { chunks } = await stream({ ...hello, tools: weatherTools });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_fake0001', function: { name: 'get_weather' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    expect((await complete(toolResultTurn('call_fake0001'))).choices[0].message.content).toBe('Hello from azure');
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
    await expectProbeFindsModels(azureAdapter, target());
  });
});
