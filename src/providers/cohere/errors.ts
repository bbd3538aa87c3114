// Cohere errors → UpstreamError kinds. Body `{"message": "…"}` (sometimes with `id`).
// https://docs.cohere.com/reference/errors
import { classifyHttpError } from '../shared/http-errors.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';

// Trial keys are capped per month ("limited to 1000 API calls / month"): waiting a
// minute does not help, unlike the per-minute trial rate limit.
const MONTHLY_TRIAL_LIMIT = /trial key.*\/\s*month|per month/i;

function refine(kind: UpstreamErrorKind, status: number, message: string | null): UpstreamErrorKind {
  if (status === 504) return 'timeout';
  // 499: Cohere saw the client go away; another attempt is not the caller's fault.
  if (status === 499) return 'network';
  if (kind === 'rate_limited' && message && MONTHLY_TRIAL_LIMIT.test(message)) return 'quota_exhausted';
  return kind;
}

export function classifyError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamError {
  const base = classifyHttpError(status, headers, bodyText);
  const kind = refine(base.kind, status, base.providerMessage);
  if (kind === base.kind) return base;
  return new UpstreamError({
    kind,
    status,
    retryAfterMs: kind === 'quota_exhausted' || kind === 'rate_limited' || kind === 'server' ? base.retryAfterMs : null,
    providerMessage: base.providerMessage,
    providerCode: base.providerCode,
  });
}
