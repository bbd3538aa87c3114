// A chat call's cancellation: the part of AbortSignal the call path uses (aborted, and
// an 'abort' listener), without an AbortController and its EventTarget per request,
// which cost ~3 % of the gateway's CPU under load. An AbortSignal satisfies
// CancelSignal too, so probes and tests can pass one (AbortSignal.timeout).

export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class Cancellation implements CancelSignal {
  #aborted = false;
  // Nearly every call has at most one listener at a time (the upstream exchange).
  #listeners: (() => void)[] = [];

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Runs every listener once, in the order they were added; later calls do nothing. */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  /** Like AbortSignal's: a listener added after the abort is never called (check `aborted` first). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners.indexOf(listener);
    if (index >= 0) this.#listeners.splice(index, 1);
  }
}
