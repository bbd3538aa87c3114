// OpenRouter errors (openrouter.ai/docs/api-reference/errors): the OpenAI family's rules
// with one status read differently: 403 is a moderation or guardrail block of this
// input, not a rejected key, so it goes back to the caller instead of failing over.
import { classifyEmbeddedError, classifyError as classifyFamilyError } from '../openai/errors.js';
import type { WireErrorBody } from '../openai/wire.js';
import { kindForStatus } from '../shared/http-errors.js';
import type { UpstreamError, UpstreamErrorKind, UpstreamHeaders } from '../types.js';

export function openRouterStatusKind(status: number): UpstreamErrorKind {
  return status === 403 ? 'bad_request' : kindForStatus(status);
}

export function classifyError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamError {
  return classifyFamilyError(status, headers, bodyText, openRouterStatusKind);
}

/** `{error:{code, message}}` in a 200 body or stream chunk; numeric codes are HTTP statuses. */
export function classifyOpenRouterEmbedded(error: WireErrorBody | string | null | undefined): UpstreamError {
  return classifyEmbeddedError(error, openRouterStatusKind);
}
