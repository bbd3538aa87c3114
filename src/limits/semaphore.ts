// Concurrency permits per stored credential (provider, base URL, key fingerprint).
// One interface, two implementations: in-process (no REDIS_URL) and Redis-backed
// (the cap holds across every gateway instance sharing that Redis). See README.md.
import type { CancelSignal } from '../cancellation.js';

export interface PermitRequest {
  /** The credential the permit belongs to, e.g. `openai|https://api.openai.com/v1|sha256:1f3a9c0d`. */
  key: string;
  /** maxConcurrentRequests; null = no cap (an immediate no-op permit). */
  limit: number | null;
  /** Longest time to wait in the queue (QUEUE_WAIT_MS); 0 = only take a free permit. */
  maxWaitMs: number;
  /** The client's abort: a waiter leaves the queue as soon as it fires. */
  signal?: CancelSignal;
}

export interface Permit {
  /** Idempotent; safe to call from every exit path (success, error, timeout, abort, stream end). */
  release(): void;
}

export type AcquireResult =
  | { ok: true; permit: Permit; waitedMs: number }
  | { ok: false; reason: 'saturated' | 'aborted'; waitedMs: number };

export type SemaphoreMode = 'local' | 'redis' | 'degraded';

export interface PermitStats {
  key: string;
  inFlight: number;
  queued: number;
}

export interface Semaphore {
  acquire(request: PermitRequest): Promise<AcquireResult>;
  /** This instance's view, for metrics. */
  stats(): PermitStats[];
  /** `degraded` = Redis configured but unreachable: permits are enforced in-process. */
  mode(): SemaphoreMode;
  /** Settles every waiter (`saturated`), gives back every permit held, stops timers. Does not close the Redis client. */
  close(): Promise<void>;
}

/** pino-compatible. */
export interface LimitsLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

export { createLocalSemaphore, type LocalSemaphoreOptions } from './local-semaphore.js';
export { createRedisSemaphore, type RedisSemaphoreOptions } from './redis-semaphore.js';
