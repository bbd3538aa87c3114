// pino with redaction: the second net behind the Secret type. Known secret paths are
// censored; free-text messages are scrubbed of anything that looks like a key.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { redactKeyLike } from '../keys/redact.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers["x-goog-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-goog-api-key"]',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'credentials',
  '*.credentials',
  'token',
  '*.token',
  'body.apiKey',
  'body.credentials',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) {
          if (typeof args[i] === 'string') args[i] = redactKeyLike(args[i] as string);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
}

/**
 * The access log, instead of Fastify's two lines per request (`incoming request` and
 * `request completed`, each serialising the request and passing the redaction): one line
 * when the answer is sent, at `info` for errors and `debug` for the rest, so a gateway at
 * `info` spends nothing per successful call (every call is in the usage log anyway).
 */
export function logResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const status = reply.statusCode;
  const level = status >= 400 ? 'info' : 'debug';
  // Fastify's no-op logger (logger: false) has no isLevelEnabled; its methods do nothing anyway.
  const log = request.log as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };
  if (log.isLevelEnabled?.(level) !== false) {
    log[level]({ method: request.method, url: request.url, statusCode: status, responseTime: reply.elapsedTime }, 'request completed');
  }
  done();
}
