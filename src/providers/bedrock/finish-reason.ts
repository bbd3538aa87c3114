// Converse stopReason → OpenAI finish_reason.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_MessageStopEvent.html
import { UpstreamError, type FinishReason } from '../types.js';

/** A finish reason, or the error a stop reason stands for (the model produced unusable output). */
export function mapStopReason(stopReason: string | undefined): FinishReason | UpstreamError {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      // Retrying (or the fallback model) may well succeed; the output itself is unusable.
      return new UpstreamError({ kind: 'server', providerCode: stopReason, providerMessage: `Bedrock stopped with ${stopReason}` });
    default:
      // end_turn, stop_sequence, and stop reasons added after this was written.
      return 'stop';
  }
}
