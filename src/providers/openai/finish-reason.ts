// Vendor finish reasons → the four OpenAI ones. Besides OpenAI's own values the family
// sends `function_call` (legacy), Z.ai `sensitive`, Mistral `model_length`, and some
// servers answer a tool call with `stop` (older Ollama, vLLM parsers): a choice that
// carried tool calls finishes as `tool_calls` whatever the vendor said.
import type { FinishReason } from '../types.js';

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  function_call: 'tool_calls',
  sensitive: 'content_filter',
  max_tokens: 'length',
  model_length: 'length',
  model_context_window_exceeded: 'length',
  end_turn: 'stop',
  stop_sequence: 'stop',
  eos: 'stop',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/**
 * Finish reasons that report a failure, not an end: OpenRouter `error` (with an error
 * object beside it), Z.ai `network_error` (inference failed), DeepSeek
 * `insufficient_system_resource` (generation cut for lack of capacity).
 */
export const FAILED_FINISH_REASONS: ReadonlySet<string> = new Set(['error', 'network_error', 'insufficient_system_resource']);

export function mapFinishReason(raw: string | null | undefined, sawToolCalls: boolean): FinishReason | null {
  if (raw === null || raw === undefined) return null;
  const mapped = FINISH_REASONS[raw] ?? 'stop';
  return mapped === 'stop' && sawToolCalls ? 'tool_calls' : mapped;
}
