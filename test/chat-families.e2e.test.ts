// Every provider family, end to end: the official `openai` client → the gateway on a
// real port → a local server speaking the family's documented wire format.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicUpstream } from './fakes/anthropic-upstream.js';
import { startAzureUpstream } from './fakes/azure-upstream.js';
import { FAKE_AWS_CREDENTIALS, startBedrockUpstream } from './fakes/bedrock-upstream.js';
import { startCohereUpstream } from './fakes/cohere-upstream.js';
import { startGeminiUpstream } from './fakes/gemini-upstream.js';
import { startOpenAiUpstream } from './fakes/openai-upstream.js';
import { startOpenRouterUpstream } from './fakes/openrouter-upstream.js';
import { SERVICE_TOKEN, startTestGateway, type TestGateway } from './helpers/gateway.js';

interface Fake {
  baseUrl: string;
  requests: Array<{ path: string; headers: Record<string, unknown>; body: any }>;
  close(): Promise<void>;
}

interface Family {
  name: string;
  start: () => Promise<Fake>;
  slot: (fake: Fake) => Record<string, unknown>;
  /** Whether the family's wire format carries reasoning text back. */
  reasoning: boolean;
}

const FAMILIES: Family[] = [
  { name: 'openai', start: startOpenAiUpstream, reasoning: true, slot: (f) => ({ provider: 'deepseek', model: 'deepseek-chat', apiKey: 'sk-deepseek-test-0001', baseUrl: f.baseUrl, settings: { reasoning: { level: 'high' } } }) },
  { name: 'openrouter', start: startOpenRouterUpstream, reasoning: true, slot: (f) => ({ provider: 'openrouter', model: 'moonshotai/kimi-k2', apiKey: 'sk-or-test-0001', baseUrl: f.baseUrl, settings: { reasoning: { level: 'medium' } } }) },
  { name: 'anthropic', start: startAnthropicUpstream, reasoning: true, slot: (f) => ({ provider: 'anthropic', model: 'claude-sonnet-4-6', apiKey: 'sk-ant-test-0001', baseUrl: f.baseUrl, settings: { reasoning: { level: 'medium' } } }) },
  { name: 'gemini', start: startGeminiUpstream, reasoning: true, slot: (f) => ({ provider: 'google', model: 'gemini-2.5-flash', apiKey: 'AIza-test-0001-abcdefghijkl', baseUrl: f.baseUrl, settings: { reasoning: { level: 'medium' } } }) },
  { name: 'bedrock', start: startBedrockUpstream, reasoning: true, slot: (f) => ({ provider: 'bedrock', model: 'anthropic.claude-sonnet-4-6', baseUrl: f.baseUrl, credentials: { ...FAKE_AWS_CREDENTIALS, region: 'us-east-1' }, settings: { reasoning: { level: 'medium' } } }) },
  { name: 'azure', start: startAzureUpstream, reasoning: true, slot: (f) => ({ provider: 'azure_openai', model: 'o4-mini', apiKey: 'azure-test-key-0001', baseUrl: f.baseUrl, settings: { reasoning: { level: 'medium' } } }) },
  { name: 'cloudflare', start: startOpenAiUpstream, reasoning: false, slot: (f) => ({ provider: 'cloudflare_workers_ai', model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast', apiKey: 'cf-api-token-0001', credentials: { accountId: 'acct123' }, baseUrl: f.baseUrl }) },
  { name: 'hf-endpoint', start: startOpenAiUpstream, reasoning: false, slot: (f) => ({ provider: 'hf_inference_endpoints', model: 'tgi', apiKey: 'hf_endpointtoken0001', baseUrl: f.baseUrl }) },
  { name: 'cohere', start: startCohereUpstream, reasoning: true, slot: (f) => ({ provider: 'cohere', model: 'command-a-reasoning-08-2025', apiKey: 'cohere-test-key-0001', baseUrl: f.baseUrl, settings: { reasoning: { level: 'medium' } } }) },
];

const WEATHER_TOOL: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ storage: 'postgres' });
});
afterAll(async () => {
  await gateway.close();
  await gateway.storage.close();
});

describe.each(FAMILIES)('$name family through the openai client', (family) => {
  let fake: Fake;
  let client: OpenAI;
  const orgId = `org-${family.name}`;

  beforeAll(async () => {
    fake = await family.start();
    const put = await fetch(`${gateway.url}/byok/${orgId}/main`, { method: 'PUT', headers: gateway.admin, body: JSON.stringify(family.slot(fake)) });
    expect(put.status, await put.clone().text()).toBe(201);
    client = new OpenAI({ apiKey: SERVICE_TOKEN, baseURL: `${gateway.url}/v1`, defaultHeaders: { 'X-Org-Id': orgId }, maxRetries: 0 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('answers a plain chat with the configured model', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'ignored', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0].message.content).toMatch(/Hello from/);
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.model).toBe(family.slot(fake).model);
    expect(response.headers.get('x-gateway-slot')).toBe('main');
    expect(response.headers.get('x-gateway-model')).toBe(family.slot(fake).model);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams chunk by chunk and ends with a usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'ignored',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usageSeen = false;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usageSeen = true;
    }
    expect(text).toMatch(/Hello from/);
    expect(chunks).toBeGreaterThan(2);
    expect(finish).toBe('stop');
    expect(usageSeen).toBe(true);
  });

  it('round-trips a tool call', async () => {
    const first = await client.chat.completions.create({
      model: 'ignored',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('no function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });

    const second = await client.chat.completions.create({
      model: 'ignored',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        first.choices[0].message as OpenAI.Chat.Completions.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: call.id, content: '{"temp": 21}' },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(second.choices[0].message.content).toMatch(/Hello from/);
  });

  it('streams a tool call with its arguments assembled from fragments', async () => {
    const stream = await client.chat.completions.create({
      model: 'ignored',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      stream: true,
    });
    let name = '';
    let args = '';
    let id = '';
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
        if (tc.id) id = tc.id;
        name += tc.function?.name ?? '';
        args += tc.function?.arguments ?? '';
      }
    }
    expect(id).not.toBe('');
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
  });

  it('returns JSON output when asked', async () => {
    const data = await client.chat.completions.create({
      model: 'ignored',
      messages: [{ role: 'user', content: 'Give me JSON' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(data.choices[0].message.content ?? '')).toEqual({ ok: true });
  });

  it.runIf(family.reasoning)('returns reasoning text as reasoning_content', async () => {
    const data = await client.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'Think, then say hello' }] });
    expect((data.choices[0].message as unknown as { reasoning_content?: string }).reasoning_content).toMatch(/Thinking about it/);
  });

  it('maps a rejected stored key to 401 upstream_auth_failed', async () => {
    const badOrg = `${orgId}-bad`;
    const slot = family.slot(fake);
    const bad = (slot.credentials as Record<string, string> | undefined)?.accessKeyId ? { ...slot, credentials: { ...(slot.credentials as object), accessKeyId: 'bad-key' } } : { ...slot, apiKey: 'bad-key' };
    const put = await fetch(`${gateway.url}/byok/${badOrg}/main`, { method: 'PUT', headers: gateway.admin, body: JSON.stringify(bad) });
    expect(put.status).toBe(201);
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: gateway.service(badOrg),
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await res.json()) as { error: { code: string } };
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('upstream_auth_failed');
    expect(JSON.stringify(body)).not.toContain('bad-key');
  });
});
