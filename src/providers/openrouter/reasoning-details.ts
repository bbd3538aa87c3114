// OpenRouter `reasoning_details` ⇄ canonical `thinking_blocks`. The caller gets each
// detail as a thinking block (text in `thinking`, the rest of the detail, opaque, in
// `data`) and sends it back unchanged; we rebuild the exact detail so the model keeps
// its reasoning across a tool loop (openrouter.ai/docs/use-cases/reasoning-tokens,
// "Preserving reasoning blocks").
import type { StreamExtension } from '../openai/stream.js';
import type { WireMessage } from '../openai/wire.js';
import type { ChunkDelta, ThinkingBlock } from '../types.js';
import type { WireReasoningDetail } from './wire.js';

/** Marks blocks we minted; blocks from other providers (after a failover) mean nothing to OpenRouter and are dropped. */
const DATA_PREFIX = 'openrouter:';

function textField(detail: WireReasoningDetail): 'text' | 'summary' | null {
  if (detail.type === 'reasoning.summary') return 'summary';
  if (detail.type === 'reasoning.text') return 'text';
  return null;
}

export function toThinkingBlock(detail: WireReasoningDetail): ThinkingBlock {
  const field = textField(detail);
  const rest: WireReasoningDetail = { ...detail };
  let thinking: string | undefined;
  if (field !== null) {
    thinking = typeof detail[field] === 'string' ? (detail[field] as string) : undefined;
    delete rest[field];
  }
  const block: ThinkingBlock = { type: detail.type === 'reasoning.encrypted' ? 'redacted_thinking' : 'thinking', data: DATA_PREFIX + JSON.stringify(rest) };
  if (thinking !== undefined) block.thinking = thinking;
  if (typeof detail.signature === 'string') block.signature = detail.signature;
  return block;
}

/** Inbound assistant thinking_blocks → `reasoning_details`, or nothing when none came from OpenRouter. */
export function thinkingBlocksToReasoningDetails(blocks: ThinkingBlock[]): Record<string, unknown> | null {
  const details: WireReasoningDetail[] = [];
  for (const block of blocks) {
    if (typeof block.data !== 'string' || !block.data.startsWith(DATA_PREFIX)) continue;
    let detail: WireReasoningDetail;
    try {
      detail = JSON.parse(block.data.slice(DATA_PREFIX.length)) as WireReasoningDetail;
    } catch {
      continue;
    }
    const field = textField(detail);
    if (field !== null && block.thinking !== undefined) detail[field] = block.thinking;
    details.push(detail);
  }
  return details.length > 0 ? { reasoning_details: details } : null;
}

const CONCATENATED: ReadonlySet<string> = new Set(['text', 'summary', 'data']);

/**
 * Streams send reasoning_details in fragments (same `index`, text split across chunks,
 * signature on a later one). They are collected per choice and sent once, as complete
 * thinking_blocks, just before the choice's finish chunk; the text itself already
 * streamed as reasoning_content.
 */
export class ReasoningDetailsCollector implements StreamExtension {
  readonly #choices: Array<Map<number, WireReasoningDetail>> = [];

  onDelta(choiceIndex: number, delta: WireMessage): void {
    const details = delta.reasoning_details;
    if (details === undefined) return;
    delete delta.reasoning_details;
    if (!Array.isArray(details)) return;
    let collected = this.#choices[choiceIndex];
    if (!collected) collected = this.#choices[choiceIndex] = new Map();
    for (const fragment of details as WireReasoningDetail[]) {
      const key = typeof fragment.index === 'number' ? fragment.index : collected.size;
      const existing = collected.get(key);
      if (!existing) {
        collected.set(key, { ...fragment });
        continue;
      }
      for (const [name, value] of Object.entries(fragment)) {
        if (value === null || value === undefined) continue;
        existing[name] = CONCATENATED.has(name) && typeof value === 'string' ? `${(existing[name] as string | undefined) ?? ''}${value}` : value;
      }
    }
  }

  beforeFinish(choiceIndex: number): ChunkDelta | null {
    const collected = this.#choices[choiceIndex];
    if (!collected || collected.size === 0) return null;
    return { thinking_blocks: [...collected.values()].map(toThinkingBlock) };
  }
}
