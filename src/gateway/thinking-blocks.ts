// Opaque reasoning blocks (signatures) are valid only for the provider family that
// minted them. The gateway stamps each block it returns with its family, and strips
// blocks of another family from a request, so a conversation that moved between Main
// and Fallback never replays one provider's signature to another (which answers 400).
import type { ChatCompletionChunk, ChatMessage, ChatRequest, ThinkingBlock, WireFamily } from '../providers/types.js';

type StampedBlock = ThinkingBlock & { provider?: string };

function stamp(blocks: StampedBlock[] | undefined, family: WireFamily): void {
  if (!blocks) return;
  for (const block of blocks) block.provider = family;
}

export function stampCompletionBlocks(choices: Array<{ message: { thinking_blocks?: ThinkingBlock[] } }>, family: WireFamily): void {
  for (const choice of choices) stamp(choice.message.thinking_blocks, family);
}

export function stampChunkBlocks(chunk: ChatCompletionChunk, family: WireFamily): void {
  for (const choice of chunk.choices) stamp(choice.delta.thinking_blocks, family);
}

function isForeign(block: StampedBlock, family: WireFamily): boolean {
  return block.provider !== undefined && block.provider !== family;
}

/** The request as the family should see it: unchanged (same object) unless it carries another family's blocks. */
export function withoutForeignBlocks(request: ChatRequest, family: WireFamily): ChatRequest {
  const foreign = request.messages.some((m) => m.thinking_blocks?.some((b) => isForeign(b as StampedBlock, family)));
  if (!foreign) return request;
  const messages: ChatMessage[] = request.messages.map((message) => {
    if (!message.thinking_blocks) return message;
    const kept = message.thinking_blocks.filter((b) => !isForeign(b as StampedBlock, family));
    const { thinking_blocks: _dropped, ...rest } = message;
    return kept.length ? { ...rest, thinking_blocks: kept } : rest;
  });
  return { ...request, messages };
}
