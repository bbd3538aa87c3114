// Consecutive 401/403 answers per stored slot, for soft-disable. With Redis the
// count is shared by every instance; without it (or while Redis is unreachable)
// it is kept in-process.
import type { Redis } from 'ioredis';
import type { LimitsLogger } from './semaphore.js';

export interface AuthFailureCounter {
  /** Counts one more consecutive 401/403 and returns the new count. Never rejects. */
  recordFailure(key: string): Promise<number>;
  /**
   * A success: the count starts again from zero. Never rejects. Returns nothing (no
   * promise, on every successful call) when there was nothing to clear.
   */
  reset(key: string): Promise<void> | void;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

export interface LocalAuthFailureCounterOptions {
  /** A count untouched for this long starts again from zero. Default 24 h. */
  ttlMs?: number;
  now?: () => number;
}

class LocalAuthFailureCounter implements AuthFailureCounter {
  private readonly counts = new Map<string, { count: number; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: LocalAuthFailureCounterOptions) {
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.now = options.now ?? Date.now;
  }

  async recordFailure(key: string): Promise<number> {
    return this.increment(key, 1);
  }

  increment(key: string, by: number): number {
    const now = this.now();
    const entry = this.counts.get(key);
    const count = (entry && entry.expiresAt > now ? entry.count : 0) + by;
    this.counts.set(key, { count, expiresAt: now + this.ttlMs });
    return count;
  }

  /** The count, removed: what an outage accumulated, handed over to Redis. */
  take(key: string): number {
    const entry = this.counts.get(key);
    if (!entry) return 0;
    this.counts.delete(key);
    return entry.expiresAt > this.now() ? entry.count : 0;
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }

  reset(key: string): void {
    this.counts.delete(key);
  }

  async close(): Promise<void> {
    this.counts.clear();
  }
}

export function createLocalAuthFailureCounter(options: LocalAuthFailureCounterOptions = {}): AuthFailureCounter {
  return new LocalAuthFailureCounter(options);
}

export interface RedisAuthFailureCounterOptions {
  redis: Redis;
  prefix: string;
  /** A count untouched for this long starts again from zero (and its key disappears). Default 24 h. */
  ttlMs?: number;
  /**
   * How long this instance trusts that a key's shared count is zero without asking
   * Redis again. Within that window a success here does not clear failures another
   * instance counted meanwhile; the next success after it does. Default 1000.
   */
  zeroCacheMs?: number;
  logger?: LimitsLogger;
  now?: () => number;
}

class RedisAuthFailureCounter implements AuthFailureCounter {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly zeroCacheMs: number;
  private readonly logger: LimitsLogger | undefined;
  private readonly now: () => number;
  /** Failures counted while Redis was unreachable; added to the shared count at the next failure it hears. */
  private readonly pending: LocalAuthFailureCounter;
  /** The shared count as this instance last saw it, for keys it counted failures for and has not reset since. */
  private readonly lastShared = new Map<string, number>();
  /** When this instance last set a key's shared count to zero. */
  private readonly zeroSince = new Map<string, number>();
  private unreachable = false;

  constructor(options: RedisAuthFailureCounterOptions) {
    this.redis = options.redis;
    this.prefix = `${options.prefix}authfail:`;
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.zeroCacheMs = options.zeroCacheMs ?? 1_000;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.pending = new LocalAuthFailureCounter({ ttlMs: this.ttlMs, now: this.now });
  }

  async recordFailure(key: string): Promise<number> {
    this.zeroSince.delete(key);
    if (this.redis.status !== 'ready') return this.countLocally(key, new Error(`Redis connection is ${this.redis.status}`));
    const by = 1 + this.pending.take(key);
    try {
      const results = await this.redis.multi().incrby(this.prefix + key, by).pexpire(this.prefix + key, this.ttlMs).exec();
      const [error, count] = results?.[0] ?? [new Error('transaction discarded'), null];
      if (error) throw error;
      this.markReachable();
      this.lastShared.set(key, Number(count));
      return Number(count);
    } catch (error) {
      this.pending.increment(key, by - 1);
      return this.countLocally(key, error);
    }
  }

  reset(key: string): Promise<void> | void {
    const counted = this.lastShared.has(key) || this.pending.has(key);
    this.pending.take(key);
    if (!counted) {
      const since = this.zeroSince.get(key);
      if (since !== undefined && this.now() - since < this.zeroCacheMs) return;
    }
    return this.clear(key);
  }

  private async clear(key: string): Promise<void> {
    // Unreachable: count from zero here, and clear Redis at the next success.
    this.lastShared.set(key, 0);
    if (this.redis.status !== 'ready') return;
    try {
      await this.redis.del(this.prefix + key);
      this.lastShared.delete(key);
      this.zeroSince.set(key, this.now());
      this.markReachable();
    } catch (error) {
      this.warnUnreachable(error);
    }
  }

  async close(): Promise<void> {
    this.lastShared.clear();
    this.zeroSince.clear();
    await this.pending.close();
  }

  /** Redis unreachable: the last shared count seen here plus what was counted since. */
  private countLocally(key: string, error: unknown): number {
    this.warnUnreachable(error);
    return (this.lastShared.get(key) ?? 0) + this.pending.increment(key, 1);
  }

  private warnUnreachable(error: unknown): void {
    if (this.unreachable) return;
    this.unreachable = true;
    this.logger?.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis unreachable: consecutive auth failures are counted per instance until it answers again',
    );
  }

  private markReachable(): void {
    if (!this.unreachable) return;
    this.unreachable = false;
    this.logger?.info({}, 'Redis reachable again: consecutive auth failures are shared across instances again');
  }
}

export function createRedisAuthFailureCounter(options: RedisAuthFailureCounterOptions): AuthFailureCounter {
  return new RedisAuthFailureCounter(options);
}
