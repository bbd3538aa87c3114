// AWS Signature Version 4, by hand with node:crypto.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//
// The canonical URI is the path as it goes on the wire with each segment URI-encoded
// once more: Bedrock model ids are sent as `anthropic.claude-v2%3A1` and signed as
// `anthropic.claude-v2%253A1` (every service but S3 double-encodes; getting this wrong
// turns every model id containing ':' into a 403 InvalidSignatureException).
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningScope {
  region: string;
  service: string;
  credentials: AwsCredentials;
}

/** One request in the signer's terms: the path and query exactly as they go on the wire. */
export interface SignableRequest {
  method: string;
  path: string;
  /** The raw query string without `?` ('' for none). */
  query: string;
  /** Must already hold `host` and `x-amz-date` (and `x-amz-security-token` with temporary credentials). */
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface Signature {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  authorization: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

// Headers a proxy or the HTTP client may add, drop or rewrite: signing them would break
// the signature without protecting anything (the AWS SDKs leave the same ones out).
const UNSIGNABLE = new Set(['authorization', 'connection', 'content-length', 'expect', 'transfer-encoding', 'user-agent']);

/** RFC 3986: everything but A-Z a-z 0-9 - . _ ~ percent-encoded, upper-case hex. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalUri(path: string): string {
  if (!path) return '/';
  return path.split('/').map(uriEncode).join('/');
}

export function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEncode(decodeURIComponent(key)), uriEncode(decodeURIComponent(value))] as const;
    })
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function canonicalHeaders(headers: Record<string, string>): { block: string; signedHeaders: string } {
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .filter(([name]) => !UNSIGNABLE.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    block: entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders: entries.map(([name]) => name).join(';'),
  };
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z` */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function signingKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, dateStamp), region), service), 'aws4_request');
}

/** Signs a request whose headers already carry `host` and `x-amz-date`. */
export function sign(request: SignableRequest, scope: SigningScope): Signature {
  const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const date = lower['x-amz-date'];
  if (!date || !lower.host) throw new Error('SigV4 needs the host and x-amz-date headers');
  const { block, signedHeaders } = canonicalHeaders(request.headers);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    block,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const dateStamp = date.slice(0, 8);
  const credentialScope = `${dateStamp}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(scope.credentials.secretAccessKey, dateStamp, scope.region, scope.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signedHeaders,
    authorization: `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/**
 * The headers to add to an outgoing request (`x-amz-date`, `authorization`, and
 * `x-amz-security-token` for temporary credentials). `host` is signed from the URL and
 * left for the HTTP client to send, so the two always agree.
 */
export function signRequest(
  request: { method: string; url: string; headers: Record<string, string>; body?: string | Uint8Array },
  scope: SigningScope,
  now: Date,
): Record<string, string> {
  const url = new URL(request.url);
  const added: Record<string, string> = { 'x-amz-date': amzDate(now) };
  if (scope.credentials.sessionToken) added['x-amz-security-token'] = scope.credentials.sessionToken;
  const { authorization } = sign(
    {
      method: request.method,
      path: url.pathname,
      query: url.search.slice(1),
      headers: { ...request.headers, ...added, host: url.host },
      body: request.body ?? '',
    },
    scope,
  );
  return { ...added, authorization };
}
