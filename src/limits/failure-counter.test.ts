import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisPrefix, serviceUrls } from '../../test/helpers/services.js';
import { createLocalAuthFailureCounter, createRedisAuthFailureCounter, type AuthFailureCounter } from './failure-counter.js';
import { startTcpProxy } from './testing/tcp-proxy.js';
import { redisFixture, waitFor, type RedisFixture } from './testing/redis.js';

const SLOT = 'org-1:main';

describe('local auth failure counter', () => {
  it('counts consecutive failures and starts again after a success', async () => {
    const counter = createLocalAuthFailureCounter();
    expect(await counter.recordFailure(SLOT)).toBe(1);
    expect(await counter.recordFailure(SLOT)).toBe(2);
    expect(await counter.recordFailure('org-2:main')).toBe(1);
    await counter.reset(SLOT);
    expect(await counter.recordFailure(SLOT)).toBe(1);
    await counter.close();
  });

  it('forgets a count left untouched for ttlMs', async () => {
    let now = 0;
    const counter = createLocalAuthFailureCounter({ ttlMs: 1_000, now: () => now });
    await counter.recordFailure(SLOT);
    await counter.recordFailure(SLOT);
    now += 1_001;
    expect(await counter.recordFailure(SLOT)).toBe(1);
  });
});

describe('Redis auth failure counter', () => {
  let prefix: string;
  let fixture: RedisFixture;
  let counters: AuthFailureCounter[];

  beforeEach(() => {
    prefix = redisPrefix();
    fixture = redisFixture(serviceUrls().redisUrl, prefix);
    counters = [];
  });

  afterEach(async () => {
    await Promise.all(counters.map((c) => c.close()));
    await fixture.cleanup();
  });

  async function counter(options: { now?: () => number; zeroCacheMs?: number } = {}): Promise<AuthFailureCounter> {
    const created = createRedisAuthFailureCounter({ redis: await fixture.client(), prefix, ...options });
    counters.push(created);
    return created;
  }

  it('counts failures across instances, and a success on either resets them', async () => {
    const [a, b] = [await counter(), await counter()];
    expect(await a.recordFailure(SLOT)).toBe(1);
    expect(await b.recordFailure(SLOT)).toBe(2);
    expect(await a.recordFailure(SLOT)).toBe(3);
    await b.reset(SLOT);
    expect(await a.recordFailure(SLOT)).toBe(1);
  });

  it('resets from an instance that never saw a failure for the key', async () => {
    const [a, fresh] = [await counter(), await counter()];
    await a.recordFailure(SLOT);
    await a.recordFailure(SLOT);
    await fresh.reset(SLOT);
    expect(await a.recordFailure(SLOT)).toBe(1);
  });

  it('skips the round trip for a count it just set to zero, for zeroCacheMs only', async () => {
    let now = 0;
    const [a, b] = [await counter(), await counter({ now: () => now, zeroCacheMs: 1_000 })];
    await b.reset(SLOT); // asks Redis: the count is now known to be zero
    await a.recordFailure(SLOT);
    await b.reset(SLOT); // within the window: trusted, no round trip (the documented trade-off)
    expect(await a.recordFailure(SLOT)).toBe(2);
    now += 1_000;
    await b.reset(SLOT); // the window has passed: asks Redis again
    expect(await a.recordFailure(SLOT)).toBe(1);
  });

  it('expires the shared count with ttlMs', async () => {
    const created = createRedisAuthFailureCounter({ redis: await fixture.client(), prefix, ttlMs: 5_000 });
    counters.push(created);
    await created.recordFailure(SLOT);
    const admin = await fixture.client();
    const ttl = await admin.pttl(`${prefix}authfail:${SLOT}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('counts in-process while Redis is unreachable', async () => {
    const warnings: string[] = [];
    const created = createRedisAuthFailureCounter({
      redis: await fixture.unreachableClient(),
      prefix,
      logger: { warn: (_, message) => warnings.push(message), info: () => {} },
    });
    counters.push(created);
    expect(await created.recordFailure(SLOT)).toBe(1);
    expect(await created.recordFailure(SLOT)).toBe(2);
    await created.reset(SLOT);
    expect(await created.recordFailure(SLOT)).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('carries failures counted during an outage over to the shared count', async () => {
    const { hostname, port } = new URL(serviceUrls().redisUrl);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    try {
      const proxied = await fixture.client({ host: '127.0.0.1', port: proxy.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      const a = createRedisAuthFailureCounter({ redis: proxied, prefix });
      counters.push(a);
      const b = await counter();
      expect(await a.recordFailure(SLOT)).toBe(1);
      await proxy.stop();
      await waitFor(() => proxied.status !== 'ready');
      expect(await a.recordFailure(SLOT)).toBe(2);
      await proxy.start();
      await waitFor(() => proxied.status === 'ready');
      expect(await a.recordFailure(SLOT)).toBe(3);
      expect(await b.recordFailure(SLOT)).toBe(4);
    } finally {
      await proxy.stop();
    }
  });
});
