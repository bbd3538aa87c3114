import { describe, expect, it } from 'vitest';
import { META, assemble, firstError, fixtureText, runStream } from '../openai/test-support.js';
import { thinkingBlocksToReasoningDetails } from './reasoning-details.js';
import { createOpenRouterTranslator } from './stream.js';

const here = new URL('.', import.meta.url);
const run = (name: string, pieceSize?: number) => runStream(createOpenRouterTranslator(META), fixtureText(here, name), pieceSize);

describe('openrouter stream', () => {
  it('ignores processing comments and streams reasoning as reasoning_content', () => {
    const { chunks, final } = run('stream-reasoning.sse');
    expect(final.error).toBeUndefined();
    expect(assemble(chunks)).toMatchObject({ reasoning: 'The user wants a greeting.', content: 'Hello!', finishReason: 'stop' });
    expect(chunks.some((c) => c.choices[0] && 'reasoning_details' in c.choices[0].delta)).toBe(false);
    expect(chunks[chunks.length - 1].usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 30, cost: 0.00049 });
  });

  it('sends the collected reasoning details once, as complete thinking blocks, before the finish chunk', () => {
    const { chunks } = run('stream-reasoning.sse', 5);
    const withBlocks = chunks.filter((c) => c.choices[0]?.delta.thinking_blocks);
    expect(withBlocks).toHaveLength(1);
    const blocks = withBlocks[0].choices[0].delta.thinking_blocks ?? [];
    expect(blocks[0]).toMatchObject({ type: 'thinking', thinking: 'The user wants a greeting.', signature: 'EqMDCkgIBhABGAIqQL1' });
    expect(thinkingBlocksToReasoningDetails(blocks)).toEqual({
      reasoning_details: [{ type: 'reasoning.text', text: 'The user wants a greeting.', signature: 'EqMDCkgIBhABGAIqQL1', format: 'anthropic-claude-v1', index: 0 }],
    });
    const finishAt = chunks.findIndex((c) => c.choices[0]?.finish_reason);
    expect(chunks.indexOf(withBlocks[0])).toBeLessThan(finishAt);
  });

  it('classifies a mid-stream error chunk and keeps the text before it', () => {
    const result = run('stream-mid-error.sse');
    expect(firstError(result)).toMatchObject({ kind: 'server', providerMessage: 'Provider disconnected unexpectedly' });
    expect(assemble(result.chunks).content).toBe('Half an');
  });

  it('reads numeric error codes in a stream as HTTP statuses', () => {
    expect(firstError(run('stream-error-first.sse'))).toMatchObject({ kind: 'rate_limited', status: 429 });
  });
});
