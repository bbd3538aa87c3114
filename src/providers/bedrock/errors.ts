// Bedrock errors → UpstreamError kinds. The error type travels in the
// `x-amzn-ErrorType` header (`ValidationException:http://internal.amazon.com/…`) or the
// body's `__type` (`com.amazon.coral.service#UnrecognizedClientException`); the body is
// `{message}`. Inside a ConverseStream the same types arrive as exception frames.
// https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html
import { headerValue, kindForStatus, parseRetryAfterMs, safeJsonParse, scrubProviderMessage } from '../shared/http-errors.js';
import { UpstreamError, type UpstreamErrorKind, type UpstreamHeaders } from '../types.js';
import type { ErrorBody } from './wire.js';

const KIND_BY_TYPE: Record<string, UpstreamErrorKind> = {
  accessdeniedexception: 'auth',
  unrecognizedclientexception: 'auth',
  invalidsignatureexception: 'auth',
  incompletesignatureexception: 'auth',
  missingauthenticationtokenexception: 'auth',
  invalidclienttokenid: 'auth',
  expiredtoken: 'auth',
  expiredtokenexception: 'auth',
  validationexception: 'bad_request',
  resourcenotfoundexception: 'not_found',
  modeltimeoutexception: 'timeout',
  modelerrorexception: 'server',
  modelnotreadyexception: 'server',
  modelstreamerrorexception: 'server',
  internalserverexception: 'server',
  serviceunavailableexception: 'server',
  throttlingexception: 'rate_limited',
  servicequotaexceededexception: 'quota_exhausted',
};

/** `ValidationException:http://…` or `com.amazon.coral.service#ExpiredTokenException` → the bare name. */
export function normaliseErrorType(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const afterHash = raw.includes('#') ? raw.slice(raw.lastIndexOf('#') + 1) : raw;
  const name = afterHash.split(':')[0].trim();
  return name || null;
}

export function kindForErrorType(type: string | null, message: string | null, status: number | null): UpstreamErrorKind {
  const known = type ? KIND_BY_TYPE[type.toLowerCase()] : undefined;
  let kind: UpstreamErrorKind = known ?? (status === null ? 'server' : status === 504 ? 'timeout' : kindForStatus(status));
  const text = message ?? '';
  if (kind === 'bad_request' && /model identifier is invalid/i.test(text)) kind = 'not_found';
  if (kind === 'rate_limited' && /tokens per day|per day|daily/i.test(text)) kind = 'quota_exhausted';
  return kind;
}

function errorFields(bodyText: string): { message: string | null; type: string | null } {
  const body = safeJsonParse(bodyText) as ErrorBody | undefined;
  if (!body || typeof body !== 'object') return { message: bodyText ? bodyText.slice(0, 500) : null, type: null };
  const message = body.message ?? body.Message ?? null;
  return { message: typeof message === 'string' ? message : null, type: normaliseErrorType(body.__type) };
}

export function classifyError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamError {
  const fields = errorFields(bodyText);
  const type = normaliseErrorType(headerValue(headers, 'x-amzn-errortype')) ?? fields.type;
  const kind = kindForErrorType(type, fields.message, status);
  return new UpstreamError({
    kind,
    status,
    retryAfterMs: kind === 'rate_limited' || kind === 'quota_exhausted' || kind === 'server' ? parseRetryAfterMs(headers) : null,
    providerMessage: scrubProviderMessage(fields.message),
    providerCode: type,
  });
}

/** An exception frame inside a 200 ConverseStream (`:exception-type` header, `{message}` payload). */
export function classifyStreamException(exceptionType: string, payloadText: string): UpstreamError {
  const { message } = errorFields(payloadText);
  return new UpstreamError({
    kind: kindForErrorType(exceptionType, message, null),
    providerMessage: scrubProviderMessage(message),
    providerCode: exceptionType,
  });
}
