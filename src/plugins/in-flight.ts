// Graceful shutdown of chat calls. Fastify's close waits for open connections, but a
// chat stream hijacks its reply and its usage row is written after the last byte, and
// a call cut at the deadline records itself only once its abort has run through: so
// the calls are tracked here, the app's onClose waits for them before the usage log is
// flushed, and at SHUTDOWN_GRACE_MS those still running are aborted (recorded as
// cancelled) and their connections closed.
import type { FastifyInstance } from 'fastify';

export class InFlightCalls {
  readonly #open = new Map<Promise<void>, () => void>();

  /** Keeps a call until `done` settles (for a stream: its last write); `abort` ends it early. */
  track(done: Promise<unknown>, abort: () => void): void {
    const settled: Promise<void> = done.then(
      () => undefined,
      () => undefined,
    );
    this.#open.set(settled, abort);
    void settled.then(() => this.#open.delete(settled));
  }

  get size(): number {
    return this.#open.size;
  }

  /** Resolves once no call is open, including calls tracked while waiting. */
  async idle(): Promise<void> {
    while (this.#open.size > 0) await Promise.all(this.#open.keys());
  }

  abortAll(): void {
    for (const abort of this.#open.values()) abort();
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
