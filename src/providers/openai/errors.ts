// Native error → UpstreamError kind for the OpenAI family: the shared status rules
// (providers-reference.md §0) plus the body rules vendors need (§A, §E).
import {
  classifyHttpError,
  extractErrorFields,
  kindForStatus,
  looksLikeQuotaExhausted,
  parseRetryAfterMs,
  scrubProviderMessage,
  type ExtractedError,
} from '../shared/http-errors.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';
import type { WireErrorBody } from './wire.js';

// xAI answers a bad key with HTTP 400 "Incorrect API key provided".
const AUTH_IN_BAD_REQUEST = /incorrect api key|invalid api key/i;
// Together answers an over-long prompt with 403.
const CONTEXT_LENGTH = /context length|context window|maximum context|too many tokens|prompt is too long|input is too long/i;
// Moonshot `exceeded_current_quota_error`, Kimi Code "reached your usage limit", Z.ai
// 1113 "no resource package" and 1309 "plan package has expired".
const FAMILY_QUOTA = /exceeded_current_quota|reached your usage limit|no resource package|package has expired/i;
const QUOTA_CODES: ReadonlySet<string> = new Set(['1113', '1309', 'insufficient_quota', 'exceeded_current_quota_error']);

/** String error codes and types seen inside 200 bodies and streams. Unknown ones are `server`. */
const CODE_KINDS: Readonly<Record<string, UpstreamErrorKind>> = {
  rate_limit_exceeded: 'rate_limited',
  rate_limit_error: 'rate_limited',
  too_many_requests: 'rate_limited',
  insufficient_quota: 'quota_exhausted',
  invalid_api_key: 'auth',
  authentication_error: 'auth',
  permission_error: 'auth',
  model_not_found: 'not_found',
  not_found_error: 'not_found',
  context_length_exceeded: 'bad_request',
  invalid_request_error: 'bad_request',
  invalid_prompt: 'bad_request',
  timeout: 'timeout',
  server_error: 'server',
  internal_error: 'server',
  overloaded_error: 'server',
  service_unavailable: 'server',
};

/** OpenAI `{error:{…}}`, plus Mistral/vLLM `{object:"error", message}` whose message may be an object, and FastAPI `{detail}`. */
export function extractFamilyError(body: unknown): ExtractedError {
  const fields = extractErrorFields(body);
  if (fields.message !== null || !body || typeof body !== 'object') return fields;
  const record = body as Record<string, unknown>;
  const inner = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : record;
  const message = inner.message ?? record.detail;
  if (message === undefined || message === null) return fields;
  return { message: typeof message === 'string' ? message : JSON.stringify(message), code: fields.code };
}

function isQuota(code: string | null, message: string | null): boolean {
  return (code !== null && QUOTA_CODES.has(code)) || (message !== null && FAMILY_QUOTA.test(message)) || looksLikeQuotaExhausted(message);
}

/** The family's body rules over the kind a status gave. */
export function refineKind(kind: UpstreamErrorKind, status: number, code: string | null, message: string | null): UpstreamErrorKind {
  if ((kind === 'rate_limited' || kind === 'bad_request' || kind === 'auth') && isQuota(code, message)) return 'quota_exhausted';
  if (status === 400 && message !== null && AUTH_IN_BAD_REQUEST.test(message)) return 'auth';
  if (status === 403 && message !== null && CONTEXT_LENGTH.test(message)) return 'bad_request';
  if (status === 504 || status === 524) return 'timeout';
  return kind;
}

function withKind(base: UpstreamError, kind: UpstreamErrorKind, headers: UpstreamHeaders): UpstreamError {
  if (kind === base.kind) return base;
  const keepsRetry = kind === 'rate_limited' || kind === 'quota_exhausted' || kind === 'server';
  return new UpstreamError({
    kind,
    status: base.status,
    retryAfterMs: keepsRetry ? (base.retryAfterMs ?? parseRetryAfterMs(headers)) : null,
    providerMessage: base.providerMessage,
    providerCode: base.providerCode,
  });
}

/** A non-2xx answer. `statusKind` lets OpenRouter read 403 as moderation. */
export function classifyError(
  status: number,
  headers: UpstreamHeaders,
  bodyText: string,
  statusKind: (status: number) => UpstreamErrorKind = kindForStatus,
): UpstreamError {
  const base = classifyHttpError(status, headers, bodyText, extractFamilyError);
  const fromStatus = statusKind(status);
  const kind = refineKind(fromStatus === kindForStatus(status) ? base.kind : fromStatus, status, base.providerCode, base.providerMessage);
  return withKind(base, kind, headers);
}

function messageText(message: unknown): string | null {
  if (typeof message === 'string') return message;
  return message === undefined || message === null ? null : JSON.stringify(message);
}

/**
 * An error object inside a 200 body or a stream chunk (`{error:{code, message}}`, or
 * vLLM's whole `{object:"error"}` body). OpenRouter's numeric codes are HTTP statuses.
 */
export function classifyEmbeddedError(
  error: WireErrorBody | string | null | undefined,
  statusKind: (status: number) => UpstreamErrorKind = kindForStatus,
): UpstreamError {
  const body: WireErrorBody = typeof error === 'string' ? { message: error } : (error ?? {});
  const code = body.code === undefined || body.code === null ? null : String(body.code);
  const message = messageText(body.message);
  const httpStatus = code !== null && /^[1-5]\d\d$/.test(code) ? Number(code) : null;
  let kind: UpstreamErrorKind;
  if (httpStatus !== null) kind = refineKind(statusKind(httpStatus), httpStatus, code, message);
  else kind = isQuota(code, message) ? 'quota_exhausted' : (CODE_KINDS[code ?? ''] ?? CODE_KINDS[body.type ?? ''] ?? 'server');
  return new UpstreamError({ kind, status: httpStatus, providerMessage: scrubProviderMessage(message), providerCode: code });
}
