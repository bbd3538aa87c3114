// Canonical messages → the vendor's, touching only what the vendor needs changed: the
// array and each message are reused as they are unless one of the rules applies, so a
// long history costs one pass and no copies.
import type { ChatMessage, ThinkingBlock, ToolCall } from '../types.js';
import type { CompiledQuirks } from './quirks.js';

/** Turns inbound thinking_blocks into vendor fields (OpenRouter reasoning_details); absent: they are dropped. */
export type ThinkingBlocksToWire = (blocks: ThinkingBlock[]) => Record<string, unknown> | null;

const ALNUM9 = /^[a-zA-Z0-9]{9}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Mistral accepts only 9-alphanumeric tool call ids. Ids from other providers are
 * hashed (FNV-1a, two seeds) to 9 characters, the same way on the call and on its
 * result, so the pair still matches; Mistral's own ids pass unchanged.
 */
export function toAlnum9(id: string): string {
  if (ALNUM9.test(id)) return id;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  let out = '';
  for (let i = 0; i < 9; i++) {
    const source = i < 5 ? a : b;
    out += ALPHABET[(source >>> ((i % 5) * 6)) % 62];
  }
  return out;
}

function needsChange(message: ChatMessage, rules: CompiledQuirks): boolean {
  if (message.role === 'developer' && !rules.acceptsDeveloperRole) return true;
  if (message.thinking_blocks !== undefined) return true;
  if (message.reasoning_content !== undefined && rules.assistantReasoningField !== undefined) return true;
  if (rules.toolCallIdsAlnum9) {
    if (message.tool_call_id !== undefined && !ALNUM9.test(message.tool_call_id)) return true;
    if (message.tool_calls?.some((call) => !ALNUM9.test(call.id))) return true;
  }
  return false;
}

function adaptMessage(message: ChatMessage, rules: CompiledQuirks, blocksToWire?: ThinkingBlocksToWire): Record<string, unknown> {
  const { thinking_blocks: blocks, reasoning_content: reasoning, ...rest } = message;
  const out: Record<string, unknown> = rest;
  if (message.role === 'developer' && !rules.acceptsDeveloperRole) out.role = 'system';
  if (reasoning !== undefined) {
    const field = rules.assistantReasoningField === undefined ? 'reasoning_content' : rules.assistantReasoningField;
    if (field !== null) out[field] = reasoning;
  }
  if (blocks !== undefined && blocksToWire) Object.assign(out, blocksToWire(blocks));
  if (rules.toolCallIdsAlnum9) {
    if (message.tool_call_id !== undefined) out.tool_call_id = toAlnum9(message.tool_call_id);
    if (message.tool_calls) out.tool_calls = message.tool_calls.map((call): ToolCall => ({ ...call, id: toAlnum9(call.id) }));
  }
  return out;
}

export function adaptMessages(messages: ChatMessage[], rules: CompiledQuirks, blocksToWire?: ThinkingBlocksToWire): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (!needsChange(message, rules)) {
      if (out) out.push(message);
      continue;
    }
    out ??= messages.slice(0, i);
    out.push(adaptMessage(message, rules, blocksToWire));
  }
  return out ?? messages;
}
