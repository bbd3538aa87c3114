// Anthropic error bodies `{type:"error", error:{type, message}, request_id}` → error kinds
// (platform.claude.com/docs/en/api/errors, /en/api/rate-limits).
import { headerValue, kindForStatus, parseRetryAfterMs, safeJsonParse, scrubProviderMessage } from '../shared/http-errors.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';

/** The documented `error.type` values; the type is more precise than the status (an SSE error arrives with 200). */
const KIND_BY_TYPE: Record<string, UpstreamErrorKind> = {
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
  authentication_error: 'auth',
  permission_error: 'auth',
  not_found_error: 'not_found',
  rate_limit_error: 'rate_limited',
  billing_error: 'quota_exhausted',
  api_error: 'server',
  overloaded_error: 'server',
  timeout_error: 'timeout',
};

/** Out-of-credit and spend-cap errors arrive as 400 invalid_request_error or 429 rate_limit_error; the message tells them apart. */
const QUOTA_MESSAGE = /credit balance|billing|spend(ing)? limit|usage limit|out of credits|purchase credits/i;

const RATE_LIMIT_RESETS = ['requests', 'tokens', 'input-tokens', 'output-tokens'];

export interface WireErrorFields {
  type: string | null;
  message: string | null;
}

export function errorFields(body: unknown): WireErrorFields {
  const error = (body as { error?: unknown } | null)?.error;
  if (!error || typeof error !== 'object') return { type: null, message: null };
  const { type, message } = error as { type?: unknown; message?: unknown };
  return { type: typeof type === 'string' ? type : null, message: typeof message === 'string' ? message : null };
}

/** A non-2xx answer. */
export function classifyError(status: number, headers: UpstreamHeaders, bodyText: string, nowMs = Date.now()): UpstreamError {
  const fields = errorFields(safeJsonParse(bodyText));
  const message = fields.message ?? (bodyText ? bodyText.slice(0, 500) : null);
  let kind = (fields.type && KIND_BY_TYPE[fields.type]) || statusKind(status);
  if (isQuota(kind, fields.message)) kind = 'quota_exhausted';
  const waits = kind === 'rate_limited' || kind === 'quota_exhausted' || kind === 'server';
  return new UpstreamError({
    kind,
    status,
    retryAfterMs: waits ? (parseRetryAfterMs(headers, nowMs) ?? rateLimitResetMs(headers, nowMs)) : null,
    providerMessage: scrubProviderMessage(message),
    providerCode: fields.type,
  });
}

/** An `error` event inside a 200 stream, or a 200 body that is an error object. */
export function classifyErrorEvent(error: WireErrorFields): UpstreamError {
  let kind = (error.type && KIND_BY_TYPE[error.type]) || 'server';
  if (isQuota(kind, error.message)) kind = 'quota_exhausted';
  return new UpstreamError({
    kind,
    status: null,
    providerMessage: scrubProviderMessage(error.message),
    providerCode: error.type,
  });
}

function statusKind(status: number): UpstreamErrorKind {
  // Gateway timeouts in front of the API (504, Cloudflare 524) carry no Anthropic body.
  if (status === 504 || status === 524) return 'timeout';
  return kindForStatus(status);
}

function isQuota(kind: UpstreamErrorKind, message: string | null): boolean {
  return (kind === 'bad_request' || kind === 'rate_limited' || kind === 'auth') && !!message && QUOTA_MESSAGE.test(message);
}

/**
 * `anthropic-ratelimit-*-reset` are RFC 3339 instants. The limit that ran out says
 * `remaining: 0`; when none says so, the latest reset is the safe wait.
 */
export function rateLimitResetMs(headers: UpstreamHeaders, nowMs: number): number | null {
  const resets: Array<{ atMs: number; exhausted: boolean }> = [];
  for (const limit of RATE_LIMIT_RESETS) {
    const reset = headerValue(headers, `anthropic-ratelimit-${limit}-reset`);
    const atMs = reset ? Date.parse(reset) : NaN;
    if (Number.isNaN(atMs)) continue;
    resets.push({ atMs, exhausted: headerValue(headers, `anthropic-ratelimit-${limit}-remaining`) === '0' });
  }
  const exhausted = resets.filter((r) => r.exhausted);
  const candidates = exhausted.length ? exhausted : resets;
  if (candidates.length === 0) return null;
  return Math.max(0, Math.max(...candidates.map((r) => r.atMs)) - nowMs);
}
