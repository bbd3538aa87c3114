// Graceful shutdown of chat calls. Fastify's close waits for open connections, but a
// chat stream hijacks its reply and its usage row is written after the last byte, and
// a call cut at the deadline records itself only once its abort has run through: so
// the calls are tracked here, the app's onClose waits for them before the usage log is
// flushed, and at SHUTDOWN_GRACE_MS those still running are aborted (recorded as
// cancelled) and their connections closed.
import type { FastifyInstance } from 'fastify';

/** A call the shutdown can cut short. */
export interface InFlightCall {
  abort(): void;
}

export class InFlightCalls {
  readonly #open = new Set<InFlightCall>();
  #idleWaiters: (() => void)[] = [];

  /** From the call's start until `leave` (for a stream: after its last write). */
  enter(call: InFlightCall): void {
    this.#open.add(call);
  }

  leave(call: InFlightCall): void {
    if (!this.#open.delete(call) || this.#open.size > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  get size(): number {
    return this.#open.size;
  }

  /** Resolves once no call is open, including calls that entered while waiting. */
  idle(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  abortAll(): void {
    for (const call of [...this.#open]) call.abort();
  }
}

/**
 * On close: let the calls in flight finish for up to `graceMs` (new requests already get
 * 503 and the listener stops), then abort the rest and close every connection. The
 * app's onClose awaits `calls.idle()` before flushing the usage log.
 */
export function closeGracefully(app: FastifyInstance, calls: InFlightCalls, graceMs: number): void {
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    deadline = setTimeout(() => {
      if (calls.size > 0) app.log.warn({ calls: calls.size, graceMs }, 'shutdown grace passed: cutting the calls still running');
      calls.abortAll();
      app.server.closeAllConnections();
    }, graceMs);
    deadline.unref();
    // A connection whose stream ended during the drain goes idle: let it go at once.
    void calls.idle().then(() => app.server.closeIdleConnections());
  });
  app.addHook('onClose', async () => clearTimeout(deadline));
}
