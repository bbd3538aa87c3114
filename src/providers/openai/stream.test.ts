import { describe, expect, it } from 'vitest';
import { OpenAiStreamTranslator } from './stream.js';
import { META, assemble, firstError, fixtureText, runStream } from './test-support.js';

const here = new URL('.', import.meta.url);

function run(name: string, pieceSize?: number) {
  return runStream(new OpenAiStreamTranslator(META), fixtureText(here, name), pieceSize);
}

describe('openai family stream', () => {
  it('restamps every chunk, sends the role first, and ends with one usage chunk', () => {
    const { chunks, final, steps } = run('stream-text.sse');
    expect(chunks.every((c) => c.id === META.id && c.model === META.model && c.created === META.created && c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(assemble(chunks)).toMatchObject({ content: 'Hello there!', finishReason: 'stop' });
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 });
    expect(chunks.filter((c) => c.usage).length).toBe(1);
    expect(steps.some((s) => s.done)).toBe(true);
    expect(final.error).toBeUndefined();
  });

  it('reports usage through usage() too', () => {
    const translator = new OpenAiStreamTranslator(META);
    runStream(translator, fixtureText(here, 'stream-text.sse'));
    expect(translator.usage()).toMatchObject({ prompt_tokens: 20, completion_tokens: 9 });
  });

  it('assembles tool calls with stable indexes and gives an argument-less call "{}" before the finish', () => {
    const { chunks } = run('stream-tool-calls.sse');
    const assembled = assemble(chunks);
    expect(assembled.toolCalls).toEqual([
      { id: 'call_weather', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_time', name: 'get_time', arguments: '{}' },
    ]);
    expect(assembled.finishReason).toBe('tool_calls');
    const finishAt = chunks.findIndex((c) => c.choices[0]?.finish_reason);
    const braces = chunks.findIndex((c) => c.choices[0]?.delta.tool_calls?.[0]?.function.arguments === '{}');
    expect(braces).toBeGreaterThan(-1);
    expect(braces).toBeLessThan(finishAt);
  });

  it('indexes whole tool calls sent without an index, and finishes them as tool_calls', () => {
    const assembled = assemble(run('stream-no-index-tools.sse').chunks);
    expect(assembled.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ['call_a1', 'get_weather', '{"city":"Paris"}'],
      ['call_b2', 'get_time', '{}'],
    ]);
    expect(assembled.finishReason).toBe('tool_calls');
  });

  it('streams DeepSeek reasoning_content and takes usage from the finish chunk', () => {
    const translator = new OpenAiStreamTranslator(META);
    const { chunks } = runStream(translator, fixtureText(here, 'stream-deepseek-reasoning.sse'));
    expect(assemble(chunks)).toMatchObject({ reasoning: 'Compare tenths.', content: '9.8 is larger.' });
    expect(chunks.some((c) => c.choices[0] && 'reasoning_content' in c.choices[0].delta && c.choices[0].delta.reasoning_content === null)).toBe(false);
    expect(chunks.filter((c) => c.choices.length > 0).every((c) => c.usage === undefined)).toBe(true);
    expect(translator.usage()).toMatchObject({ prompt_tokens: 40, prompt_tokens_details: { cached_tokens: 32 }, completion_tokens_details: { reasoning_tokens: 18 } });
  });

  it('renames a `reasoning` delta (vLLM, Groq) to reasoning_content', () => {
    const { chunks } = run('stream-vllm-reasoning.sse');
    expect(assemble(chunks)).toMatchObject({ reasoning: 'Thinking.', content: 'Paris.' });
    expect(chunks.some((c) => c.choices[0] && 'reasoning' in c.choices[0].delta)).toBe(false);
  });

  it("takes Groq's usage from x_groq", () => {
    const { chunks } = run('stream-groq.sse');
    expect(chunks[chunks.length - 1].usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 });
    expect(assemble(chunks).reasoning).toBe('User says hi.');
  });

  it("takes Moonshot's usage from inside the choice and its cached_tokens as cache hits", () => {
    const translator = new OpenAiStreamTranslator(META);
    const { chunks } = runStream(translator, fixtureText(here, 'stream-moonshot-choice-usage.sse'));
    expect(translator.usage()).toMatchObject({ prompt_tokens: 19, prompt_tokens_details: { cached_tokens: 16 } });
    expect(chunks.some((c) => c.choices[0] && 'usage' in c.choices[0])).toBe(false);
  });

  it('accepts a finish_reason followed by the end of the body as the end', () => {
    const { final, chunks } = run('stream-finish-without-done.sse');
    expect(final.error).toBeUndefined();
    expect(final.done).toBe(true);
    expect(assemble(chunks)).toMatchObject({ content: 'Done.', finishReason: 'length' });
  });

  it('reports a body that ends without a finish_reason or [DONE] as truncated', () => {
    const { final, chunks } = run('stream-truncated.sse');
    expect(final.error?.kind).toBe('truncated');
    expect(assemble(chunks).content).toBe('Half an ans');
  });

  it('classifies an error event in the stream and keeps what came before it', () => {
    const result = run('stream-error.sse');
    expect(firstError(result)?.kind).toBe('server');
    expect(firstError(result)?.providerMessage).toContain('The server had an error');
    expect(assemble(result.chunks).content).toBe('The');
  });

  it('reports undecodable JSON as invalid_response', () => {
    expect(firstError(run('stream-undecodable.sse'))?.kind).toBe('invalid_response');
  });

  it("reports Z.ai's network_error finish as a server failure", () => {
    const result = run('stream-zai-network-error.sse');
    expect(firstError(result)?.kind).toBe('server');
    expect(assemble(result.chunks).finishReason).toBeNull();
  });

  it('gives the same result however the bytes are split', () => {
    for (const name of ['stream-tool-calls.sse', 'stream-deepseek-reasoning.sse', 'stream-text.sse']) {
      expect(assemble(run(name, 1).chunks)).toEqual(assemble(run(name, 4096).chunks));
    }
  });
});
