// pino with redaction: the second net behind the Secret type. Known secret paths are
// censored; free-text messages are scrubbed of anything that looks like a key.
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
