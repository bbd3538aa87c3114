import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { DEFAULT_MAX_OUTPUT_TOKENS } from '../registry.js';
import type { ChatRequest, SlotSettings } from '../types.js';
import { JSON_OBJECT_INSTRUCTION, buildChatRequest, buildMessagesBody } from './request.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

function target(model = 'claude-sonnet-4-6', settings: Partial<SlotSettings> = {}) {
  return callTarget('anthropic', model, { settings });
}

function body(request: ChatRequest, settings: Partial<SlotSettings> = {}, model?: string) {
  return buildMessagesBody(request, target(model, settings), false);
}

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('anthropic request: the call itself', () => {
  it('posts to /v1/messages with x-api-key and the pinned anthropic-version, using the slot model', () => {
    const built = buildChatRequest({ ...hello, model: 'gpt-4o' }, target(), { stream: false, now: NOW });
    expect(built.method).toBe('POST');
    expect(built.url).toBe('https://api.anthropic.com/v1/messages');
    expect(built.headers).toEqual({
      'x-api-key': 'test-key-0123456789',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    });
    const sent = JSON.parse(String(built.body));
    expect(sent.model).toBe('claude-sonnet-4-6');
    expect(sent.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
    expect(sent).not.toHaveProperty('stream');
  });

  it('asks for a stream only when streaming', () => {
    const built = buildChatRequest(hello, target(), { stream: true, now: NOW });
    expect(JSON.parse(String(built.body)).stream).toBe(true);
  });
});

describe('anthropic request: max_tokens', () => {
  it('prefers max_completion_tokens, then max_tokens, then the slot, then the registry default', () => {
    expect(body({ ...hello, max_completion_tokens: 100, max_tokens: 200 }, { maxOutputTokens: 300 }).max_tokens).toBe(100);
    expect(body({ ...hello, max_tokens: 200 }, { maxOutputTokens: 300 }).max_tokens).toBe(200);
    expect(body(hello, { maxOutputTokens: 300 }).max_tokens).toBe(300);
    expect(body(hello).max_tokens).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
  });
});

describe('anthropic request: messages', () => {
  it('moves system and developer messages to the top-level system', () => {
    const sent = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(sent.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use French.' },
    ]);
    expect(sent.messages.map((m) => m.role)).toEqual(['user']);
  });

  it('merges consecutive turns of the same role and drops empty text', () => {
    const sent = body({
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'two' }] },
        { role: 'assistant', content: 'three' },
      ],
    });
    expect(sent.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'three' }] },
    ]);
  });

  it('sends data: images as base64 sources and http(s) images as URL sources', () => {
    const sent = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect(sent.messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'What is this?' },
    ]);
  });

  it('turns assistant tool calls into tool_use blocks and tool results into one user turn', () => {
    const sent = body({
      messages: [
        { role: 'user', content: 'Weather and time?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '12:00' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(sent.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '12:00' }] },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('replays thinking blocks first in their assistant turn and drops unsigned reasoning', () => {
    const sent = body({
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning_content: 'plain reasoning text cannot be verified',
          thinking_blocks: [
            { type: 'thinking', thinking: 'Need a tool.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'thinking', thinking: 'no signature' },
          ],
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
      ],
    });
    expect(sent.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'Need a tool.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
    ]);
  });
});

describe('anthropic request: tools', () => {
  it('maps function tools to input_schema', () => {
    const sent = body({ ...hello, tools: [weatherTool] });
    expect(sent.tools).toEqual([
      { name: 'get_weather', description: 'Weather by city', input_schema: weatherTool.function.parameters },
    ]);
    expect(sent).not.toHaveProperty('tool_choice');
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
    [{ type: 'function', function: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    expect(body({ ...hello, tools: [weatherTool], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('turns parallel_tool_calls: false into disable_parallel_tool_use', () => {
    expect(body({ ...hello, tools: [weatherTool], parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(body({ ...hello, tools: [weatherTool], tool_choice: 'required', parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
  });

  it('sends no tool_choice without tools', () => {
    expect(body({ ...hello, tool_choice: 'required' })).not.toHaveProperty('tool_choice');
  });
});

describe('anthropic request: sampling and output', () => {
  it('maps stop, user and the slot temperature; seed has no Anthropic equivalent', () => {
    const sent = body({ ...hello, stop: 'END', user: 'user-42', seed: 7 }, { temperature: 0.3 });
    expect(sent.stop_sequences).toEqual(['END']);
    expect(sent.metadata).toEqual({ user_id: 'user-42' });
    expect(sent.temperature).toBe(0.3);
    expect(sent).not.toHaveProperty('seed');
  });

  it('clamps temperature to 0–1 and sends temperature rather than both temperature and top_p', () => {
    const sent = body({ ...hello, temperature: 1.7, top_p: 0.9 });
    expect(sent.temperature).toBe(1);
    expect(sent).not.toHaveProperty('top_p');
    expect(body({ ...hello, top_p: 0.9 }).top_p).toBe(0.9);
  });

  it('never sends sampling parameters to a model that rejects them', () => {
    const sent = body({ ...hello, temperature: 0.2, top_p: 0.5 }, {}, 'claude-opus-4-7');
    expect(sent).not.toHaveProperty('temperature');
    expect(sent).not.toHaveProperty('top_p');
  });

  it('sends json_schema as output_config.format, without the constraints structured outputs reject', () => {
    const sent = body({
      ...hello,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          strict: true,
          schema: {
            type: 'object',
            properties: { ok: { type: 'boolean' }, n: { type: 'integer', minimum: 1 }, minimum: { type: 'string', maxLength: 3 } },
            required: ['ok'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(sent.output_config).toEqual({
      format: {
        type: 'json_schema',
        schema: {
          type: 'object',
          properties: { ok: { type: 'boolean' }, n: { type: 'integer' }, minimum: { type: 'string' } },
          required: ['ok'],
          additionalProperties: false,
        },
      },
    });
    expect(sent).not.toHaveProperty('system');
  });

  it('asks for a JSON object in the system prompt for json_object (Anthropic has no schema-less JSON mode)', () => {
    const sent = body({ messages: [{ role: 'system', content: 'Be brief.' }, ...hello.messages], response_format: { type: 'json_object' } });
    expect(sent.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: JSON_OBJECT_INSTRUCTION },
    ]);
    expect(sent).not.toHaveProperty('output_config');
  });
});

describe('anthropic request: reasoning', () => {
  const medium = { reasoning: { level: 'medium' as const, custom: null } };

  it('maps a preset to adaptive thinking with summarized display and output_config.effort', () => {
    const sent = body(hello, medium);
    expect(sent.thinking).toEqual({ type: 'adaptive', display: 'summarized' });
    expect(sent.output_config).toEqual({ effort: 'medium' });
  });

  it('omits thinking when reasoning is off', () => {
    const sent = body(hello);
    expect(sent).not.toHaveProperty('thinking');
    expect(sent).not.toHaveProperty('output_config');
  });

  it("lets the request's reasoning_effort override the slot: none is off, minimal is low", () => {
    expect(body({ ...hello, reasoning_effort: 'none' }, medium)).not.toHaveProperty('thinking');
    expect(body({ ...hello, reasoning_effort: 'minimal' }, medium).output_config).toEqual({ effort: 'low' });
    expect(body({ ...hello, reasoning_effort: 'high' }).output_config).toEqual({ effort: 'high' });
  });

  it('uses a thinking budget on models that predate adaptive thinking', () => {
    const sent = body(hello, medium, 'claude-sonnet-4-5-20250929');
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(sent).not.toHaveProperty('output_config');
  });

  it('drops temperature and top_p while thinking', () => {
    const sent = body({ ...hello, temperature: 0.5, top_p: 0.9 }, { ...medium, temperature: 0.4 });
    expect(sent).not.toHaveProperty('temperature');
    expect(sent).not.toHaveProperty('top_p');
  });

  it('drops thinking (keeping effort and temperature) when the caller forces a tool', () => {
    const sent = body({ ...hello, tools: [weatherTool], tool_choice: 'required', temperature: 0.5 }, medium);
    expect(sent).not.toHaveProperty('thinking');
    expect(sent.tool_choice).toEqual({ type: 'any' });
    expect(sent.output_config).toEqual({ effort: 'medium' });
    expect(sent.temperature).toBe(0.5);
    expect(body({ ...hello, tools: [weatherTool], tool_choice: 'auto' }, medium).thinking).toEqual({
      type: 'adaptive',
      display: 'summarized',
    });
  });

  it('keeps the JSON schema and the effort side by side in output_config', () => {
    const schema = { type: 'object', properties: {}, additionalProperties: false };
    const sent = body({ ...hello, response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }, medium);
    expect(sent.output_config).toEqual({ format: { type: 'json_schema', schema }, effort: 'medium' });
  });

  it('replaces the preset with a custom override, mapping camelCase to wire names at the top level', () => {
    const custom = { thinking: { type: 'enabled', budgetTokens: 4096 }, serviceTier: 'auto' };
    const sent = body({ ...hello, max_tokens: 2000 }, { reasoning: { level: 'custom', custom } });
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
    expect(sent.service_tier).toBe('auto');
    expect(sent).not.toHaveProperty('output_config');
    // The budget must stay below max_tokens, so the answer keeps its own 2000.
    expect(sent.max_tokens).toBe(6096);
  });

  it("maps the AI SDK's top-level effort to output_config.effort and drops its client-side switches", () => {
    const custom = { anthropic: { thinking: { type: 'adaptive' }, effort: 'max', sendReasoning: true }, openai: { reasoningEffort: 'low' } };
    const sent = body(hello, { reasoning: { level: 'custom', custom } });
    expect(sent.thinking).toEqual({ type: 'adaptive' });
    expect(sent.output_config).toEqual({ effort: 'max' });
    expect(sent).not.toHaveProperty('effort');
    expect(sent).not.toHaveProperty('send_reasoning');
    expect(sent).not.toHaveProperty('reasoning_effort');
  });
});
