// Anthropic `stop_reason` → OpenAI `finish_reason`
// (platform.claude.com/docs/en/build-with-claude/handling-stop-reasons).
import type { FinishReason } from '../types.js';

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  // A server-tool loop paused; the turn ended without an error, so the caller sees a normal stop.
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Unknown future reasons read as `stop` rather than failing a finished answer. */
export function mapStopReason(stopReason: string | null | undefined): FinishReason {
  return (stopReason && FINISH_REASONS[stopReason]) || 'stop';
}
