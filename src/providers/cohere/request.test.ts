import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { CallTarget, ChatRequest, SlotSettings } from '../types.js';
import { buildChatRequest, buildCohereBody } from './request.js';

const NOW = new Date(0);
function target(model = 'command-a-03-2025', settings?: Partial<SlotSettings>): CallTarget {
  return callTarget('cohere', model, settings ? { settings } : {});
}
const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const tools: ChatRequest['tools'] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time' } },
];

describe('Cohere request', () => {
  it('posts to /v2/chat with a Bearer key, the configured model and stream flag', () => {
    const built = buildChatRequest({ ...hello, model: 'ignored' }, target(), { stream: true, now: NOW });
    expect(built.url).toBe('https://api.cohere.com/v2/chat');
    expect(built.headers).toMatchObject({ authorization: 'Bearer test-key-0123456789', accept: 'text/event-stream' });
    expect(JSON.parse(built.body as string)).toMatchObject({ model: 'command-a-03-2025', stream: true });
  });

  it('maps messages: system and developer, user images, assistant tool calls with tool_plan, tool results', () => {
    const body = buildCohereBody(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'Metric units.' },
          { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
          {
            role: 'assistant',
            content: null,
            tool_plan: 'I will check the weather.',
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
          } as ChatRequest['messages'][number],
          { role: 'tool', tool_call_id: 'c1', content: '18°C' },
        ],
      },
      target(),
      false,
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'system', content: 'Metric units.' },
      { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }], tool_plan: 'I will check the weather.' },
      { role: 'tool', tool_call_id: 'c1', content: '18°C' },
    ]);
  });

  it('replays earlier reasoning as a thinking content item', () => {
    const body = buildCohereBody({ messages: [{ role: 'assistant', content: 'Three.', reasoning_content: 'Count them.' }] }, target(), false);
    expect(body.messages[0]).toEqual({ role: 'assistant', content: [{ type: 'thinking', thinking: 'Count them.' }, { type: 'text', text: 'Three.' }] });
  });

  it('keeps tools in the OpenAI shape and maps tool_choice', () => {
    expect(buildCohereBody({ ...hello, tools }, target(), false)).toMatchObject({ tools: [{ function: { name: 'get_weather' } }, { function: { name: 'get_time' } }] });
    expect(buildCohereBody({ ...hello, tools, tool_choice: 'auto' }, target(), false).tool_choice).toBeUndefined();
    expect(buildCohereBody({ ...hello, tools, tool_choice: 'required' }, target(), false).tool_choice).toBe('REQUIRED');
    expect(buildCohereBody({ ...hello, tools, tool_choice: 'none' }, target(), false).tool_choice).toBe('NONE');
  });

  it('offers only the named tool and requires it for a named tool_choice', () => {
    const body = buildCohereBody({ ...hello, tools, tool_choice: { type: 'function', function: { name: 'get_time' } } }, target(), false);
    expect(body.tools?.map((t) => t.function.name)).toEqual(['get_time']);
    expect(body.tool_choice).toBe('REQUIRED');
  });

  it('renames sampling fields and applies the slot defaults', () => {
    expect(buildCohereBody({ ...hello, max_tokens: 10, max_completion_tokens: 20, temperature: 0.1, top_p: 0.8, stop: 'END', seed: 7 }, target(), false)).toMatchObject({
      max_tokens: 20,
      temperature: 0.1,
      p: 0.8,
      stop_sequences: ['END'],
      seed: 7,
    });
    expect(buildCohereBody(hello, target('command-a-03-2025', { temperature: 0.3, maxOutputTokens: 500 }), false)).toMatchObject({ max_tokens: 500, temperature: 0.3 });
  });

  it('asks for JSON with json_object, and with the schema for json_schema', () => {
    expect(buildCohereBody({ ...hello, response_format: { type: 'json_object' } }, target(), false).response_format).toEqual({ type: 'json_object' });
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    expect(buildCohereBody({ ...hello, response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }, target(), false).response_format).toEqual({
      type: 'json_object',
      json_schema: schema,
    });
  });

  it('maps reasoning presets to thinking on reasoning models only', () => {
    const reasoningModel = 'command-a-reasoning-08-2025';
    expect(buildCohereBody(hello, target(reasoningModel, { reasoning: { level: 'low', custom: null } }), false).thinking).toEqual({ type: 'enabled', token_budget: 2048 });
    expect(buildCohereBody(hello, target(reasoningModel, { reasoning: { level: 'high', custom: null } }), false).thinking).toEqual({ type: 'enabled' });
    expect(buildCohereBody(hello, target(reasoningModel, { reasoning: { level: 'off', custom: null } }), false).thinking).toEqual({ type: 'disabled' });
    expect(buildCohereBody({ ...hello, reasoning_effort: 'none' }, target(reasoningModel, { reasoning: { level: 'high', custom: null } }), false).thinking).toEqual({ type: 'disabled' });
    expect(buildCohereBody(hello, target('command-a-03-2025', { reasoning: { level: 'high', custom: null } }), false).thinking).toBeUndefined();
  });

  it('merges a custom override in snake_case, replacing the preset', () => {
    const settings = { reasoning: { level: 'custom' as const, custom: { thinking: { type: 'enabled', tokenBudget: 3000 }, safetyMode: 'OFF' } } };
    const body = buildCohereBody(hello, target('command-a-reasoning-08-2025', settings), false);
    expect(body.thinking).toEqual({ type: 'enabled', token_budget: 3000 });
    expect(body.safety_mode).toBe('OFF');
  });
});
