import { describe, expect, it } from 'vitest';
import { createLocalSemaphore } from './semaphore.js';
import type { AcquireResult, Permit } from './semaphore.js';

const KEY = 'openai|https://api.openai.com/v1|sha256:1f3a9c0d';

function permitOf(result: AcquireResult): Permit {
  if (!result.ok) throw new Error(`expected a permit, got ${result.reason}`);
  return result.permit;
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('local semaphore', () => {
  it('holds in-flight calls at the limit and serves waiters in arrival order', async () => {
    const semaphore = createLocalSemaphore();
    const first = permitOf(await semaphore.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    const second = permitOf(await semaphore.acquire({ key: KEY, limit: 2, maxWaitMs: 0 }));
    expect(await semaphore.acquire({ key: KEY, limit: 2, maxWaitMs: 0 })).toMatchObject({ ok: false, reason: 'saturated' });

    const served: string[] = [];
    const waiting = ['a', 'b', 'c'].map((name) =>
      semaphore.acquire({ key: KEY, limit: 2, maxWaitMs: 5_000 }).then((result) => {
        served.push(name);
        return permitOf(result);
      }),
    );
    await settle();
    expect(served).toEqual([]);
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 2, queued: 3 }]);

    first.release();
    const a = await waiting[0];
    await settle();
    expect(served).toEqual(['a']);
    second.release();
    a.release();
    const [, b, c] = await Promise.all(waiting);
    expect(served).toEqual(['a', 'b', 'c']);
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 2, queued: 0 }]);
    b.release();
    c.release();
    expect(semaphore.stats()).toEqual([]);
    await semaphore.close();
  });

  it('keeps keys apart', async () => {
    const semaphore = createLocalSemaphore();
    permitOf(await semaphore.acquire({ key: 'a', limit: 1, maxWaitMs: 0 }));
    expect((await semaphore.acquire({ key: 'b', limit: 1, maxWaitMs: 0 })).ok).toBe(true);
    expect((await semaphore.acquire({ key: 'a', limit: 1, maxWaitMs: 0 })).ok).toBe(false);
    await semaphore.close();
  });

  it('turns a caller away as saturated once maxWaitMs has passed, and forgets it', async () => {
    const semaphore = createLocalSemaphore();
    const held = permitOf(await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const started = performance.now();
    const result = await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 80 });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, reason: 'saturated' });
    expect(result.waitedMs).toBeGreaterThanOrEqual(75);
    expect(elapsed).toBeLessThan(1_000);
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 0 }]);
    held.release();
    expect(semaphore.stats()).toEqual([]);
    await semaphore.close();
  });

  it('lets an aborted caller go at once and does not hand it a permit later', async () => {
    const semaphore = createLocalSemaphore();
    const held = permitOf(await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const controller = new AbortController();
    const aborted = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000, signal: controller.signal });
    const next = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000 });
    await settle();
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 2 }]);

    controller.abort();
    expect(await aborted).toMatchObject({ ok: false, reason: 'aborted' });
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 1 }]);

    held.release();
    permitOf(await next).release();
    expect(semaphore.stats()).toEqual([]);
    await semaphore.close();
  });

  it('answers aborted without queueing when the signal has already fired', async () => {
    const semaphore = createLocalSemaphore();
    const result = await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 1_000, signal: AbortSignal.abort() });
    expect(result).toMatchObject({ ok: false, reason: 'aborted' });
    expect(semaphore.stats()).toEqual([]);
    await semaphore.close();
  });

  it('counts a permit released twice only once', async () => {
    const semaphore = createLocalSemaphore();
    const held = permitOf(await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const b = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000 });
    const c = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 150 });
    held.release();
    held.release();
    const bPermit = permitOf(await b);
    expect(await c).toMatchObject({ ok: false, reason: 'saturated' });
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 1, queued: 0 }]);
    bPermit.release();
    bPermit.release();
    expect(semaphore.stats()).toEqual([]);
    await semaphore.close();
  });

  it('never blocks or tracks a key without a limit', async () => {
    const semaphore = createLocalSemaphore();
    const results = await Promise.all(Array.from({ length: 1_000 }, () => semaphore.acquire({ key: KEY, limit: null, maxWaitMs: 0 })));
    expect(results.every((r) => r.ok && r.waitedMs === 0)).toBe(true);
    expect(semaphore.stats()).toEqual([]);
    await semaphore.close();
  });

  it('lets queued callers in at once when the limit is raised', async () => {
    const semaphore = createLocalSemaphore();
    permitOf(await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const queued = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000 });
    const raised = await semaphore.acquire({ key: KEY, limit: 3, maxWaitMs: 0 });
    expect((await queued).ok).toBe(true);
    expect(raised.ok).toBe(true);
    expect(semaphore.stats()).toEqual([{ key: KEY, inFlight: 3, queued: 0 }]);
    await semaphore.close();
  });

  it('rejects a limit below one instead of silently blocking every call', async () => {
    const semaphore = createLocalSemaphore();
    await expect(semaphore.acquire({ key: KEY, limit: 0, maxWaitMs: 0 })).rejects.toThrow(RangeError);
    await semaphore.close();
  });

  it('turns waiters away as saturated on close', async () => {
    const semaphore = createLocalSemaphore();
    permitOf(await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const waiting = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 60_000 });
    await semaphore.close();
    expect(await waiting).toMatchObject({ ok: false, reason: 'saturated' });
    expect(semaphore.stats()).toEqual([]);
  });

  it('reports waitedMs from the injected clock', async () => {
    let now = 1_000;
    const semaphore = createLocalSemaphore({ now: () => now });
    const held = permitOf(await semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 0 }));
    const waiting = semaphore.acquire({ key: KEY, limit: 1, maxWaitMs: 10_000 });
    now += 250;
    held.release();
    expect(await waiting).toMatchObject({ ok: true, waitedMs: 250 });
    await semaphore.close();
  });
});
