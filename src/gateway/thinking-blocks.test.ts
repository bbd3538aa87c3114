import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, ChatRequest } from '../providers/types.js';
import { stampChunkBlocks, withoutForeignBlocks } from './thinking-blocks.js';

describe('thinking blocks across a failover', () => {
  const request: ChatRequest = {
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a', thinking_blocks: [{ type: 'thinking', signature: 'gem', provider: 'gemini' } as never, { type: 'thinking', thinking: 't', signature: 'ant', provider: 'anthropic' } as never] },
      { role: 'assistant', content: 'b', thinking_blocks: [{ type: 'thinking', thinking: 'x', signature: 'legacy' }] },
    ],
  };

  it("strips another family's signatures and keeps the family's own and unstamped ones", () => {
    const forAnthropic = withoutForeignBlocks(request, 'anthropic');
    expect(forAnthropic.messages[1].thinking_blocks).toEqual([{ type: 'thinking', thinking: 't', signature: 'ant', provider: 'anthropic' }]);
    expect(forAnthropic.messages[2].thinking_blocks).toHaveLength(1);
    const forOpenAi = withoutForeignBlocks(request, 'openai');
    expect(forOpenAi.messages[1].thinking_blocks).toBeUndefined();
  });

  it('returns the same request object when nothing is foreign', () => {
    const plain: ChatRequest = { messages: [{ role: 'user', content: 'q' }] };
    expect(withoutForeignBlocks(plain, 'gemini')).toBe(plain);
  });

  it('stamps blocks in a chunk with the family that minted them', () => {
    const chunk: ChatCompletionChunk = { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { thinking_blocks: [{ type: 'thinking', signature: 's' }] }, finish_reason: null }] };
    stampChunkBlocks(chunk, 'gemini');
    expect(chunk.choices[0].delta.thinking_blocks?.[0]).toMatchObject({ provider: 'gemini' });
  });
});
