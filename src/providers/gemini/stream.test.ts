import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { ChatCompletionChunk, StreamStep } from '../types.js';
import { fixtureBytes } from './fixtures.test-helpers.js';
import { geminiAdapter } from './index.js';

const target = callTarget('google', 'gemini-3-pro-preview');
const meta = { id: 'chatcmpl-s1', created: 1_767_225_600, model: 'gemini-3-pro-preview' };

/** Feeds the fixture in slices of `size` bytes, so events and UTF-8 split anywhere. */
function run(name: string, size = Number.MAX_SAFE_INTEGER) {
  const translator = geminiAdapter.createStreamTranslator(target, meta);
  const bytes = fixtureBytes(name);
  const steps: StreamStep[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) steps.push(translator.push(bytes.slice(offset, offset + size)));
  const last = translator.finish();
  steps.push(last);
  const chunks: ChatCompletionChunk[] = steps.flatMap((s) => s.chunks);
  return { chunks, steps, last, translator, error: steps.find((s) => s.error)?.error };
}

const deltas = (chunks: ChatCompletionChunk[]) => chunks.flatMap((c) => c.choices.map((choice) => choice.delta));
const text = (chunks: ChatCompletionChunk[]) => deltas(chunks).map((d) => d.content ?? '').join('');

describe('Gemini stream translation', () => {
  it('streams text, with the role on the first chunk and a stop finish', () => {
    const { chunks, error, steps } = run('text.sse');
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('Hello from Gemini!');
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
    expect(chunks.every((c) => c.id === 'chatcmpl-s1' && c.object === 'chat.completion.chunk' && c.model === 'gemini-3-pro-preview')).toBe(true);
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    expect(steps.some((s) => s.done)).toBe(true);
  });

  it('ends with one usage chunk carrying the last usage figures', () => {
    const { chunks, translator } = run('text.sse');
    const usageChunks = chunks.filter((c) => c.usage);
    expect(usageChunks).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
    expect(translator.usage()).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('gives the same result however the bytes are split', () => {
    for (const size of [1, 7, 64]) {
      expect(text(run('text.sse', size).chunks)).toBe('Hello from Gemini!');
      expect(run('reasoning.sse', size).chunks).toEqual(run('reasoning.sse').chunks);
    }
  });

  it('streams thought parts as reasoning_content and the signature as thinking_blocks', () => {
    const { chunks } = run('reasoning.sse');
    const all = deltas(chunks);
    expect(all.map((d) => d.reasoning_content ?? '').join('')).toBe("**Counting**\n\nI count the r's.");
    expect(text(chunks)).toBe('There are 3.');
    expect(all.flatMap((d) => d.thinking_blocks ?? [])).toEqual([
      { type: 'thinking', signature: 'EpAICo0IAb4+9vuku3oDHR5EQSMfPm5IpmH06lgm9aGICNAJ' },
    ]);
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 260,
      total_tokens: 269,
      prompt_tokens_details: { cached_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 256 },
    });
  });

  it('streams each function call as one tool-call delta with a stable index, id and "{}" for no arguments', () => {
    const { chunks } = run('tool-calls.sse');
    const calls = deltas(chunks).flatMap((d) => d.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: 'call_s1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { index: 1, id: 'call_s1_1', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    expect(deltas(chunks).flatMap((d) => d.thinking_blocks ?? [])).toHaveLength(1);
  });

  it('reports a stream cut before any finishReason as truncated', () => {
    const { last, chunks } = run('truncated.sse');
    expect(text(chunks)).toBe('The answer is');
    expect(last.error?.kind).toBe('truncated');
    expect(last.done).toBe(false);
  });

  it('classifies an error event inside the stream', () => {
    const { error, chunks } = run('error-midstream.sse');
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ kind: 'server', status: 503 });
  });

  it('finishes a blocked prompt with content_filter', () => {
    const { chunks, last } = run('prompt-blocked.sse');
    expect(last.error).toBeUndefined();
    expect(chunks[0].choices[0]).toEqual({ index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter' });
  });

  it('reports undecodable JSON as invalid_response', () => {
    expect(run('not-json.sse').error?.kind).toBe('invalid_response');
  });
});
