import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger, loggerOptions } from './logger.js';

function capture(level = 'info'): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      out.push(String(chunk));
      callback();
    },
  });
  const logger = pino(loggerOptions(level), destination) as unknown as FastifyBaseLogger;
  return { logger, lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

/** A parent that counts the children made of it. */
function countingParent(): { parent: FastifyBaseLogger; children: () => number } {
  const { logger } = capture();
  let children = 0;
  const parent = Object.create(logger) as FastifyBaseLogger;
  parent.child = ((bindings: Record<string, unknown>, options?: object) => {
    children++;
    return logger.child(bindings, options);
  }) as FastifyBaseLogger['child'];
  return { parent, children: () => children };
}

describe('lazy request logger', () => {
  it('makes no pino child for a request that logs nothing', () => {
    const quiet = countingParent();
    const requestLog = lazyChildLogger(quiet.parent, { reqId: 'r-1' }, {}) as FastifyBaseLogger & { isLevelEnabled(level: string): boolean };
    expect(requestLog.isLevelEnabled('debug')).toBe(false);
    expect(requestLog.isLevelEnabled('info')).toBe(true);
    expect(requestLog.level).toBe('info');
    expect(quiet.children()).toBe(0);
    requestLog.warn('something');
    requestLog.error('and more');
    expect(quiet.children()).toBe(1);
  });

  it('makes the child at once for a route with its own log level', () => {
    const quiet = countingParent();
    const requestLog = lazyChildLogger(quiet.parent, { reqId: 'r-4' }, { level: 'debug' });
    expect(quiet.children()).toBe(1);
    expect(requestLog.level).toBe('debug');
  });

  it('logs with the request binding and the redaction of the parent', () => {
    const { logger, lines } = capture();
    const requestLog = lazyChildLogger(logger, { reqId: 'r-3' }, {});
    requestLog.info({ headers: { authorization: 'Bearer sk-live-abcdefghijklmnopqrstuvwx' } }, 'upstream said sk-proj-abcdefghijklmnopqrstuvwxyz012345');
    requestLog.child({ part: 'x' }).warn('from a grandchild');
    const [first, second] = lines();
    expect(first).toMatchObject({ reqId: 'r-3', level: 30, headers: { authorization: '[REDACTED]' } });
    expect(JSON.stringify(first)).not.toContain('sk-live-abcdefghijklmnopqrstuvwx');
    expect(String(first.msg)).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz012345');
    expect(second).toMatchObject({ reqId: 'r-3', part: 'x', level: 40, msg: 'from a grandchild' });
  });
});
