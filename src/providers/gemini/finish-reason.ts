// Candidate.finishReason (ai.google.dev/api/generate-content#FinishReason) → OpenAI finish_reason.
import type { FinishReason } from '../types.js';

const CONTENT_FILTER = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * The model itself failed (an invalid or unexpected function call, an unexplained stop).
 * With nothing produced these are upstream failures, not answers: see `failedFinish`.
 */
const MODEL_FAILURES = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'OTHER']);

export function mapFinishReason(reason: string | undefined, sawToolCall: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && CONTENT_FILTER.has(reason)) return 'content_filter';
  // STOP, and the reasons OpenAI has no name for (LANGUAGE, OTHER…): a natural end.
  return sawToolCall ? 'tool_calls' : 'stop';
}

/** A finish reason that, with no text and no tool call before it, means the call failed. */
export function failedFinish(reason: string | undefined, producedOutput: boolean): boolean {
  return !producedOutput && reason !== undefined && MODEL_FAILURES.has(reason);
}
