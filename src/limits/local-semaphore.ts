// In-process permits: a counter and a FIFO of waiters per key. A free permit is
// granted synchronously (no timer, no listener); a release hands the permit to the
// head waiter directly, so nobody can slip in between.
import type { AcquireResult, Permit, PermitRequest, PermitStats, Semaphore } from './semaphore.js';
import {
  SATURATED_AT_ONCE,
  WaiterQueue,
  armWaiter,
  admit,
  checkedLimit,
  remainingWait,
  settleWaiter,
  type Waiter,
} from './waiters.js';

export interface LocalSemaphoreOptions {
  /** Monotonic milliseconds, for `waitedMs`. */
  now?: () => number;
}

interface KeyState {
  readonly key: string;
  limit: number;
  inFlight: number;
  readonly waiters: WaiterQueue;
}

class LocalPermit implements Permit {
  private released = false;
  constructor(
    private readonly owner: LocalSemaphore,
    private readonly state: KeyState,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.giveBack(this.state);
  }
}

export class LocalSemaphore implements Semaphore {
  private readonly states = new Map<string, KeyState>();
  private closed = false;
  private readonly giveUp = (waiter: Waiter, reason: 'saturated' | 'aborted'): void => {
    const state = this.states.get(waiter.request.key);
    if (!state || !state.waiters.remove(waiter)) return;
    settleWaiter(waiter, { ok: false, reason, waitedMs: this.now() - waiter.startedAt });
    this.forgetIfIdle(state);
  };

  constructor(private readonly now: () => number) {}

  acquire(request: PermitRequest): Promise<AcquireResult> {
    const admission = admit(request, this.closed);
    if ('answer' in admission) return admission.answer;
    const { limit } = admission;

    const state = this.stateFor(request.key, limit);
    if (state.waiters.length > 0) this.grantWaiting(state); // a raised limit frees queued callers first
    if (state.waiters.length === 0 && state.inFlight < state.limit) {
      state.inFlight++;
      return Promise.resolve({ ok: true, permit: new LocalPermit(this, state), waitedMs: 0 });
    }
    if (!(request.maxWaitMs > 0)) {
      this.forgetIfIdle(state);
      return SATURATED_AT_ONCE;
    }
    const startedAt = this.now();
    return new Promise((resolve) => {
      state.waiters.push(armWaiter(request, startedAt, request.maxWaitMs, resolve, this.giveUp));
    });
  }

  /**
   * Waits with an explicit start time and remaining budget (used by the Redis
   * semaphore when it moves its waiters here because Redis went away).
   */
  acquireFrom(request: PermitRequest, startedAt: number): Promise<AcquireResult> {
    const remaining = remainingWait(request, startedAt, this.now());
    const started = this.acquire({ key: request.key, limit: request.limit, maxWaitMs: remaining, signal: request.signal });
    return started.then((result) => ({ ...result, waitedMs: this.now() - startedAt }) as AcquireResult);
  }

  /** Counts a permit that already exists elsewhere (a Redis permit held when Redis went away) without waiting. */
  adopt(key: string, limit: number): Permit {
    const state = this.stateFor(key, checkedLimit(limit));
    state.inFlight++;
    return new LocalPermit(this, state);
  }

  /** @internal the permit side of release. */
  giveBack(state: KeyState): void {
    state.inFlight--;
    this.grantWaiting(state);
    this.forgetIfIdle(state);
  }

  stats(): PermitStats[] {
    const out: PermitStats[] = [];
    for (const state of this.states.values()) {
      out.push({ key: state.key, inFlight: state.inFlight, queued: state.waiters.length });
    }
    return out;
  }

  mode(): 'local' {
    return 'local';
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.states.values()) {
      for (let waiter = state.waiters.shift(); waiter; waiter = state.waiters.shift()) {
        settleWaiter(waiter, { ok: false, reason: 'saturated', waitedMs: this.now() - waiter.startedAt });
      }
    }
    // Permits still out become no-ops against detached state.
    this.states.clear();
  }

  private stateFor(key: string, limit: number): KeyState {
    let state = this.states.get(key);
    if (!state) {
      state = { key, limit, inFlight: 0, waiters: new WaiterQueue() };
      this.states.set(key, state);
    }
    state.limit = limit;
    return state;
  }

  private grantWaiting(state: KeyState): void {
    while (state.inFlight < state.limit) {
      const waiter = state.waiters.shift();
      if (!waiter) return;
      state.inFlight++;
      settleWaiter(waiter, { ok: true, permit: new LocalPermit(this, state), waitedMs: this.now() - waiter.startedAt });
    }
  }

  private forgetIfIdle(state: KeyState): void {
    if (state.inFlight <= 0 && state.waiters.length === 0 && this.states.get(state.key) === state) {
      this.states.delete(state.key);
    }
  }
}

export function createLocalSemaphore(options: LocalSemaphoreOptions = {}): Semaphore {
  return new LocalSemaphore(options.now ?? (() => performance.now()));
}
