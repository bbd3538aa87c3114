import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { UpstreamError, type ChatCompletion } from '../types.js';
import { parseChatResponse } from './response.js';
import { META, fixtureJson } from './test-support.js';

const here = new URL('.', import.meta.url);
const target = callTarget('openai', 'gpt-5.4');

function parse(name: string): ChatCompletion {
  const result = parseChatResponse(fixtureJson(here, name), target, META);
  if (result instanceof UpstreamError) throw result;
  return result;
}

describe('openai family response', () => {
  it("answers with the gateway's id and model and keeps usage in OpenAI meaning", () => {
    const completion = parse('chat-completion.json');
    expect(completion).toMatchObject({ id: META.id, object: 'chat.completion', created: META.created, model: META.model });
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello! How can I help?' } });
    expect(completion.usage).toMatchObject({
      prompt_tokens: 1117,
      completion_tokens: 46,
      total_tokens: 1163,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 32 },
    });
    expect((completion as unknown as Record<string, unknown>).service_tier).toBe('default');
  });

  it('gives a tool called without arguments "{}"', () => {
    const message = parse('chat-completion-tool-calls.json').choices[0].message;
    expect(message.tool_calls).toEqual([
      { id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_def456', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(parse('chat-completion-tool-calls.json').choices[0].finish_reason).toBe('tool_calls');
  });

  it('keeps DeepSeek reasoning_content and reports its cache hits as cached_tokens', () => {
    expect(parse('deepseek-reasoning.json').choices[0].message.reasoning_content).toBe('Compare the tenths digit: 1 < 8.');
    expect(parse('deepseek-cache-hit.json').usage).toMatchObject({ prompt_tokens: 2048, prompt_tokens_details: { cached_tokens: 1920 } });
  });

  it('renames `reasoning` (vLLM, Groq, Ollama) to reasoning_content and drops empty fields', () => {
    const completion = parse('vllm-reasoning.json');
    const message = completion.choices[0].message;
    expect(message.reasoning_content).toBe('The capital of France is Paris.');
    expect(message).not.toHaveProperty('reasoning');
    expect(message).not.toHaveProperty('tool_calls');
    expect(completion.usage).not.toHaveProperty('prompt_tokens_details');
  });

  it('puts Perplexity citations and search results on the message', () => {
    const message = parse('perplexity-citations.json').choices[0].message;
    expect(message.citations).toEqual(['https://www.example.com/a', 'https://www.example.com/b']);
    expect(message.search_results).toEqual([{ title: 'Example A', url: 'https://www.example.com/a', date: '2025-01-01' }]);
  });

  it('turns an error inside a 200 body into an UpstreamError', () => {
    const result = parseChatResponse(fixtureJson(here, 'error-in-200.json'), target, META);
    expect(result).toBeInstanceOf(UpstreamError);
    expect((result as UpstreamError).kind).toBe('server');
    expect((result as UpstreamError).providerMessage).toContain('The server had an error');
  });

  it("reads Z.ai's network_error finish as a server failure, not an answer", () => {
    const result = parseChatResponse(fixtureJson(here, 'zai-network-error.json'), callTarget('zai', 'glm-5.1'), META);
    expect(result).toBeInstanceOf(UpstreamError);
    expect((result as UpstreamError).kind).toBe('server');
  });

  it('reports a body without choices as invalid', () => {
    expect((parseChatResponse('nope', target, META) as UpstreamError).kind).toBe('invalid_response');
    expect((parseChatResponse({ id: 'x' }, target, META) as UpstreamError).kind).toBe('invalid_response');
  });

  it('finishes with tool_calls when a server says stop after calling a tool', () => {
    const body = { choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"a":1}' } }] } }] };
    const completion = parseChatResponse(body, target, META) as ChatCompletion;
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls?.[0].type).toBe('function');
    expect(completion).not.toHaveProperty('usage');
  });
});
