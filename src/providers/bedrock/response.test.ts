import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { UpstreamError, type ChatCompletion } from '../types.js';
import { parseChatResponse } from './response.js';
import { jsonFixture, META } from './test-support.js';

const target = callTarget('bedrock', META.model, { params: { region: 'us-east-1' } });

function parse(body: unknown): ChatCompletion {
  const result = parseChatResponse(body, target, META);
  if (result instanceof UpstreamError) throw result;
  return result;
}

describe('Bedrock Converse responses', () => {
  it('returns text with the gateway id and model, and usage counting cache reads as prompt tokens', () => {
    const completion = parse(jsonFixture('converse-text.json'));
    expect(completion).toMatchObject({ id: META.id, object: 'chat.completion', created: META.created, model: META.model });
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'Paris is the capital of France.' },
      finish_reason: 'stop',
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 112,
      completion_tokens: 8,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it('returns tool calls with JSON arguments, "{}" for a call without input', () => {
    const completion = parse(jsonFixture('converse-tool-use.json'));
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.content).toBe('Let me check the weather.');
    expect(completion.choices[0].message.tool_calls).toEqual([
      { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'tooluse_noargs0000000000000', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
  });

  it('returns reasoning as reasoning_content and the signed and redacted blocks as thinking_blocks', () => {
    const message = parse(jsonFixture('converse-reasoning.json')).choices[0].message;
    expect(message.content).toBe('4');
    expect(message.reasoning_content).toBe('The user asks for 2+2. That is 4.');
    expect(message.thinking_blocks).toEqual([
      { type: 'thinking', thinking: 'The user asks for 2+2. That is 4.', signature: 'ErUBCkYIBRgCIkBexampleSignature==' },
      { type: 'redacted_thinking', data: 'RXhhbXBsZVJlZGFjdGVkQnl0ZXM=' },
    ]);
  });

  it('reports content filtering and guardrails as content_filter, context overflow as length', () => {
    const body = jsonFixture<Record<string, unknown>>('converse-text.json');
    expect(parse({ ...body, stopReason: 'guardrail_intervened' }).choices[0].finish_reason).toBe('content_filter');
    expect(parse({ ...body, stopReason: 'content_filtered' }).choices[0].finish_reason).toBe('content_filter');
    expect(parse({ ...body, stopReason: 'model_context_window_exceeded' }).choices[0].finish_reason).toBe('length');
    expect(parse({ ...body, stopReason: 'max_tokens' }).choices[0].finish_reason).toBe('length');
  });

  it('turns malformed model output into a server error (a retry or the fallback may succeed)', () => {
    const result = parseChatResponse({ ...jsonFixture<object>('converse-text.json'), stopReason: 'malformed_tool_use' }, target, META);
    expect(result).toBeInstanceOf(UpstreamError);
    expect((result as UpstreamError).kind).toBe('server');
  });

  it('reports a body without output as invalid_response', () => {
    const result = parseChatResponse({ message: 'odd' }, target, META);
    expect((result as UpstreamError).kind).toBe('invalid_response');
  });
});
