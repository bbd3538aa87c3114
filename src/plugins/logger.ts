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

/**
 * A request's logger, made only when something is logged: Fastify builds a pino child
 * (with its bindings serialised) for every request, and a successful chat call logs
 * nothing at `info`. Used as Fastify's `childLoggerFactory`.
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | null = null;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Record<string, unknown>;
  readonly #options: object;

  constructor(parent: FastifyBaseLogger, bindings: Record<string, unknown>, options: object) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    const logger = (this.#child ?? this.#parent) as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };
    return logger.isLevelEnabled?.(level) ?? true;
  }

  child(bindings: Record<string, unknown>, options?: object): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }

  // Methods on the prototype: nothing allocated per request.
  fatal(...args: unknown[]): void {
    (this.#real().fatal as (...a: unknown[]) => void)(...args);
  }

  error(...args: unknown[]): void {
    (this.#real().error as (...a: unknown[]) => void)(...args);
  }

  warn(...args: unknown[]): void {
    (this.#real().warn as (...a: unknown[]) => void)(...args);
  }

  info(...args: unknown[]): void {
    (this.#real().info as (...a: unknown[]) => void)(...args);
  }

  debug(...args: unknown[]): void {
    (this.#real().debug as (...a: unknown[]) => void)(...args);
  }

  trace(...args: unknown[]): void {
    (this.#real().trace as (...a: unknown[]) => void)(...args);
  }

  silent(): void {}
}

export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Record<string, unknown>, options: object): FastifyBaseLogger {
  // A route's own log level must hold from the start: that child is made at once.
  if ((options as { level?: string }).level !== undefined) return logger.child(bindings, options);
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
