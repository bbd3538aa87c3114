// The usage log, off the request path: rows are buffered in memory and written in
// batches; a failed write keeps the rows (bounded) for the next attempt; close()
// flushes everything, so a graceful shutdown loses nothing.
import type { NewUsageRow, UsageRepository } from '../store/usage.js';

export interface UsageRecorderOptions {
  repository: UsageRepository;
  flushIntervalMs: number;
  /** Most rows held while storage is unreachable; beyond it the oldest are dropped (and counted). */
  bufferLimit: number;
  batchSize?: number;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export class UsageRecorder {
  #buffer: NewUsageRow[] = [];
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #dropped = 0;
  #failing = false;
  readonly #options: UsageRecorderOptions;
  readonly #batchSize: number;

  constructor(options: UsageRecorderOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? 500;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  record(row: NewUsageRow): void {
    this.#buffer.push(row);
    if (this.#buffer.length > this.#options.bufferLimit) {
      const over = this.#buffer.length - this.#options.bufferLimit;
      this.#buffer.splice(0, over);
      this.#dropped += over;
    }
    if (this.#buffer.length >= this.#batchSize && !this.#flushing && !this.#failing) void this.flush();
  }

  /** Rows waiting to be written (the usage-log backlog metric). */
  backlog(): number {
    return this.#buffer.length;
  }

  dropped(): number {
    return this.#dropped;
  }

  /** Writes what is buffered; concurrent calls share one flush. Never throws. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#buffer.length === 0) return Promise.resolve();
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.#batchSize);
      try {
        await this.#options.repository.insertBatch(batch);
      } catch (err) {
        if (!this.#failing) this.#options.logger?.warn({ err, backlog: this.#buffer.length }, 'usage log: write failed, rows kept for retry');
        this.#failing = true;
        return;
      }
      if (this.#failing) this.#options.logger?.warn({ backlog: this.#buffer.length }, 'usage log: writes recovered');
      this.#failing = false;
      this.#buffer.splice(0, batch.length);
    }
  }

  /** Stops the timer and writes everything left (retrying until `deadlineMs`). */
  async close(deadlineMs = 10_000): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const until = Date.now() + deadlineMs;
    while (this.#buffer.length > 0 && Date.now() < until) {
      await this.flush();
      if (this.#buffer.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.#buffer.length > 0) {
      this.#options.logger?.error({ lost: this.#buffer.length }, 'usage log: storage unreachable at shutdown, rows not written');
    }
  }
}
