import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { UpstreamError, type ChatCompletion } from '../types.js';
import { fixtureJson } from './fixtures.test-helpers.js';
import { parseChatResponse } from './response.js';

const target = callTarget('google', 'gemini-2.5-flash');
const meta = { id: 'chatcmpl-abc123', created: 1_767_225_600, model: 'gemini-2.5-flash' };

function parse(name: string): ChatCompletion {
  const result = parseChatResponse(fixtureJson(name), target, meta);
  if (result instanceof UpstreamError) throw result;
  return result;
}

describe('parseChatResponse', () => {
  it('returns text with the gateway id, model and OpenAI usage', () => {
    const completion = parse('text.json');
    expect(completion).toMatchObject({ id: 'chatcmpl-abc123', object: 'chat.completion', created: 1_767_225_600, model: 'gemini-2.5-flash' });
    expect(completion.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Paris is the capital of France.' }, finish_reason: 'stop' },
    ]);
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
  });

  it('returns thought parts as reasoning_content and signatures as thinking_blocks', () => {
    const { message } = parse('reasoning.json').choices[0];
    expect(message.content).toBe('There are **3** "r"s in strawberry.');
    expect(message.reasoning_content).toContain('Counting letters');
    expect(message.content).not.toContain('Counting');
    expect(message.thinking_blocks).toEqual([{ type: 'thinking', signature: 'CpwBAdHtim9sigText0001+/=' }]);
  });

  it('counts thoughts into completion tokens and reports cached and reasoning tokens', () => {
    expect(parse('reasoning.json').usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 267,
      total_tokens: 276,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 256 },
    });
  });

  it('returns function calls as tool_calls with generated stable ids and "{}" for no arguments', () => {
    const completion = parse('tool-calls-gemini3.json');
    const { message, finish_reason } = completion.choices[0];
    expect(finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([
      { id: 'call_abc123_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_abc123_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
      { id: 'call_abc123_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(message.thinking_blocks).toEqual([{ type: 'thinking', signature: 'Eqo+Cqc+Ab4+9vtgONaaz6qwy6WXdp7gCd2w0X' }]);
    expect(parse('tool-calls-gemini3.json').choices[0].message.tool_calls?.[0].id).toBe('call_abc123_0');
  });

  it('reports a blocked prompt (no candidates) as content_filter', () => {
    const completion = parse('prompt-blocked.json');
    expect(completion.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' });
    expect(completion.usage?.prompt_tokens).toBe(9);
  });

  it('maps SAFETY to content_filter and MAX_TOKENS to length', () => {
    expect(parse('safety.json').choices[0].finish_reason).toBe('content_filter');
    expect(parse('max-tokens.json').choices[0].finish_reason).toBe('length');
  });

  it('treats a malformed function call with no output as an upstream failure, not an empty answer', () => {
    const result = parseChatResponse(fixtureJson('malformed-function-call.json'), target, meta);
    expect(result).toBeInstanceOf(UpstreamError);
    expect(result).toMatchObject({ kind: 'server', providerCode: 'MALFORMED_FUNCTION_CALL' });
  });

  it('classifies an error object delivered with a 200', () => {
    const result = parseChatResponse(fixtureJson('error-unavailable.json'), target, meta);
    expect(result).toMatchObject({ kind: 'server', status: 503, providerMessage: 'The model is overloaded. Please try again later.' });
  });

  it('rejects a body that is not an object', () => {
    expect(parseChatResponse('nope', target, meta)).toMatchObject({ kind: 'invalid_response' });
  });
});
