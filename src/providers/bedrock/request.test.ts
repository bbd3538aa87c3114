import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { Secret } from '../../keys/secret.js';
import { sign } from '../shared/aws-sigv4.js';
import { UpstreamError, type CallTarget, type ChatRequest, type SlotSettings } from '../types.js';
import { buildChatRequest, buildConverseBody, JSON_OBJECT_INSTRUCTION } from './request.js';
import { exampleSecrets } from './test-support.js';

const NOW = new Date('2026-01-15T08:30:00Z');
const SONNET_4 = 'anthropic.claude-sonnet-4-20250514-v1:0';

function target(model = SONNET_4, extra: { settings?: Partial<SlotSettings>; baseUrl?: string; sessionToken?: string } = {}): CallTarget {
  return callTarget('bedrock', model, {
    baseUrl: extra.baseUrl ?? '',
    apiKey: null,
    secrets: exampleSecrets(extra.sessionToken),
    params: { region: 'us-west-2' },
    ...(extra.settings ? { settings: extra.settings } : {}),
  });
}

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

describe('Bedrock endpoint and signing', () => {
  it('posts to the regional runtime with the model id percent-encoded', () => {
    const built = buildChatRequest(hello, target(), { stream: false, now: NOW });
    expect(built.method).toBe('POST');
    expect(built.url).toBe('https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse');
    expect(built.headers.accept).toBe('application/json');
  });

  it('uses converse-stream and asks for the event stream when streaming', () => {
    const built = buildChatRequest(hello, target(), { stream: true, now: NOW });
    expect(built.url).toMatch(/\/converse-stream$/);
    expect(built.headers.accept).toBe('application/vnd.amazon.eventstream');
  });

  it('encodes an inference-profile ARN as one path segment', () => {
    const arn = 'arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0';
    const built = buildChatRequest(hello, target(arn), { stream: false, now: NOW });
    expect(new URL(built.url).pathname).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-20250514-v1%3A0/converse',
    );
  });

  it('sends to target.baseUrl when one is set (VPC endpoints, local servers)', () => {
    const built = buildChatRequest(hello, target(SONNET_4, { baseUrl: 'http://127.0.0.1:9999' }), { stream: false, now: NOW });
    expect(built.url).toBe('http://127.0.0.1:9999/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse');
  });

  it('signs with SigV4 for service bedrock, dated by the injected clock, over the exact body', () => {
    const built = buildChatRequest(hello, target(), { stream: false, now: NOW });
    expect(built.headers['x-amz-date']).toBe('20260115T083000Z');
    expect(built.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260115\/us-west-2\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    // Recompute what a verifier on the other end computes from the wire request.
    const url = new URL(built.url);
    const { authorization } = sign(
      {
        method: 'POST',
        path: url.pathname,
        query: '',
        headers: { host: url.host, accept: built.headers.accept, 'content-type': built.headers['content-type'], 'x-amz-date': built.headers['x-amz-date'] },
        body: built.body as string,
      },
      { region: 'us-west-2', service: 'bedrock', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } },
    );
    expect(built.headers.authorization).toBe(authorization);
    expect(sign({ method: 'POST', path: url.pathname, query: '', headers: { host: url.host, 'x-amz-date': 'x' }, body: '' }, {
      region: 'us-west-2',
      service: 'bedrock',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }).canonicalRequest).toContain('/model/anthropic.claude-sonnet-4-20250514-v1%253A0/converse');
  });

  it('sends and signs the session token of temporary credentials', () => {
    const built = buildChatRequest(hello, target(SONNET_4, { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }), { stream: false, now: NOW });
    expect(built.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE');
    expect(built.headers.authorization).toContain('SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token,');
  });

  it('falls back to a Bedrock API key as Bearer when no key pair is configured', () => {
    const t = { ...target(), secrets: {}, apiKey: new Secret('ABSKbedrockapikey') };
    const built = buildChatRequest(hello, t, { stream: false, now: NOW });
    expect(built.headers.authorization).toBe('Bearer ABSKbedrockapikey');
    expect(built.headers['x-amz-date']).toBeUndefined();
  });

  it('refuses to build without a region for the AWS endpoint', () => {
    const t = { ...target(), params: {} };
    expect(() => buildChatRequest(hello, t, { stream: false, now: NOW })).toThrow(/region/);
  });
});

describe('Bedrock messages', () => {
  it('moves system and developer messages to the system list', () => {
    const body = buildConverseBody(
      { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] }, { role: 'user', content: 'Hi' }] },
      target(),
    );
    expect(body.system).toEqual([{ text: 'Be brief.' }, { text: 'Use metric.' }]);
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'Hi' }] }]);
  });

  it('sends data-URL images as base64 bytes with their format', () => {
    const body = buildConverseBody(
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/jpg;base64,AAAA' } }] }] },
      target(),
    );
    expect(body.messages[0].content).toEqual([{ text: 'What is this?' }, { image: { format: 'jpeg', source: { bytes: 'AAAA' } } }]);
  });

  it('rejects image links, which Converse cannot fetch', () => {
    const request: ChatRequest = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] };
    expect(() => buildConverseBody(request, target())).toThrow(UpstreamError);
  });

  it('replays signed thinking, text and tool calls, and merges parallel tool results into one user turn', () => {
    const request: ChatRequest = {
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          reasoning_content: 'I need two calls.',
          thinking_blocks: [
            { type: 'thinking', thinking: 'I need two calls.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'ZW5j' },
          ],
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 't2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: '18°C' },
        { role: 'tool', tool_call_id: 't2', content: '' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    };
    const body = buildConverseBody(request, target());
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'I need two calls.', signature: 'sig-1' } } },
          { reasoningContent: { redactedContent: 'ZW5j' } },
          { text: 'Checking both.' },
          { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 't2', name: 'get_weather', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 't1', content: [{ text: '18°C' }] } },
          { toolResult: { toolUseId: 't2', content: [{ json: {} }] } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('keeps tool history as text when the tools are withheld (tool_choice none)', () => {
    const request: ChatRequest = {
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'Sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      tool_choice: 'none',
    };
    const body = buildConverseBody(request, target());
    expect(body.toolConfig).toBeUndefined();
    expect(JSON.stringify(body.messages)).not.toContain('toolUse');
    expect(body.messages[1].content).toEqual([{ text: '[called tool get_weather with {"city":"Paris"}]' }]);
    expect(body.messages[2].content).toEqual([{ text: '[result of tool call t1: Sunny]' }]);
  });
});

describe('Bedrock tools and parameters', () => {
  const tools: ChatRequest['tools'] = [
    { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    { type: 'function', function: { name: 'get_time' } },
  ];

  it('maps tools to toolSpecs, with an empty object schema for a tool without parameters', () => {
    const body = buildConverseBody({ ...hello, tools }, target());
    expect(body.toolConfig?.tools).toEqual([
      { toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } },
      { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object', properties: {} } } } },
    ]);
    expect(body.toolConfig?.toolChoice).toBeUndefined();
  });

  it.each([
    ['auto', { auto: {} }],
    ['required', { any: {} }],
    [{ type: 'function', function: { name: 'get_time' } }, { tool: { name: 'get_time' } }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    const body = buildConverseBody({ ...hello, tools, tool_choice: choice as ChatRequest['tool_choice'] }, target());
    expect(body.toolConfig?.toolChoice).toEqual(expected);
  });

  it('takes max_completion_tokens over max_tokens, and the slot settings when the request is silent', () => {
    expect(buildConverseBody({ ...hello, max_tokens: 50, max_completion_tokens: 70, temperature: 0.2, top_p: 0.9, stop: 'END' }, target()).inferenceConfig).toEqual({
      maxTokens: 70,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
    });
    expect(buildConverseBody(hello, target(SONNET_4, { settings: { temperature: 0.4, maxOutputTokens: 900 } })).inferenceConfig).toEqual({
      maxTokens: 900,
      temperature: 0.4,
    });
    expect(buildConverseBody(hello, target()).inferenceConfig).toBeUndefined();
  });

  it('asks for native structured output for json_schema, the schema as a JSON string', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
    const body = buildConverseBody({ ...hello, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } }, target());
    expect(body.outputConfig).toEqual({ textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'answer' } } } });
  });

  it('asks for a JSON object in the system prompt for json_object (Converse has no schema-less JSON mode)', () => {
    const body = buildConverseBody({ ...hello, response_format: { type: 'json_object' } }, target());
    expect(body.system).toEqual([{ text: JSON_OBJECT_INSTRUCTION }]);
    expect(body.outputConfig).toBeUndefined();
  });
});

describe('Bedrock reasoning', () => {
  const medium = { reasoning: { level: 'medium' as const, custom: null }, temperature: 0.7 };

  it('uses adaptive thinking with an effort for Claude 4.6 behind an inference profile, dropping temperature', () => {
    const body = buildConverseBody(hello, target('us.anthropic.claude-sonnet-4-6', { settings: medium }));
    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: 'adaptive' }, output_config: { effort: 'medium' } });
    expect(body.inferenceConfig?.temperature).toBeUndefined();
  });

  it('uses a thinking budget for Claude 4 and adds it on top of maxTokens', () => {
    const body = buildConverseBody({ ...hello, max_tokens: 1000, reasoning_effort: 'high' }, target());
    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 16384 } });
    expect(body.inferenceConfig?.maxTokens).toBe(17384);
  });

  it('keeps budget plus answer under the model output ceiling (Claude Opus 4: 32K)', () => {
    const body = buildConverseBody({ ...hello, max_tokens: 30_000, reasoning_effort: 'high' }, target('us.anthropic.claude-opus-4-1-20250805-v1:0'));
    expect(body.inferenceConfig?.maxTokens).toBe(32_000);
  });

  it('clamps temperature to the 0–1 range Converse accepts', () => {
    expect(buildConverseBody({ ...hello, temperature: 1.6 }, target()).inferenceConfig?.temperature).toBe(1);
  });

  it('sends no thinking when the preset is off or the request says none', () => {
    expect(buildConverseBody(hello, target()).additionalModelRequestFields).toBeUndefined();
    expect(buildConverseBody({ ...hello, reasoning_effort: 'none' }, target(SONNET_4, { settings: medium })).additionalModelRequestFields).toBeUndefined();
  });

  it('maps presets for Nova 2 and for OpenAI models on Bedrock, and ignores them for models without a switch', () => {
    expect(buildConverseBody(hello, target('us.amazon.nova-2-lite-v1:0', { settings: medium })).additionalModelRequestFields).toEqual({
      reasoningConfig: { type: 'enabled', maxReasoningEffort: 'medium' },
    });
    expect(buildConverseBody(hello, target('openai.gpt-oss-120b-1:0', { settings: medium })).additionalModelRequestFields).toEqual({
      reasoning_effort: 'medium',
    });
    expect(buildConverseBody(hello, target('meta.llama3-70b-instruct-v1:0', { settings: medium })).additionalModelRequestFields).toBeUndefined();
  });

  it('drops thinking when the caller forces a tool, which Claude rejects together', () => {
    const body = buildConverseBody(
      { ...hello, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required', temperature: 0.3 },
      target('anthropic.claude-opus-4-6-v1', { settings: medium }),
    );
    expect(body.additionalModelRequestFields).toEqual({ output_config: { effort: 'medium' } });
    expect(body.inferenceConfig?.temperature).toBe(0.3);
  });

  it('applies a custom override: reasoningConfig mapped, additionalModelRequestFields and other keys merged verbatim', () => {
    const settings = {
      reasoning: {
        level: 'custom' as const,
        custom: {
          bedrock: {
            reasoningConfig: { type: 'enabled', budgetTokens: 3000 },
            additionalModelRequestFields: { top_k: 40 },
            performanceConfig: { latency: 'optimized' },
          },
          anthropic: { thinking: { type: 'enabled' } },
        },
      },
    };
    const body = buildConverseBody({ ...hello, max_tokens: 500 }, target(SONNET_4, { settings }));
    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 3000 }, top_k: 40 });
    expect(body.inferenceConfig?.maxTokens).toBe(3500);
    expect(body.performanceConfig).toEqual({ latency: 'optimized' });
  });
});
