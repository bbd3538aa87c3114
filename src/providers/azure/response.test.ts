import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { UpstreamError, type ChatCompletion, type ChatCompletionChunk, type StreamStep } from '../types.js';
import { azureAdapter } from './index.js';
import { fixture, jsonFixture, META } from './test-support.js';

const target = callTarget('azure_openai', 'gpt-4o', { params: { resourceName: 'contoso' } });

function run(text: string, chunkSize = text.length): { chunks: ChatCompletionChunk[]; steps: StreamStep[] } {
  const bytes = new TextEncoder().encode(text);
  const translator = azureAdapter.createStreamTranslator(target, META);
  const steps: StreamStep[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) steps.push(translator.push(bytes.subarray(i, i + chunkSize)));
  steps.push(translator.finish());
  return { chunks: steps.flatMap((s) => s.chunks), steps };
}

describe('Azure OpenAI responses', () => {
  it('reads a completion with our id and model and OpenAI usage', () => {
    const completion = azureAdapter.parseChatResponse(jsonFixture('chat-completion.json'), target, META) as ChatCompletion;
    expect(completion).toMatchObject({ id: META.id, model: META.model, object: 'chat.completion' });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'Hello! How can I help?' } });
    expect(completion.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 7, total_tokens: 26 });
  });

  it('reports a filtered answer as content_filter', () => {
    const completion = azureAdapter.parseChatResponse(jsonFixture('chat-content-filtered.json'), target, META);
    expect(completion).not.toBeInstanceOf(UpstreamError);
    expect((completion as ChatCompletion).choices[0].finish_reason).toBe('content_filter');
  });

  it('skips the early choices: [] chunk that only carries prompt_filter_results', () => {
    const { chunks, steps } = run(fixture('stream.sse'));
    expect(steps.some((s) => s.error)).toBe(false);
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    expect(withChoices[0].choices[0].delta.role).toBe('assistant');
    expect(withChoices.every((c) => c.id === META.id && c.model === META.model)).toBe(true);
    expect(withChoices.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Hello there');
    expect(withChoices.at(-1)?.choices[0].finish_reason).toBe('stop');
    const usageChunks = chunks.filter((c) => c.choices.length === 0);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 });
  });

  it('gives the same chunks however the bytes are split', () => {
    const text = fixture('stream.sse');
    expect(run(text, 5).chunks).toEqual(run(text).chunks);
  });

  it('reports a stream cut before its finish as truncated', () => {
    const text = fixture('stream.sse');
    const finishEvent = text.lastIndexOf('data: ', text.indexOf('"finish_reason":"stop"'));
    const { steps } = run(text.slice(0, finishEvent));
    expect(steps.at(-1)?.error?.kind).toBe('truncated');
  });
});
