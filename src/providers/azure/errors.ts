// Azure OpenAI errors: OpenAI's rules, plus Azure's codes, which name the failure more
// reliably than the status (a content-filter refusal, a missing deployment).
import { openaiAdapter } from '../openai/index.js';
import { safeJsonParse } from '../shared/http-errors.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';
import type { ErrorBody } from './wire.js';

const KIND_BY_CODE: Record<string, UpstreamErrorKind> = {
  content_filter: 'bad_request',
  deploymentnotfound: 'not_found',
  modelnotfound: 'not_found',
  operationnotsupported: 'bad_request',
};

export function classifyError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamError {
  const base = openaiAdapter.classifyError(status, headers, bodyText);
  const inner = (safeJsonParse(bodyText) as ErrorBody | undefined)?.error;
  const code = inner?.code === undefined ? null : String(inner.code);
  const kind = code ? KIND_BY_CODE[code.toLowerCase()] ?? KIND_BY_CODE[inner?.innererror?.code?.toLowerCase() ?? ''] : undefined;
  if (!kind || kind === base.kind) return base;
  return new UpstreamError({ kind, status, retryAfterMs: null, providerMessage: base.providerMessage, providerCode: code });
}
