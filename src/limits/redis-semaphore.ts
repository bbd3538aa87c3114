// Permits shared by every gateway instance on one Redis. See README.md for the
// design and the guarantees; the Lua lives in redis-scripts.ts.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LocalSemaphore } from './local-semaphore.js';
import { ACQUIRE, LEAVE_LINE, RELEASE, RENEW, runScript, runScriptBatch } from './redis-scripts.js';
import type { AcquireResult, LimitsLogger, Permit, PermitRequest, PermitStats, Semaphore } from './semaphore.js';
import {
  SATURATED_AT_ONCE,
  WaiterQueue,
  armWaiter,
  admit,
  disarmWaiter,
  remainingWait,
  settleWaiter,
  type Waiter,
} from './waiters.js';

/** Released permits remembered while Redis is away; beyond this their leases just lapse. */
const MAX_STRAYS = 10_000;

export interface RedisSemaphoreOptions {
  redis: Redis;
  /** Prepended to every Redis key and to the pub/sub channel. */
  prefix: string;
  /** How long a permit outlives its holder's last heartbeat (a crashed instance's permits come back after this). */
  leaseMs?: number;
  /** The one timer's period: re-poll of waiting keys, watchdog, re-attach probe. Default leaseMs/10, within 50–500. */
  pollMs?: number;
  /** A Redis call unanswered for this long counts as Redis lost. Default 2000. */
  commandTimeoutMs?: number;
  /**
   * How long a released permit may sit unclaimed, still registered, for reuse by the next
   * caller on this instance before it goes back to Redis (checked once per window, so it
   * is back within two); 0 turns reuse off. Default 5. Never while an instance (this one
   * included) is in line for the key.
   */
  reuseWindowMs?: number;
  logger?: LimitsLogger;
  onModeChange?: (mode: 'redis' | 'degraded') => void;
  now?: () => number;
}

interface KeyState {
  readonly key: string;
  readonly heldKey: string;
  readonly lineKeys: readonly [string, string];
  /** RELEASE's keys: held, and the line (a wake-up is published only when someone is in it). */
  readonly releaseKeys: readonly [string, string];
  readonly acquireKeys: readonly [string, string, string];
  /** Published when a permit or a place in line frees up: `<instanceId> <key>`. */
  readonly wakeMessage: string;
  limit: number;
  /** Permits this instance holds for the key, whatever backs them. */
  inFlight: number;
  /** Callers waiting on Redis (in degraded mode they wait in the embedded local semaphore). */
  readonly waiters: WaiterQueue;
  /** Fast-path calls whose Redis answer has not come back. */
  pendingFast: number;
  /** A 'wait' attempt for the head waiter is out; never more than one per key. */
  attempting: boolean;
  attemptStartedAt: number;
  /** A wake-up arrived while attempting: try again when the answer comes. */
  retryWhenDone: boolean;
  /** The instance may have a place in the key's line in Redis. */
  inLine: boolean;
  /** Released permits still registered in Redis, for the next caller here (see reuseWindowMs); oldest first. */
  spares: Array<{ id: string; limit: number; since: number }>;
  /** When this instance last heard that some instance is in the key's line. */
  lineSeenAt: number;
}

interface PendingFast {
  readonly request: PermitRequest;
  readonly state: KeyState;
  readonly limit: number;
  readonly startedAt: number;
  readonly resolve: (result: AcquireResult) => void;
  /** Handed elsewhere (Redis lost, or close) before the answer came. */
  done: boolean;
}

class HeldPermit implements Permit {
  released = false;
  constructor(
    private readonly owner: RedisSemaphore,
    readonly id: string,
    readonly state: KeyState,
    readonly limit: number,
    /** Counts in the embedded local semaphore (taken in degraded mode, or adopted when Redis went away). */
    public local: Permit | null,
    /** Registered in Redis (or to be re-registered by the next heartbeat). */
    public inRedis: boolean,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.giveBack(this);
  }
}

class RedisSemaphore implements Semaphore {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly channel: string;
  /** Where ACQUIRE announces that an instance is in line (no wake-up: nothing was freed). */
  private readonly queuedChannel: string;
  private readonly instanceId = randomUUID();
  private readonly leaseMs: number;
  private readonly keyTtlMs: number;
  private readonly lineTtlMs: number;
  private readonly renewEveryMs: number;
  private readonly commandTimeoutMs: number;
  private readonly reuseWindowMs: number;
  /** Keys with spare permits, and the timer that hands them back to Redis. */
  private readonly withSpares = new Set<KeyState>();
  private sparesTimer: NodeJS.Timeout | null = null;
  private readonly logger: LimitsLogger | undefined;
  private readonly onModeChange: ((mode: 'redis' | 'degraded') => void) | undefined;
  private readonly now: () => number;
  private readonly local: LocalSemaphore;
  private readonly states = new Map<string, KeyState>();
  private readonly held = new Set<HeldPermit>();
  private readonly pendingFast = new Set<PendingFast>();
  private readonly strays = new Map<string, KeyState>();
  private readonly timer: NodeJS.Timeout;
  private currentMode: 'redis' | 'degraded';
  /** Bumped whenever Redis is given up: answers from an older epoch are stale. */
  private epoch = 0;
  private sequence = 0;
  private lastRenewAt: number;
  private probing = false;
  private renewing = false;
  private closed = false;

  private readonly giveUpWaiting = (waiter: Waiter, reason: 'saturated' | 'aborted'): void => {
    const state = this.states.get(waiter.request.key);
    if (!state || !state.waiters.remove(waiter)) return;
    settleWaiter(waiter, { ok: false, reason, waitedMs: this.now() - waiter.startedAt });
    if (state.waiters.length === 0) this.leaveLine(state);
    this.forgetIfIdle(state);
  };
  private readonly onRedisClose = (): void => this.goDegraded(new Error('Redis connection closed'));
  private readonly onRedisReady = (): void => this.probe();
  private readonly onReleased = (channel: string, message: string): void => {
    const space = message.indexOf(' ');
    // Our own releases already triggered an attempt on this connection.
    if ((channel !== this.channel && channel !== this.queuedChannel) || message.slice(0, space) === this.instanceId) return;
    const key = message.slice(space + 1);
    const state = this.states.get(key);
    if (!state) return;
    // Either message means an instance is in line: released permits go back to Redis now.
    this.lineSeen(state);
    if (channel === this.channel && state.waiters.length > 0) this.attempt(state);
  };

  constructor(options: RedisSemaphoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.channel = `${options.prefix}sem:released`;
    this.queuedChannel = `${options.prefix}sem:queued`;
    this.leaseMs = options.leaseMs ?? 30_000;
    const pollMs = options.pollMs ?? Math.min(500, Math.max(50, Math.round(this.leaseMs / 10)));
    this.lineTtlMs = Math.max(1_000, 4 * pollMs);
    this.keyTtlMs = Math.max(this.leaseMs, this.lineTtlMs) + 1_000;
    this.renewEveryMs = Math.max(1, Math.floor(this.leaseMs / 3));
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    this.reuseWindowMs = options.reuseWindowMs ?? 5;
    this.logger = options.logger;
    this.onModeChange = options.onModeChange;
    this.now = options.now ?? (() => performance.now());
    this.local = new LocalSemaphore(this.now);
    this.lastRenewAt = this.now();

    this.redis.on('close', this.onRedisClose);
    this.redis.on('ready', this.onRedisReady);
    // Our own connection, so that a shared client is never put in subscriber mode.
    // It queues commands while offline so the subscription survives reconnects.
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    this.subscriber.on('error', () => {}); // the main client's state drives the mode
    this.subscriber.on('message', this.onReleased);
    this.subscriber.on('ready', () => void this.subscriber.subscribe(this.channel, this.queuedChannel).catch(() => {}));
    this.subscriber.subscribe(this.channel, this.queuedChannel).catch(() => {});

    this.currentMode = this.redis.status === 'ready' ? 'redis' : 'degraded';
    if (this.currentMode === 'degraded') {
      this.logger?.warn({ redisStatus: this.redis.status }, 'Redis is not reachable yet: concurrency permits are enforced per instance until it answers');
      this.probe();
    }
    this.timer = setInterval(() => this.tick(), pollMs);
    this.timer.unref();
  }

  mode(): 'redis' | 'degraded' {
    return this.currentMode;
  }

  acquire(request: PermitRequest): Promise<AcquireResult> {
    const admission = admit(request, this.closed);
    if ('answer' in admission) return admission.answer;
    const { limit } = admission;
    if (this.currentMode === 'redis' && this.redis.status !== 'ready') this.goDegraded(new Error(`Redis connection is ${this.redis.status}`));

    const state = this.stateFor(request.key, limit);
    const startedAt = this.now();
    if (this.currentMode === 'degraded') {
      return new Promise((resolve) => this.acquireLocally(request, state, limit, startedAt, resolve));
    }
    if (state.waiters.length > 0) {
      if (!(request.maxWaitMs > 0)) return SATURATED_AT_ONCE;
      return new Promise((resolve) => this.wait(request, state, startedAt, request.maxWaitMs, resolve));
    }
    const spare = state.spares.pop();
    if (spare) {
      if (spare.limit === limit) return Promise.resolve({ ok: true, permit: this.track(state, limit, spare.id, null, true), waitedMs: 0 });
      // The limit changed since it was taken: it counts against the old one, give it back.
      this.releaseStray(state, spare.id);
    }
    return new Promise((resolve) => this.tryAtOnce(request, state, limit, startedAt, resolve));
  }

  stats(): PermitStats[] {
    const byKey = new Map<string, PermitStats>();
    for (const state of this.states.values()) {
      byKey.set(state.key, { key: state.key, inFlight: state.inFlight, queued: state.waiters.length });
    }
    // The local semaphore's in-flight count mirrors ours (adopted permits); only its queue adds.
    for (const local of this.local.stats()) {
      const entry = byKey.get(local.key);
      if (entry) entry.queued += local.queued;
      else if (local.queued > 0) byKey.set(local.key, { key: local.key, inFlight: 0, queued: local.queued });
    }
    return [...byKey.values()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.redis.off('close', this.onRedisClose);
    this.redis.off('ready', this.onRedisReady);

    for (const entry of this.pendingFast) this.finishFast(entry, { ok: false, reason: 'saturated', waitedMs: this.now() - entry.startedAt });
    this.pendingFast.clear();
    const leaving: KeyState[] = [];
    for (const state of this.states.values()) {
      for (let waiter = state.waiters.shift(); waiter; waiter = state.waiters.shift()) {
        settleWaiter(waiter, { ok: false, reason: 'saturated', waitedMs: this.now() - waiter.startedAt });
      }
      if (state.inLine) leaving.push(state);
    }
    const releasing: HeldPermit[] = [];
    for (const permit of this.held) {
      permit.released = true;
      permit.local?.release();
      if (permit.inRedis) releasing.push(permit);
    }
    this.held.clear();
    await this.local.close();

    const releases = releasing.map((p) => ({ keys: p.state.releaseKeys, args: [p.id, this.channel, p.state.wakeMessage] }));
    for (const state of this.withSpares) for (const spare of state.spares.splice(0)) releases.push({ keys: state.releaseKeys, args: [spare.id, this.channel, state.wakeMessage] });
    this.withSpares.clear();
    if (this.sparesTimer) clearTimeout(this.sparesTimer);
    for (const [id, state] of this.strays) releases.push({ keys: state.releaseKeys, args: [id, this.channel, state.wakeMessage] });
    this.strays.clear();
    if (this.redis.status === 'ready' && (releases.length > 0 || leaving.length > 0)) {
      const channel = this.channel;
      const work = Promise.all([
        runScriptBatch(this.redis, RELEASE, releases),
        runScriptBatch(this.redis, LEAVE_LINE, leaving.map((s) => ({ keys: s.lineKeys, args: [this.instanceId, channel, s.wakeMessage] }))),
      ]).catch(() => {}); // leases and line places lapse on their own
      await withTimeout(work, this.commandTimeoutMs);
    }
    this.states.clear();
    this.subscriber.disconnect();
  }

  /** @internal the permit side of release. */
  giveBack(permit: HeldPermit): void {
    this.held.delete(permit);
    const state = permit.state;
    state.inFlight--;
    permit.local?.release();
    if (permit.inRedis && !permit.local && this.mayReuse(state)) {
      // Still registered (it counts against the cap): the next caller here takes it
      // without a Redis round trip; unclaimed for a whole reuseWindowMs, it goes back (within two windows).
      state.spares.push({ id: permit.id, limit: permit.limit, since: this.now() });
      this.withSpares.add(state);
      this.sparesTimer ??= setTimeout(this.returnSpares, this.reuseWindowMs).unref();
    } else if (permit.inRedis) {
      if (this.redis.status === 'ready') {
        runScript(this.redis, RELEASE, state.releaseKeys, [permit.id, this.channel, state.wakeMessage]).then(
          (answer) => {
            if (Number(answer) >= 2) this.lineSeen(state);
          },
          (error) => {
            this.goDegraded(error);
            this.rememberStray(state, permit.id);
          },
        );
      } else {
        this.rememberStray(state, permit.id);
      }
    }
    // Same connection, so Redis sees the release before this attempt.
    if (state.waiters.length > 0) this.attempt(state);
    this.forgetIfIdle(state);
  }

  // ------------------------------------------------------------ acquiring

  /** The fast path: one script call that either grants or puts the instance in line. */
  private tryAtOnce(request: PermitRequest, state: KeyState, limit: number, startedAt: number, resolve: (r: AcquireResult) => void): void {
    const entry: PendingFast = { request, state, limit, startedAt, resolve, done: false };
    const permitId = this.nextPermitId();
    this.pendingFast.add(entry);
    state.pendingFast++;
    const mode = request.maxWaitMs > 0 ? 'new' : 'try';
    runScript(this.redis, ACQUIRE, state.acquireKeys, [limit, permitId, this.leaseMs, this.instanceId, mode, this.lineTtlMs, this.keyTtlMs, 1, this.queuedChannel, state.wakeMessage]).then(
      (granted) => this.onFastAnswer(entry, `${permitId}.1`, granted === 1),
      (error) => {
        state.pendingFast--;
        if (entry.done) return; // already moved in-process
        this.goDegraded(error); // moves every pending caller, this one included
        if (!entry.done) {
          // Only when closing: goDegraded does nothing then.
          this.pendingFast.delete(entry);
          this.finishFast(entry, { ok: false, reason: 'saturated', waitedMs: this.now() - startedAt });
        }
      },
    );
  }

  private onFastAnswer(entry: PendingFast, permitId: string, granted: boolean): void {
    const { state, request } = entry;
    state.pendingFast--;
    this.pendingFast.delete(entry);
    if (entry.done) {
      // The caller was served elsewhere meanwhile: hand the permit straight back.
      if (granted) this.releaseStray(state, permitId);
      this.forgetIfIdle(state);
      return;
    }
    entry.done = true;
    const now = this.now();
    if (granted) {
      const permit = this.track(state, entry.limit, permitId, null, true);
      if (request.signal?.aborted) {
        permit.release();
        entry.resolve({ ok: false, reason: 'aborted', waitedMs: now - entry.startedAt });
      } else {
        entry.resolve({ ok: true, permit, waitedMs: now - entry.startedAt });
      }
      return;
    }
    if (request.maxWaitMs > 0) state.inLine = true; // 'new' joined the line, 'try' did not
    // Refused: spares of ours go back to Redis at once (returnSparesOf wakes our waiters after).
    if (state.spares.length > 0) this.returnSparesOf(state);
    const remaining = remainingWait(request, entry.startedAt, now);
    if (request.signal?.aborted || remaining <= 0) {
      entry.resolve({ ok: false, reason: request.signal?.aborted ? 'aborted' : 'saturated', waitedMs: now - entry.startedAt });
      if (state.waiters.length === 0) this.leaveLine(state);
      this.forgetIfIdle(state);
      return;
    }
    this.wait(request, state, entry.startedAt, remaining, entry.resolve);
  }

  private wait(request: PermitRequest, state: KeyState, startedAt: number, waitMs: number, resolve: (r: AcquireResult) => void): void {
    state.waiters.insertByArrival(armWaiter(request, startedAt, waitMs, resolve, this.giveUpWaiting));
    if (state.waiters.length === 1) this.attempt(state);
  }

  /** One 'wait' attempt for the key's head waiter; the answer goes to whoever is head then. */
  private attempt(state: KeyState): void {
    if (this.currentMode !== 'redis' || this.closed || state.waiters.length === 0) return;
    if (state.attempting) {
      state.retryWhenDone = true;
      return;
    }
    state.attempting = true;
    state.retryWhenDone = false;
    state.attemptStartedAt = this.now();
    const epoch = this.epoch;
    const permitId = this.nextPermitId();
    const wanted = state.waiters.length;
    runScript(this.redis, ACQUIRE, state.acquireKeys, [state.limit, permitId, this.leaseMs, this.instanceId, 'wait', this.lineTtlMs, this.keyTtlMs, wanted, this.queuedChannel, state.wakeMessage]).then(
      (granted) => this.onWaitAnswer(state, epoch, permitId, Number(granted)),
      (error) => {
        if (epoch !== this.epoch) return;
        state.attempting = false;
        this.goDegraded(error);
      },
    );
  }

  private onWaitAnswer(state: KeyState, epoch: number, permitIdBase: string, granted: number): void {
    if (epoch !== this.epoch) {
      for (let i = 1; i <= granted; i++) this.releaseStray(state, `${permitIdBase}.${i}`);
      return;
    }
    state.attempting = false;
    if (granted > 0) {
      state.inLine = false;
      const now = this.now();
      for (let i = 1; i <= granted; i++) {
        const permitId = `${permitIdBase}.${i}`;
        const waiter = state.waiters.shift();
        // Waiters that left while the answer was on its way: hand their permits straight back.
        if (!waiter) this.releaseStray(state, permitId);
        else settleWaiter(waiter, { ok: true, permit: this.track(state, state.limit, permitId, null, true), waitedMs: now - waiter.startedAt });
      }
      // More waiters: take further free permits, or re-join the line at the back.
      if (state.waiters.length > 0) this.attempt(state);
      else this.forgetIfIdle(state);
      return;
    }
    state.inLine = true;
    if (state.waiters.length === 0) {
      this.leaveLine(state);
      this.forgetIfIdle(state);
    } else if (state.retryWhenDone) {
      this.attempt(state);
    }
  }

  /** Degraded mode, or a caller moved off Redis: the embedded semaphore, with the time left. */
  private acquireLocally(request: PermitRequest, state: KeyState, limit: number, startedAt: number, resolve: (r: AcquireResult) => void): void {
    state.pendingFast++; // keeps the state (and its in-flight count) alive while the caller waits
    this.local.acquireFrom(request, startedAt).then(
      (result) => {
        state.pendingFast--;
        if (!result.ok) {
          this.forgetIfIdle(state);
          return resolve(result);
        }
        if (this.closed) {
          result.permit.release();
          return resolve({ ok: false, reason: 'saturated', waitedMs: result.waitedMs });
        }
        const permit = this.track(state, limit, this.nextPermitId(), result.permit, this.currentMode === 'redis');
        // Redis came back while this caller waited: register the permit at once.
        if (permit.inRedis) void this.renew([permit]);
        resolve({ ok: true, permit, waitedMs: result.waitedMs });
      },
      (error) => {
        state.pendingFast--;
        resolve({ ok: false, reason: 'saturated', waitedMs: this.now() - startedAt });
        this.logger?.warn({ err: String(error) }, 'in-process permit acquisition failed');
      },
    );
  }

  // ------------------------------------------------------------ Redis lost and found

  private goDegraded(error: unknown): void {
    if (this.closed || this.currentMode === 'degraded') return;
    this.currentMode = 'degraded';
    this.epoch++;
    this.logger?.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis unreachable: concurrency permits are enforced per instance until it answers again',
    );
    // Spares are registered in Redis but held by no caller: released there on re-attach.
    this.dropSpares();
    // Permits already out keep counting against the in-process cap.
    for (const permit of this.held) {
      if (!permit.local) permit.local = this.local.adopt(permit.state.key, permit.limit);
    }
    // Callers waiting on Redis continue in-process with the time they have left.
    const moving = [...this.pendingFast];
    this.pendingFast.clear();
    for (const entry of moving) {
      entry.done = true;
      this.acquireLocally(entry.request, entry.state, entry.limit, entry.startedAt, entry.resolve);
    }
    for (const state of this.states.values()) {
      state.attempting = false;
      state.retryWhenDone = false;
      state.inLine = false; // our place lapses on its own
      for (let waiter = state.waiters.shift(); waiter; waiter = state.waiters.shift()) {
        disarmWaiter(waiter);
        this.acquireLocally(waiter.request, state, state.limit, waiter.startedAt, waiter.resolve);
      }
    }
    this.notify('degraded');
  }

  private probe(): void {
    if (this.closed || this.currentMode === 'redis' || this.probing || this.redis.status === 'end') return;
    this.probing = true;
    this.redis.ping().then(
      () => {
        this.probing = false;
        if (this.redis.status === 'ready') this.reattach();
      },
      () => {
        this.probing = false;
      },
    );
  }

  private reattach(): void {
    if (this.closed || this.currentMode === 'redis') return;
    this.currentMode = 'redis';
    this.logger?.info({}, 'Redis reachable again: concurrency permits are shared across instances again');
    this.releaseStrays();
    // Permits taken in-process meanwhile join the shared count so new callers see them.
    for (const permit of this.held) permit.inRedis = true;
    if (this.held.size > 0) void this.renew([...this.held]);
    this.notify('redis');
  }

  // ------------------------------------------------------------ the one timer

  private tick(): void {
    const now = this.now();
    if (this.currentMode === 'degraded') return this.probe();
    if (this.redisUnresponsive(now)) {
      return this.goDegraded(new Error(`Redis did not answer within ${this.commandTimeoutMs} ms`));
    }
    // Re-poll: covers a missed wake-up and a crashed holder's lapsed lease, and
    // keeps this instance's place in line fresh.
    for (const state of this.states.values()) {
      if (state.waiters.length > 0 && !state.attempting) this.attempt(state);
    }
    if (now - this.lastRenewAt >= this.renewEveryMs && !this.renewing) {
      this.lastRenewAt = now;
      if (this.held.size > 0) {
        this.renewing = true;
        void this.renew([...this.held]).finally(() => {
          this.renewing = false;
        });
      }
    }
  }

  private redisUnresponsive(now: number): boolean {
    for (const entry of this.pendingFast) if (now - entry.startedAt > this.commandTimeoutMs) return true;
    for (const state of this.states.values()) if (state.attempting && now - state.attemptStartedAt > this.commandTimeoutMs) return true;
    return false;
  }

  /** One pipeline renewing every lease this instance holds. */
  private async renew(permits: HeldPermit[]): Promise<void> {
    const live = permits.filter((p) => p.inRedis && !p.released);
    if (live.length === 0) return;
    const calls = live.map((p) => ({ keys: [p.state.heldKey], args: [p.id, this.leaseMs, this.keyTtlMs] }));
    try {
      await runScriptBatch(this.redis, RENEW, calls);
    } catch (error) {
      return this.goDegraded(error);
    }
    // A release that overtook its renewal (the renewal re-sent after NOSCRIPT) left
    // the permit re-added: give it back again rather than wait for the lease. Not when
    // the id lives on as a spare or was taken by a new caller: it must keep counting.
    const released = live.filter((p) => p.released);
    if (released.length === 0) return;
    const inUse = new Set<string>();
    for (const p of this.held) inUse.add(p.id);
    for (const state of this.withSpares) for (const spare of state.spares) inUse.add(spare.id);
    for (const p of released) if (!inUse.has(p.id)) this.releaseStray(p.state, p.id);
  }

  // ------------------------------------------------------------ reusing released permits

  /**
   * Reuse only on an uncontended key: nobody in line here or (lately, as far as we heard)
   * elsewhere, and our subscriber connected (it is how we hear of a line elsewhere). An
   * ACQUIRE of ours refused for want of a permit parked here gives the spares back and
   * then tries again for its caller (onFastAnswer).
   */
  private mayReuse(state: KeyState): boolean {
    return (
      this.reuseWindowMs > 0 &&
      this.currentMode === 'redis' &&
      !this.closed &&
      this.subscriber.status === 'ready' &&
      state.waiters.length === 0 &&
      !state.inLine &&
      this.now() - state.lineSeenAt > this.lineTtlMs
    );
  }

  /** Some instance is in the key's line: its spares go back to Redis now, and none are kept for a while. */
  private lineSeen(state: KeyState): void {
    state.lineSeenAt = this.now();
    if (state.spares.length > 0) this.returnSparesOf(state);
  }

  /** Spares unclaimed for a whole window go back; younger ones wait for the next turn. */
  private readonly returnSpares = (): void => {
    this.sparesTimer = null;
    const cutoff = this.now() - this.reuseWindowMs;
    for (const state of this.withSpares) {
      let stale = 0;
      while (stale < state.spares.length && state.spares[stale].since <= cutoff) stale++;
      this.returnSparesOf(state, stale);
    }
    if (this.withSpares.size > 0) this.sparesTimer = setTimeout(this.returnSpares, this.reuseWindowMs).unref();
  };

  private returnSparesOf(state: KeyState, count = state.spares.length): void {
    const spares = state.spares.splice(0, count);
    if (state.spares.length === 0) this.withSpares.delete(state);
    if (spares.length === 0) return;
    if (this.redis.status !== 'ready') {
      for (const spare of spares) this.rememberStray(state, spare.id);
    } else {
      const calls = spares.map((spare) => ({ keys: state.releaseKeys, args: [spare.id, this.channel, state.wakeMessage] }));
      runScriptBatch(this.redis, RELEASE, calls).catch((error) => {
        this.goDegraded(error);
        for (const spare of spares) this.rememberStray(state, spare.id);
      });
      // Same connection, so Redis sees the releases before this attempt.
      if (state.waiters.length > 0) this.attempt(state);
    }
    this.forgetIfIdle(state);
  }

  private dropSpares(): void {
    for (const state of this.withSpares) for (const spare of state.spares.splice(0)) this.rememberStray(state, spare.id);
    this.withSpares.clear();
  }

  // ------------------------------------------------------------ helpers

  private track(state: KeyState, limit: number, id: string, local: Permit | null, inRedis: boolean): HeldPermit {
    const permit = new HeldPermit(this, id, state, limit, local, inRedis);
    state.inFlight++;
    this.held.add(permit);
    return permit;
  }

  private releaseStray(state: KeyState, permitId: string): void {
    if (this.redis.status !== 'ready') return this.rememberStray(state, permitId);
    runScript(this.redis, RELEASE, state.releaseKeys, [permitId, this.channel, state.wakeMessage]).catch(() => this.rememberStray(state, permitId));
  }

  /** A permit given back while Redis could not hear it: released there on re-attach, or its lease lapses first. */
  private rememberStray(state: KeyState, permitId: string): void {
    if (this.closed || this.strays.size >= MAX_STRAYS) return;
    this.strays.set(permitId, state);
  }

  private releaseStrays(): void {
    if (this.strays.size === 0) return;
    const calls = [...this.strays].map(([id, state]) => ({ keys: state.releaseKeys, args: [id, this.channel, state.wakeMessage] }));
    this.strays.clear();
    runScriptBatch(this.redis, RELEASE, calls).catch(() => {}); // their leases lapse
  }

  private leaveLine(state: KeyState): void {
    if (!state.inLine) return;
    state.inLine = false;
    if (this.currentMode !== 'redis' || this.redis.status !== 'ready') return;
    runScript(this.redis, LEAVE_LINE, state.lineKeys, [this.instanceId, this.channel, state.wakeMessage]).catch(() => {});
  }

  private notify(mode: 'redis' | 'degraded'): void {
    try {
      this.onModeChange?.(mode);
    } catch (error) {
      this.logger?.warn({ err: String(error) }, 'onModeChange threw');
    }
  }

  private finishFast(entry: PendingFast, result: AcquireResult): void {
    entry.done = true;
    entry.resolve(result);
  }

  private nextPermitId(): string {
    return `${this.instanceId}:${(++this.sequence).toString(36)}`;
  }

  private stateFor(key: string, limit: number): KeyState {
    let state = this.states.get(key);
    if (!state) {
      // One hash tag per key keeps the three structures in one slot (Redis Cluster).
      const base = `${this.prefix}sem:{${key}}:`;
      const heldKey = `${base}held`;
      const lineKeys = [`${base}line`, `${base}line-exp`] as const;
      state = {
        key,
        heldKey,
        lineKeys,
        releaseKeys: [heldKey, lineKeys[0]],
        acquireKeys: [heldKey, lineKeys[0], lineKeys[1]],
        wakeMessage: `${this.instanceId} ${key}`,
        limit,
        inFlight: 0,
        waiters: new WaiterQueue(),
        pendingFast: 0,
        attempting: false,
        attemptStartedAt: 0,
        retryWhenDone: false,
        inLine: false,
        spares: [],
        lineSeenAt: Number.NEGATIVE_INFINITY,
      };
      this.states.set(key, state);
    }
    state.limit = limit;
    return state;
  }

  private forgetIfIdle(state: KeyState): void {
    if (
      state.inFlight <= 0 &&
      state.waiters.length === 0 &&
      state.pendingFast === 0 &&
      !state.attempting &&
      !state.inLine &&
      state.spares.length === 0 &&
      this.states.get(state.key) === state
    ) {
      this.states.delete(state.key);
    }
  }
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function createRedisSemaphore(options: RedisSemaphoreOptions): Semaphore {
  return new RedisSemaphore(options);
}
