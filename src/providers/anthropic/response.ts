// Anthropic Message → OpenAI chat.completion (docs.claude.com/en/api/messages, "Response").
import { assistantMessage, makeCompletion } from '../shared/chunks.js';
import type { CallTarget, ChatCompletion, ResponseMeta, ThinkingBlock, ToolCall, Usage } from '../types.js';
import { UpstreamError } from '../types.js';
import { classifyErrorEvent, errorFields } from './errors.js';
import { mapStopReason } from './finish-reason.js';
import type { WireMessageResponse, WireUsage } from './wire.js';

export function parseChatResponse(body: unknown, _target: CallTarget, meta: ResponseMeta): ChatCompletion | UpstreamError {
  if (isErrorBody(body)) return classifyErrorEvent(errorFields(body));
  if (!isMessage(body)) {
    return new UpstreamError({ kind: 'invalid_response', providerMessage: 'Anthropic answered 200 without a message body' });
  }
  const text: string[] = [];
  const reasoning: string[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of body.content) {
    if (block.type === 'text' && typeof block.text === 'string') text.push(block.text);
    else if (block.type === 'thinking') {
      const thinking = typeof block.thinking === 'string' ? block.thinking : '';
      if (thinking) reasoning.push(thinking);
      thinkingBlocks.push({ type: 'thinking', thinking, signature: String(block.signature ?? '') });
    } else if (block.type === 'redacted_thinking') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: String(block.data ?? '') });
    } else if (block.type === 'tool_use') {
      toolCalls.push({
        id: String(block.id),
        type: 'function',
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // Server-tool blocks (web search, code execution) have no Chat Completions equivalent.
  }
  const message = assistantMessage(text.length ? text.join('') : null, { toolCalls, reasoning: reasoning.join('\n\n'), thinkingBlocks });
  return makeCompletion(meta, message, mapStopReason(body.stop_reason), toUsage(body.usage));
}

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; OpenAI's `prompt_tokens`
 * includes them. `output_tokens` already includes thinking.
 */
export function toUsage(usage: WireUsage | null | undefined): Usage {
  const input = num(usage?.input_tokens);
  const cacheRead = num(usage?.cache_read_input_tokens);
  const cacheWrite = num(usage?.cache_creation_input_tokens);
  const completion = num(usage?.output_tokens);
  const prompt = input + cacheRead + cacheWrite;
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_creation_tokens: cacheWrite },
  };
  const thinking = usage?.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') result.completion_tokens_details = { reasoning_tokens: thinking };
  return result;
}

function num(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function isErrorBody(body: unknown): boolean {
  return !!body && typeof body === 'object' && (body as { type?: unknown }).type === 'error';
}

type LooseBlock = { type: string; [field: string]: unknown };

function isMessage(body: unknown): body is WireMessageResponse & { content: LooseBlock[] } {
  return !!body && typeof body === 'object' && Array.isArray((body as { content?: unknown }).content);
}
