// The FIFO of callers waiting for a permit on one key: an intrusive doubly linked
// list, so that push, shift and removal of a waiter that timed out or was aborted
// are all O(1) and allocate nothing beyond the waiter itself.
import type { AcquireResult, PermitRequest } from './semaphore.js';

/** setTimeout fires at once for delays above this (and for Infinity). */
const MAX_TIMER_MS = 2_147_483_647;

export interface Waiter {
  prev: Waiter | null;
  next: Waiter | null;
  queued: boolean;
  readonly request: PermitRequest;
  readonly startedAt: number;
  readonly resolve: (result: AcquireResult) => void;
  timer: NodeJS.Timeout | null;
  onAbort: (() => void) | null;
}

export class WaiterQueue {
  private head: Waiter | null = null;
  private tail: Waiter | null = null;
  length = 0;

  push(waiter: Waiter): void {
    waiter.prev = this.tail;
    waiter.next = null;
    if (this.tail) this.tail.next = waiter;
    else this.head = waiter;
    this.tail = waiter;
    waiter.queued = true;
    this.length++;
  }

  /** Places the waiter by arrival time: a caller whose first Redis attempt came back late still keeps its turn. */
  insertByArrival(waiter: Waiter): void {
    let before = this.tail;
    while (before && before.startedAt > waiter.startedAt) before = before.prev;
    if (before === this.tail) return this.push(waiter);
    const after = before ? before.next : this.head;
    waiter.prev = before;
    waiter.next = after;
    if (before) before.next = waiter;
    else this.head = waiter;
    if (after) after.prev = waiter;
    waiter.queued = true;
    this.length++;
  }

  shift(): Waiter | null {
    const waiter = this.head;
    if (waiter) this.remove(waiter);
    return waiter;
  }

  /** False when the waiter had already left (settled by another path). */
  remove(waiter: Waiter): boolean {
    if (!waiter.queued) return false;
    if (waiter.prev) waiter.prev.next = waiter.next;
    else this.head = waiter.next;
    if (waiter.next) waiter.next.prev = waiter.prev;
    else this.tail = waiter.prev;
    waiter.prev = waiter.next = null;
    waiter.queued = false;
    this.length--;
    return true;
  }
}

/**
 * A waiter with its deadline timer and abort listener armed. `onGiveUp` runs when
 * either fires; it must remove the waiter from its queue and settle it.
 */
export function armWaiter(
  request: PermitRequest,
  startedAt: number,
  waitMs: number,
  resolve: (result: AcquireResult) => void,
  onGiveUp: (waiter: Waiter, reason: 'saturated' | 'aborted') => void,
): Waiter {
  const waiter: Waiter = { prev: null, next: null, queued: false, request, startedAt, resolve, timer: null, onAbort: null };
  waiter.timer = setTimeout(onGiveUp, Math.min(Math.max(waitMs, 0), MAX_TIMER_MS), waiter, 'saturated');
  if (request.signal) {
    waiter.onAbort = () => onGiveUp(waiter, 'aborted');
    request.signal.addEventListener('abort', waiter.onAbort, { once: true });
  }
  return waiter;
}

/** Clears the waiter's timer and abort listener; call before settling it or handing it elsewhere. */
export function disarmWaiter(waiter: Waiter): void {
  if (waiter.timer) clearTimeout(waiter.timer);
  waiter.timer = null;
  if (waiter.onAbort) waiter.request.signal?.removeEventListener('abort', waiter.onAbort);
  waiter.onAbort = null;
}

export function settleWaiter(waiter: Waiter, result: AcquireResult): void {
  disarmWaiter(waiter);
  waiter.resolve(result);
}

/** The request's limit as a positive integer; throws on nonsense so a bad config fails loudly. */
export function checkedLimit(limit: number): number {
  if (!Number.isFinite(limit) || limit < 1) {
    throw new RangeError(`maxConcurrentRequests must be a positive integer or null, got ${limit}`);
  }
  return Math.floor(limit);
}

export function remainingWait(request: PermitRequest, startedAt: number, now: number): number {
  const maxWaitMs = Number.isNaN(request.maxWaitMs) ? 0 : request.maxWaitMs;
  return maxWaitMs - (now - startedAt);
}

export const NO_OP_PERMIT = Object.freeze({ release() {} });
export const UNCAPPED: Promise<AcquireResult> = Promise.resolve(Object.freeze({ ok: true as const, permit: NO_OP_PERMIT, waitedMs: 0 }));
export const ABORTED_AT_ONCE: Promise<AcquireResult> = Promise.resolve(Object.freeze({ ok: false as const, reason: 'aborted' as const, waitedMs: 0 }));
export const SATURATED_AT_ONCE: Promise<AcquireResult> = Promise.resolve(Object.freeze({ ok: false as const, reason: 'saturated' as const, waitedMs: 0 }));

/**
 * What both semaphores decide before queueing: an immediate answer (no cap, bad limit,
 * already aborted, closed), or the checked limit to queue against.
 */
export function admit(request: PermitRequest, closed: boolean): { answer: Promise<AcquireResult> } | { limit: number } {
  if (request.limit === null) return { answer: UNCAPPED };
  let limit: number;
  try {
    limit = checkedLimit(request.limit);
  } catch (error) {
    return { answer: Promise.reject(error) };
  }
  if (request.signal?.aborted) return { answer: ABORTED_AT_ONCE };
  if (closed) return { answer: SATURATED_AT_ONCE };
  return { limit };
}
