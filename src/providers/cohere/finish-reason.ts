// Cohere finish_reason → OpenAI finish_reason.
// https://docs.cohere.com/reference/chat (ChatFinishReason)
import { UpstreamError, type FinishReason } from '../types.js';

/** A finish reason, or the error a failed generation stands for (ERROR, TIMEOUT). */
export function mapFinishReason(raw: string | undefined, sawToolCalls: boolean): FinishReason | UpstreamError {
  switch (raw) {
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    case 'ERROR':
      return new UpstreamError({ kind: 'server', providerCode: raw, providerMessage: 'Cohere reported that the generation failed' });
    case 'TIMEOUT':
      return new UpstreamError({ kind: 'timeout', providerCode: raw, providerMessage: 'Cohere reported that the generation timed out' });
    default:
      // COMPLETE, STOP_SEQUENCE, and values added after this was written.
      return sawToolCalls ? 'tool_calls' : 'stop';
  }
}
