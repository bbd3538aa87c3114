import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { UpstreamError, type ChatCompletion } from '../types.js';
import { parseChatResponse } from './response.js';
import { jsonFixture, META } from './test-support.js';

const target = callTarget('cohere', META.model);
function parse(body: unknown): ChatCompletion {
  const result = parseChatResponse(body, target, META);
  if (result instanceof UpstreamError) throw result;
  return result;
}

describe('Cohere response', () => {
  it('returns text with the gateway id and model, usage from tokens with cached tokens', () => {
    const completion = parse(jsonFixture('chat-text.json'));
    expect(completion).toMatchObject({ id: META.id, model: META.model, object: 'chat.completion' });
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'LLMs are neural networks trained on large text corpora.' },
      finish_reason: 'stop',
    });
    expect(completion.usage).toEqual({ prompt_tokens: 71, completion_tokens: 11, total_tokens: 82, prompt_tokens_details: { cached_tokens: 64 } });
  });

  it('returns tool calls, "{}" for null arguments, and keeps tool_plan on the message', () => {
    const { message, finish_reason } = parse(jsonFixture('chat-tool-calls.json')).choices[0];
    expect(finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_plan).toBe('I will look up the weather in Toronto, then the time.');
    expect(message.tool_calls).toEqual([
      { id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } },
      { id: 'get_time_k8s7d6f5g4h3', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
  });

  it('returns thinking as reasoning_content', () => {
    const { message } = parse(jsonFixture('chat-reasoning.json')).choices[0];
    expect(message.content).toBe('Each brother has 3 sisters.');
    expect(message.reasoning_content).toBe("Alice's brothers have Alice plus her 2 sisters: 3 sisters.");
  });

  it('keeps citations on the message', () => {
    const { message } = parse(jsonFixture('chat-citations.json')).choices[0];
    expect(message.citations).toEqual(jsonFixture<{ message: { citations: unknown } }>('chat-citations.json').message.citations);
  });

  it('maps MAX_TOKENS to length and reports ERROR and TIMEOUT as errors', () => {
    const body = jsonFixture<Record<string, unknown>>('chat-text.json');
    expect(parse({ ...body, finish_reason: 'MAX_TOKENS' }).choices[0].finish_reason).toBe('length');
    expect(parse({ ...body, finish_reason: 'STOP_SEQUENCE' }).choices[0].finish_reason).toBe('stop');
    expect((parseChatResponse({ ...body, finish_reason: 'ERROR' }, target, META) as UpstreamError).kind).toBe('server');
    expect((parseChatResponse({ ...body, finish_reason: 'TIMEOUT' }, target, META) as UpstreamError).kind).toBe('timeout');
  });

  it('falls back to billed units when token counts are missing, and reports a body without message as invalid', () => {
    expect(parse({ finish_reason: 'COMPLETE', message: { content: [] }, usage: { billed_units: { input_tokens: 2, output_tokens: 3 } } }).usage).toEqual({
      prompt_tokens: 2,
      completion_tokens: 3,
      total_tokens: 5,
    });
    expect((parseChatResponse({ id: 'x' }, target, META) as UpstreamError).kind).toBe('invalid_response');
  });
});
