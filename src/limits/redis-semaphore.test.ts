import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisPrefix, serviceUrls } from '../../test/helpers/services.js';
import { createRedisSemaphore, type AcquireResult, type Permit, type RedisSemaphoreOptions, type Semaphore } from './semaphore.js';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.js';
import { redisFixture, ready, sleep, waitFor, type RedisFixture } from './testing/redis.js';

const KEY = 'zai|https://api.z.ai/api/coding/paas/v4|sha256:1f3a9c0d';

function permitOf(result: AcquireResult): Permit {
  if (!result.ok) throw new Error(`expected a permit, got ${result.reason}`);
  return result.permit;
}

let prefix: string;
let fixture: RedisFixture;
let semaphores: Semaphore[];
let proxies: TcpProxy[];

beforeEach(() => {
  prefix = redisPrefix();
  fixture = redisFixture(serviceUrls().redisUrl, prefix);
  semaphores = [];
  proxies = [];
});

afterEach(async () => {
  await Promise.all(semaphores.map((s) => s.close()));
  await Promise.all(proxies.map((p) => p.stop()));
  await fixture.cleanup();
});

async function semaphore(options: Partial<RedisSemaphoreOptions> & { redis?: Redis } = {}): Promise<Semaphore> {
  const redis = options.redis ?? (await fixture.client());
  const created = createRedisSemaphore({ prefix, ...options, redis });
  semaphores.push(created);
  return created;
}

const heldKey = () => `${prefix}sem:{${KEY}}:held`;
const lineKey = () => `${prefix}sem:{${KEY}}:line`;

function silentLogger() {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (_: object, message: string) => warnings.push(message), info: (_: object, message: string) => infos.push(message) };
}

describe('Redis semaphore', () => {
  it('never lets two of three instances hold a limit-1 permit at once, and serves all 50 callers', async () => {
    const instances = [await semaphore(), await semaphore(), await semaphore()];
    expect(instances.map((s) => s.mode())).toEqual(['redis', 'redis', 'redis']);

    let inFlight = 0;
    let maxInFlight = 0;
    const servedBy = [0, 0, 0];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const permit = permitOf(await instances[i % 3].acquire({ key: KEY, limit: 1, maxWaitMs: 20_000 }));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(2);
        inFlight--;
        permit.release();
        servedBy[i % 3]++;
      }),
    );
    expect(maxInFlight).toBe(1);
    expect(servedBy).toEqual([17, 17, 16]);
    const admin = await fixture.client();
    await waitFor(async () => (await admin.zcard(heldKey())) === 0);
    expect(await admin.zcard(lineKey())).toBe(0);
  });

  it('serves another instance between the turns of an instance with a long queue', async () => {
    const [holder, busy, other] = [await semaphore(), await semaphore(), await semaphore()];
    const first = permitOf(await holder.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const served: string[] = [];
    const take = async (instance: Semaphore, name: string) => {
      const permit = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 20_000 }));
      served.push(name);
      await sleep(5);
      permit.release();
    };
    const busyCalls = Array.from({ length: 8 }, (_, i) => take(busy, `busy${i}`));
    await waitFor(async () => (await fixture.client().then((c) => c.zcard(lineKey()))) === 1);
    const otherCall = take(other, 'other');
    await waitFor(async () => (await fixture.client().then((c) => c.zcard(lineKey()))) === 2);
    first.release();
    await Promise.all([...busyCalls, otherCall]);
    // busy was in line first, so it goes first; then other, before busy's remaining seven.
    expect(served.slice(0, 2)).toEqual(['busy0', 'other']);
    expect(served.filter((name) => name.startsWith('busy'))).toEqual(Array.from({ length: 8 }, (_, i) => `busy${i}`));
  });

  it('serves the waiters of one instance in arrival order', async () => {
    const [holder, waiting] = [await semaphore(), await semaphore()];
    const first = permitOf(await holder.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const served: number[] = [];
    const calls = [0, 1, 2, 3].map((i) =>
      waiting.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000 }).then(async (result) => {
        served.push(i);
        await sleep(3);
        permitOf(result).release();
      }),
    );
    await sleep(50);
    expect(waiting.stats()).toEqual([{ key: KEY, inFlight: 0, queued: 4 }]);
    first.release();
    await Promise.all(calls);
    expect(served).toEqual([0, 1, 2, 3]);
  });

  it('gives a crashed instance’s permit back within the lease', async () => {
    const crashingClient = await fixture.client();
    const crashing = await semaphore({ redis: crashingClient, leaseMs: 1_000 });
    const survivor = await semaphore({ leaseMs: 1_000 });
    permitOf(await crashing.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    crashingClient.disconnect(); // no release, no more heartbeats
    const crashedAt = performance.now();

    expect(await survivor.acquire({ key: KEY, limit: 1, maxWaitMs: 300 })).toMatchObject({ ok: false, reason: 'saturated' });
    const result = await survivor.acquire({ key: KEY, limit: 1, maxWaitMs: 5_000 });
    expect(result.ok).toBe(true);
    expect(performance.now() - crashedAt).toBeLessThan(1_000 + 600);
  });

  it('keeps a permit held past its lease while the holder is alive (heartbeat)', async () => {
    const holder = await semaphore({ leaseMs: 600 });
    const other = await semaphore({ leaseMs: 600 });
    const permit = permitOf(await holder.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    expect(await other.acquire({ key: KEY, limit: 1, maxWaitMs: 1_500 })).toMatchObject({ ok: false, reason: 'saturated' });
    permit.release();
    const next = await other.acquire({ key: KEY, limit: 1, maxWaitMs: 1_000 });
    expect(next.ok).toBe(true);
    expect(next.waitedMs).toBeLessThan(200);
  });

  it('turns a waiter away as saturated after maxWaitMs and gives up its place in line', async () => {
    const [holder, waiting] = [await semaphore(), await semaphore()];
    permitOf(await holder.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const result = await waiting.acquire({ key: KEY, limit: 1, maxWaitMs: 150 });
    expect(result).toMatchObject({ ok: false, reason: 'saturated' });
    expect(result.waitedMs).toBeGreaterThanOrEqual(145);
    expect(waiting.stats()).toEqual([]);
    const admin = await fixture.client();
    await waitFor(async () => (await admin.zcard(lineKey())) === 0);
  });

  it('lets an aborted waiter go at once and never hands it a permit', async () => {
    const [holder, waiting] = [await semaphore(), await semaphore()];
    const first = permitOf(await holder.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const controller = new AbortController();
    const aborted = waiting.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000, signal: controller.signal });
    await sleep(30);
    controller.abort();
    expect(await aborted).toMatchObject({ ok: false, reason: 'aborted' });
    expect(waiting.stats()).toEqual([]);
    first.release();
    const admin = await fixture.client();
    await waitFor(async () => (await admin.zcard(heldKey())) === 0);
    await sleep(100);
    expect(await admin.zcard(heldKey())).toBe(0);
  });

  it('counts a permit released twice only once', async () => {
    const instance = await semaphore();
    const permit = permitOf(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    const other = permitOf(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    permit.release();
    permit.release();
    expect(instance.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 0 }]);
    permitOf(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    expect(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 })).toMatchObject({ ok: false, reason: 'saturated' });
    other.release();
  });

  it('hands a released permit to the next caller here without a Redis call, and back to Redis when unclaimed', async () => {
    const redis = await fixture.client();
    const instance = await semaphore({ redis, reuseWindowMs: 200 });
    const admin = await fixture.client();
    const first = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    let scripts = 0;
    const evalsha = redis.evalsha.bind(redis);
    redis.evalsha = ((...args: Parameters<typeof evalsha>) => {
      scripts++;
      return evalsha(...args);
    }) as typeof redis.evalsha;
    first.release();
    const second = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    expect(scripts).toBe(0);
    expect(await admin.zcard(heldKey())).toBe(1); // the same permit, never uncounted
    second.release();
    expect(await admin.zcard(heldKey())).toBe(1); // a spare still counts against the cap
    await waitFor(async () => (await admin.zcard(heldKey())) === 0, 2_000);
    expect(instance.stats()).toEqual([]);
  });

  it('gives a released permit back at once while another instance is in line', async () => {
    const a = await semaphore({ reuseWindowMs: 10_000 });
    const b = await semaphore({ reuseWindowMs: 10_000 });
    const held = permitOf(await a.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const bWaits = b.acquire({ key: KEY, limit: 1, maxWaitMs: 5_000 });
    await waitFor(async () => (await (await fixture.client()).zcard(lineKey())) === 1, 2_000);
    await sleep(50); // the line's announcement reaches a
    held.release();
    const aAgain = a.acquire({ key: KEY, limit: 1, maxWaitMs: 5_000 });
    const bPermit = permitOf(await bWaits); // well before a's 10 s reuse window
    let aServed = false;
    void aAgain.then(() => (aServed = true));
    await sleep(100);
    expect(aServed).toBe(false); // a's newcomer did not overtake b
    bPermit.release();
    permitOf(await aAgain).release();
  });

  it('keeps counting a permit that became a spare while a lease renewal was in flight', async () => {
    const redisA = await fixture.client();
    let renewalStarted: (() => void) | null = null;
    const pipeline = redisA.pipeline.bind(redisA);
    // Every renewal goes out as a pipeline: hold it 50 ms, and tell the test it started.
    redisA.pipeline = ((...args: Parameters<typeof pipeline>) => {
      const batch = pipeline(...args);
      const exec = batch.exec.bind(batch);
      batch.exec = (async (...execArgs: Parameters<typeof exec>) => {
        const started = renewalStarted;
        renewalStarted = null;
        started?.();
        await sleep(50);
        return exec(...execArgs);
      }) as typeof batch.exec;
      return batch;
    }) as typeof redisA.pipeline;
    const a = await semaphore({ redis: redisA, leaseMs: 600, reuseWindowMs: 10_000 });
    const b = await semaphore({ reuseWindowMs: 10_000 });
    const first = permitOf(await a.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    await new Promise<void>((resolve) => (renewalStarted = resolve));
    first.release(); // a spare, while the renewal is on its way
    await sleep(120);
    expect(await (await fixture.client()).zcard(heldKey())).toBe(1);
    const again = permitOf(await a.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    expect(await b.acquire({ key: KEY, limit: 1, maxWaitMs: 0 })).toMatchObject({ ok: false, reason: 'saturated' });
    again.release();
  });

  it('serves a caller whose ACQUIRE crossed a release on the same instance at once, not after a re-poll', async () => {
    const instance = await semaphore({ reuseWindowMs: 5 });
    const first = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const started = performance.now();
    const second = instance.acquire({ key: KEY, limit: 1, maxWaitMs: 5_000 });
    first.release(); // while the second caller's ACQUIRE is on its way
    permitOf(await second).release();
    expect(performance.now() - started).toBeLessThan(200); // the re-poll period is 500 ms
  });

  it('releases its spare permits in Redis on close', async () => {
    const instance = await semaphore({ reuseWindowMs: 60_000 });
    const admin = await fixture.client();
    permitOf(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 })).release();
    expect(await admin.zcard(heldKey())).toBe(1);
    await instance.close();
    expect(await admin.zcard(heldKey())).toBe(0);
  });

  it('grants an uncapped key at once without touching Redis', async () => {
    const instance = await semaphore();
    const results = await Promise.all(Array.from({ length: 100 }, () => instance.acquire({ key: KEY, limit: null, maxWaitMs: 0 })));
    expect(results.every((r) => r.ok && r.waitedMs === 0)).toBe(true);
    expect(await fixture.keys()).toEqual([]);
    expect(instance.stats()).toEqual([]);
  });

  it('gives back every held permit in Redis on close', async () => {
    const instance = await semaphore();
    permitOf(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    permitOf(await instance.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    const waiting = instance.acquire({ key: KEY, limit: 2, maxWaitMs: 10_000 });
    const admin = await fixture.client();
    expect(await admin.zcard(heldKey())).toBe(2);
    await instance.close();
    expect(await waiting).toMatchObject({ ok: false, reason: 'saturated' });
    expect(await admin.zcard(heldKey())).toBe(0);
  });

  it('runs in-process, degraded, when Redis is unreachable at start', async () => {
    const logger = silentLogger();
    const instance = await semaphore({ redis: await fixture.unreachableClient(), logger });
    expect(instance.mode()).toBe('degraded');
    expect(logger.warnings).toHaveLength(1);

    const permit = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    expect(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 })).toMatchObject({ ok: false, reason: 'saturated' });
    const waiting = instance.acquire({ key: KEY, limit: 1, maxWaitMs: 5_000 });
    await sleep(20);
    expect(instance.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 1 }]);
    permit.release();
    permitOf(await waiting).release();
    expect(instance.stats()).toEqual([]);
  });

  it('survives losing Redis mid-run and re-attaches when it returns', async () => {
    const { hostname, port } = new URL(serviceUrls().redisUrl);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    proxies.push(proxy);
    const proxied = await fixture.client({ host: '127.0.0.1', port: proxy.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    await ready(proxied);
    const modes: string[] = [];
    const logger = silentLogger();
    const instance = await semaphore({ redis: proxied, leaseMs: 5_000, logger, onModeChange: (mode) => modes.push(mode) });
    const other = await semaphore({ leaseMs: 5_000 });
    const admin = await fixture.client();
    expect(instance.mode()).toBe('redis');

    const heldWhenLost = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    await proxy.stop();
    await waitFor(() => instance.mode() === 'degraded');
    expect(modes).toEqual(['degraded']);
    expect(logger.warnings).toHaveLength(1);

    // The permit held when Redis went away still counts, and still releases.
    expect(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 })).toMatchObject({ ok: false, reason: 'saturated' });
    heldWhenLost.release();
    const takenLocally = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));

    await proxy.start();
    await waitFor(() => instance.mode() === 'redis');
    expect(modes).toEqual(['degraded', 'redis']);
    expect(logger.infos).toHaveLength(1);
    // The stale permit is gone from Redis and the one taken in-process now counts there.
    await waitFor(async () => (await admin.zrange(heldKey(), 0, -1)).length === 1, 1_500);
    expect(await other.acquire({ key: KEY, limit: 1, maxWaitMs: 200 })).toMatchObject({ ok: false, reason: 'saturated' });
    takenLocally.release();
    const next = await other.acquire({ key: KEY, limit: 1, maxWaitMs: 2_000 });
    expect(next.ok).toBe(true);
    expect(next.waitedMs).toBeLessThan(1_000);
  });

  it('moves callers waiting on Redis in-process when Redis is lost, keeping their deadline', async () => {
    const { hostname, port } = new URL(serviceUrls().redisUrl);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    proxies.push(proxy);
    const proxied = await fixture.client({ host: '127.0.0.1', port: proxy.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const instance = await semaphore({ redis: proxied, logger: silentLogger() });
    const held = permitOf(await instance.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const waiting = instance.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000 });
    const timingOut = instance.acquire({ key: KEY, limit: 1, maxWaitMs: 400 });
    await sleep(30);
    await proxy.stop();
    await waitFor(() => instance.mode() === 'degraded');
    expect(instance.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 2 }]);
    held.release();
    permitOf(await waiting).release();
    const late = await timingOut;
    // Behind `waiting` in the in-process queue, which released at once, so it got in.
    expect(late.ok).toBe(true);
    if (late.ok) late.permit.release();
    expect(instance.stats()).toEqual([]);
  });
});
