// Gemini errors are `google.rpc.Status` bodies: `{error:{code, message, status, details}}`
// (ai.google.dev/gemini-api/docs/troubleshooting). The status alone misleads in two
// places: a bad key is a 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, and
// every 429 says "You exceeded your current quota" although only a per-day QuotaFailure
// means the quota is gone for the day.
import { kindForStatus, parseRetryAfterMs, safeJsonParse, scrubProviderMessage } from '../shared/http-errors.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';
import type { GeminiErrorBody } from './wire.js';

type GeminiError = NonNullable<GeminiErrorBody['error']>;

function detailsOf(error: GeminiError) {
  return Array.isArray(error.details) ? error.details : [];
}

export function isInvalidKey(error: GeminiError | undefined): boolean {
  if (!error) return false;
  return detailsOf(error).some((d) => d?.reason === 'API_KEY_INVALID');
}

function isPerDayQuota(error: GeminiError): boolean {
  return detailsOf(error).some(
    (d) => Array.isArray(d?.violations) && d.violations.some((v) => /PerDay/i.test(`${v?.quotaId ?? ''} ${v?.quotaMetric ?? ''}`)),
  );
}

/** `RetryInfo.retryDelay` is a protobuf Duration rendered as seconds: `"37s"`, `"34.4s"`. */
export function retryDelayMs(error: GeminiError | undefined): number | null {
  if (!error) return null;
  for (const detail of detailsOf(error)) {
    const match = typeof detail?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay.trim()) : null;
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return null;
}

function kindOf(status: number, error: GeminiError | undefined): UpstreamErrorKind {
  if (isInvalidKey(error)) return 'auth';
  if (error?.status === 'PERMISSION_DENIED' || error?.status === 'UNAUTHENTICATED') return 'auth';
  if (error?.status === 'RESOURCE_EXHAUSTED' || status === 429) return error && isPerDayQuota(error) ? 'quota_exhausted' : 'rate_limited';
  // Billing not enabled, or the API not offered in the caller's region: the key's account, not the request.
  if (error?.status === 'FAILED_PRECONDITION') return 'quota_exhausted';
  if (error?.status === 'DEADLINE_EXCEEDED' || status === 504) return 'timeout';
  if (error?.status === 'UNAVAILABLE' || error?.status === 'INTERNAL') return 'server';
  if (error?.status === 'NOT_FOUND') return 'not_found';
  return kindForStatus(status);
}

/** `code` is the HTTP status inside a stream, where the transport said 200. */
export function errorFromStatus(error: GeminiError | undefined, status: number, retryAfterMs: number | null): UpstreamError {
  const kind = kindOf(status, error);
  const keepsRetry = kind === 'rate_limited' || kind === 'quota_exhausted' || kind === 'server';
  return new UpstreamError({
    kind,
    status,
    retryAfterMs: keepsRetry ? (retryAfterMs ?? retryDelayMs(error)) : null,
    providerMessage: scrubProviderMessage(typeof error?.message === 'string' ? error.message : null),
    providerCode: error?.status ?? (error?.code !== undefined ? String(error.code) : null),
  });
}

export function classifyError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamError {
  const body = safeJsonParse(bodyText) as GeminiErrorBody | undefined;
  const error = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : undefined;
  const classified = errorFromStatus(error, status, parseRetryAfterMs(headers));
  if (classified.providerMessage || !bodyText) return classified;
  return new UpstreamError({
    kind: classified.kind,
    status,
    retryAfterMs: classified.retryAfterMs,
    providerMessage: scrubProviderMessage(bodyText.slice(0, 500)),
    providerCode: classified.providerCode,
  });
}
