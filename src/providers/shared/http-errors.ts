import { redactKeyLike } from '../../keys/redact.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';

export function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `6m0s`, `1.5s`, `250ms` (OpenAI's x-ratelimit-reset-* format). */
function parseGoDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  for (const m of text.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  return matched ? Math.round(total) : null;
}

/** The provider's suggested wait, from `retry-after-ms`, `retry-after` (seconds or HTTP date) or `x-ratelimit-reset-*`. */
export function parseRetryAfterMs(headers: UpstreamHeaders, nowMs = Date.now()): number | null {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Math.round(Number(ms)));
  const after = headerValue(headers, 'retry-after');
  if (after) {
    if (/^\d+(\.\d+)?$/.test(after.trim())) return Math.round(Number(after) * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens', 'x-ratelimit-reset']) {
    const reset = headerValue(headers, name);
    if (reset) {
      const parsed = /^\d+(\.\d+)?$/.test(reset) ? Number(reset) * 1000 : parseGoDuration(reset);
      if (parsed !== null) return Math.round(parsed);
    }
  }
  return null;
}

export function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const QUOTA_PATTERNS = /insufficient_quota|insufficient balance|insufficient_balance|exceeded your current quota|billing|credit balance|out of credits|quota exceeded|payment required|余额不足/i;

export function looksLikeQuotaExhausted(...texts: Array<string | null | undefined>): boolean {
  return texts.some((t) => typeof t === 'string' && QUOTA_PATTERNS.test(t));
}

export interface ExtractedError {
  message: string | null;
  code: string | null;
}

/** OpenAI-style `{error:{message, code, type}}`, or `{message}`, or `{error: "text"}`. */
export function extractErrorFields(body: unknown): ExtractedError {
  if (!body || typeof body !== 'object') return { message: null, code: null };
  const record = body as Record<string, unknown>;
  const inner = record.error;
  if (inner && typeof inner === 'object') {
    const err = inner as Record<string, unknown>;
    const code = err.code ?? err.type ?? err.status;
    return {
      message: typeof err.message === 'string' ? err.message : null,
      code: code === undefined || code === null ? null : String(code),
    };
  }
  if (typeof inner === 'string') return { message: inner, code: null };
  if (typeof record.message === 'string') {
    const code = record.code ?? record.type;
    return { message: record.message, code: code === undefined || code === null ? null : String(code) };
  }
  return { message: null, code: null };
}

/** The kind a plain HTTP status implies, before any body-specific rule. */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota_exhausted';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/**
 * The common classification: status first, then the body for the quota errors that
 * vendors send as 429 (OpenAI `insufficient_quota`, Z.ai "Insufficient balance").
 */
export function classifyHttpError(
  status: number,
  headers: UpstreamHeaders,
  bodyText: string,
  extract: (body: unknown) => ExtractedError = extractErrorFields,
): UpstreamError {
  const fields = extract(safeJsonParse(bodyText));
  let kind = kindForStatus(status);
  if ((kind === 'rate_limited' || kind === 'bad_request' || kind === 'auth') && looksLikeQuotaExhausted(fields.code, fields.message)) {
    kind = 'quota_exhausted';
  }
  const fallbackMessage = bodyText && !fields.message ? bodyText.slice(0, 500) : null;
  return new UpstreamError({
    kind,
    status,
    retryAfterMs: kind === 'rate_limited' || kind === 'quota_exhausted' || kind === 'server' ? parseRetryAfterMs(headers) : null,
    providerMessage: scrubProviderMessage(fields.message ?? fallbackMessage),
    providerCode: fields.code,
  });
}

export function scrubProviderMessage(message: string | null): string | null {
  if (message === null) return null;
  return redactKeyLike(message).slice(0, 1000);
}
