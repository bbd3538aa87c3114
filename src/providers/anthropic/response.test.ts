import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { UpstreamError, type ChatCompletion } from '../types.js';
import { mapStopReason } from './finish-reason.js';
import { parseChatResponse } from './response.js';
import { META, fixtureJson } from './test-support.js';

const target = callTarget('anthropic', 'claude-sonnet-4-6');

function completion(name: string): ChatCompletion {
  const parsed = parseChatResponse(fixtureJson(name), target, META);
  if (parsed instanceof UpstreamError) throw parsed;
  return parsed;
}

describe('anthropic response', () => {
  it('returns the text with our id and model, and usage in OpenAI meaning (cache reads and writes in prompt_tokens)', () => {
    const result = completion('response-text.json');
    expect(result).toMatchObject({ id: META.id, object: 'chat.completion', created: META.created, model: META.model });
    expect(result.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' },
    ]);
    expect(result.usage).toEqual({
      prompt_tokens: 12 + 100 + 2048,
      completion_tokens: 9,
      total_tokens: 12 + 100 + 2048 + 9,
      prompt_tokens_details: { cached_tokens: 2048, cache_creation_tokens: 100 },
    });
  });

  it('returns tool calls, reasoning text and the opaque thinking blocks in order', () => {
    const result = completion('response-thinking-tool-use.json');
    const { message, finish_reason } = result.choices[0];
    expect(finish_reason).toBe('tool_calls');
    expect(message.content).toBe('Let me check the weather.');
    expect(message.reasoning_content).toBe('The user wants the weather in Paris; I should call get_weather.');
    expect(message.thinking_blocks).toEqual([
      {
        type: 'thinking',
        thinking: 'The user wants the weather in Paris; I should call get_weather.',
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
      },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' },
    ]);
    expect(message.tool_calls).toEqual([
      { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } },
      { id: 'toolu_01B7nQ8zWv3vRk2uGfJ5xT4p', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(result.usage?.completion_tokens_details).toEqual({ reasoning_tokens: 61 });
    expect(result.usage?.completion_tokens).toBe(156);
  });

  it('reports a refusal as content_filter with null content', () => {
    const { message, finish_reason } = completion('response-refusal.json').choices[0];
    expect(finish_reason).toBe('content_filter');
    expect(message.content).toBeNull();
  });

  it('classifies an error object inside a 200 body', () => {
    const result = parseChatResponse(fixtureJson('error-overloaded.json'), target, META);
    expect(result).toBeInstanceOf(UpstreamError);
    expect(result).toMatchObject({ kind: 'server', providerCode: 'overloaded_error', providerMessage: 'Overloaded' });
  });

  it('calls a 200 without a message body an invalid response', () => {
    expect(parseChatResponse({ hello: 'world' }, target, META)).toMatchObject({ kind: 'invalid_response' });
    expect(parseChatResponse('not json', target, META)).toMatchObject({ kind: 'invalid_response' });
  });
});

describe('anthropic stop reasons', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['something_new', 'stop'],
    [null, 'stop'],
  ])('maps %s to %s', (stopReason, finishReason) => {
    expect(mapStopReason(stopReason)).toBe(finishReason);
  });
});
