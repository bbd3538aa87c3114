import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, errorBody } from '../errors.js';
import { quotableName } from '../keys/redact.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function describeValidation(error: FastifyError): { message: string; param: string | null } {
  const issue = (error.validation?.[0] ?? {}) as ValidationIssue;
  const context = error.validationContext ?? 'body';
  // Segments are names the caller chose (record keys): never echo one that could be a pasted key.
  const path = (issue.instancePath ?? '')
    .replace(/^\//, '')
    .split('/')
    .map((segment) => (segment === '' || /^\d+$/.test(segment) ? segment : (quotableName(segment.replace(/~1/g, '/').replace(/~0/g, '~')) ?? '…')))
    .join('.');
  let detail = issue.message ?? 'is invalid';
  if (issue.keyword === 'additionalProperties' && issue.params?.additionalProperty) {
    const name = quotableName(String(issue.params.additionalProperty));
    const where = path ? `${context}.${path}` : context;
    return {
      message: name ? `Unknown field "${name}" in ${where}: remove it or check its spelling.` : `An unknown field in ${where}: remove it or check its spelling.`,
      param: name ? (path ? `${path}.${name}` : name) : path || null,
    };
  }
  if (issue.keyword === 'required' && issue.params?.missingProperty) {
    const field = path ? `${path}.${String(issue.params.missingProperty)}` : String(issue.params.missingProperty);
    return { message: `Missing required field "${field}" in the ${context}.`, param: field };
  }
  if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)) {
    detail = `must be one of: ${(issue.params.allowedValues as unknown[]).join(', ')}`;
  }
  const where = path ? `${context}.${path}` : context;
  return { message: `Invalid ${where}: ${detail}.`, param: path || null };
}

// PostgreSQL / driver codes that mean "the database is not reachable right now".
const STORAGE_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** The database went away under a request (driver errors are wrapped, so the cause chain is walked). */
export function isStorageUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && STORAGE_DOWN.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Fastify's `frameworkErrors`: URLs the router cannot decode (`%FF`) or whose path
 * parameter is longer than `maxParamLength` never reach a route nor the error handler.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // The onRequest hooks did not run: set the request id here.
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send(errorBody(414, 'uri_too_long', 'A path segment of the URL is too long: org ids are at most 128 characters.'));
    return;
  }
  void reply.status(400).send(errorBody(400, 'invalid_url', 'The URL is not valid: percent-encode it as UTF-8.'));
}

const CLIENT_ERROR = (status: number, code: string, message: string) => {
  const body = JSON.stringify(errorBody(status, code, message));
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`;
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (a bare CR or a
 * non-ASCII byte in a header or the path, oversized headers) is answered in the
 * contract's shape too, before the connection closes.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.write(CLIENT_ERROR(408, 'request_timeout', 'The request was not received in time.'));
    else if (error.code === 'HPE_HEADER_OVERFLOW') socket.write(CLIENT_ERROR(431, 'headers_too_large', 'The request headers are too large.'));
    else socket.write(CLIENT_ERROR(400, 'malformed_request', 'The HTTP request is malformed: header values and the path must be printable ASCII, without line breaks.'));
  }
  socket.destroy(error);
}

/** Maps every error to the contract's shape; bad input is always a 4xx. */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.status(error.status).send(error.toBody());
    }
    if (error.validation) {
      const { message, param } = describeValidation(error);
      return reply.status(400).send(errorBody(400, 'invalid_request', message, param));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply
          .status(413)
          .send(errorBody(413, 'payload_too_large', `The request body is larger than the ${app.initialConfig.bodyLimit} bytes this gateway accepts.`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(errorBody(415, 'unsupported_media_type', 'Send the body as application/json.'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send(errorBody(400, 'invalid_json', 'The body is empty: send a JSON object.'));
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.status(400).send(errorBody(400, 'invalid_json', 'The body is not valid JSON: check quotes, commas and brackets.'));
      default:
        break;
    }
    if (error instanceof SyntaxError || error.statusCode === 400) {
      return reply.status(400).send(errorBody(400, 'invalid_json', 'The body is not valid JSON: check quotes, commas and brackets.'));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody(error.statusCode, 'invalid_request', error.message));
    }
    if (isStorageUnavailable(error)) {
      request.log.warn({ err: error }, 'storage unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send(errorBody(503, 'storage_unavailable', 'The configuration database is unreachable; nothing was changed. Retry shortly.'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody(500, 'internal_error', 'The gateway failed unexpectedly; the request id in X-Request-Id identifies it in the logs.'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`));
  });
});
