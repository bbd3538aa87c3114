import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, StreamStep } from '../types.js';
import { CohereStreamTranslator } from './stream.js';
import { fixture, META } from './test-support.js';

function run(text: string, chunkSize = text.length): { chunks: ChatCompletionChunk[]; steps: StreamStep[]; translator: CohereStreamTranslator } {
  const bytes = new TextEncoder().encode(text);
  const translator = new CohereStreamTranslator(META);
  const steps: StreamStep[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) steps.push(translator.push(bytes.subarray(i, i + chunkSize)));
  steps.push(translator.finish());
  return { chunks: steps.flatMap((s) => s.chunks), steps, translator };
}
const deltas = (chunks: ChatCompletionChunk[]) => chunks.filter((c) => c.choices.length).map((c) => c.choices[0].delta);

describe('Cohere stream', () => {
  it('streams text: role first, content, finish_reason, then usage', () => {
    const { chunks, steps, translator } = run(fixture('stream-text.sse'));
    for (const chunk of chunks) expect(chunk).toMatchObject({ id: META.id, model: META.model, created: META.created, object: 'chat.completion.chunk' });
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'A large' }, { content: ' language model' }, {}]);
    expect(chunks.filter((c) => c.choices.length).at(-1)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 69, completion_tokens: 4, total_tokens: 73 } });
    expect(translator.usage()).toEqual(chunks.at(-1)?.usage);
    expect(steps.some((s) => s.error)).toBe(false);
    expect(steps[0].done).toBe(true);
  });

  it('gives the same chunks however the bytes are split', () => {
    const text = fixture('stream-tool-calls.sse');
    expect(run(text, 1).chunks).toEqual(run(text).chunks);
    expect(run(text, 13).chunks).toEqual(run(text).chunks);
  });

  it('streams tool calls with stable indexes, id and name first, "{}" for no arguments, and the tool plan as an extra field', () => {
    const { chunks } = run(fixture('stream-tool-calls.sse'));
    const all = deltas(chunks);
    expect(all.map((d) => d.tool_plan).filter(Boolean).join('')).toBe('I will check the weather.');
    expect(all.flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: 'get_weather_nsz5zm3w56q3', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{\n    "' } },
      { index: 0, function: { arguments: 'location": "Toronto"}' } },
      { index: 1, id: 'get_time_a1b2c3d4e5f6', type: 'function', function: { name: 'get_time', arguments: '' } },
      { index: 1, function: { arguments: '{}' } },
    ]);
    expect(chunks.filter((c) => c.choices.length).at(-1)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams thinking as reasoning_content, with cached tokens in usage', () => {
    const { chunks } = run(fixture('stream-reasoning.sse'));
    const all = deltas(chunks);
    expect(all.map((d) => d.reasoning_content).filter(Boolean).join('')).toBe('Each brother has 3 sisters.');
    expect(all.map((d) => d.content).filter(Boolean).join('')).toBe('Three.');
    expect(chunks.at(-1)?.usage?.prompt_tokens_details).toEqual({ cached_tokens: 512 });
  });

  it('passes citations through on the delta', () => {
    const { chunks } = run(fixture('stream-citations.sse'));
    const citations = deltas(chunks).flatMap((d) => (d.citations as unknown[] | undefined) ?? []);
    expect(citations).toEqual([expect.objectContaining({ start: 9, end: 24, text: 'gym memberships' })]);
  });

  it('reports finish_reason ERROR in message-end as a server error with Cohere message', () => {
    const { steps } = run(fixture('stream-error.sse'));
    const failed = steps.find((s) => s.error);
    expect(failed?.error).toMatchObject({ kind: 'server', providerCode: 'ERROR', providerMessage: expect.stringContaining('internal server error') });
    expect(failed?.chunks.map((c) => c.choices[0]?.delta.content).filter(Boolean)).toEqual(['Partial']);
  });

  it('reports a stream cut before message-end as truncated', () => {
    const text = fixture('stream-text.sse');
    const { steps } = run(text.slice(0, text.indexOf('event: message-end')));
    expect(steps.at(-1)?.error?.kind).toBe('truncated');
  });

  it('reports undecodable JSON as invalid_response', () => {
    const { steps } = run('event: content-delta\ndata: {"type":"content-delta",\n\n');
    expect(steps[0].error?.kind).toBe('invalid_response');
  });
});
