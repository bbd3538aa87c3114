// A streamed answer, relayed as it arrives: each upstream body chunk is translated and
// its frames written to the caller at once (the sink corks them until the end of the
// tick, so a burst leaves in one socket write). Until the first chunk is translated the
// caller has received nothing, so an error at the head of a stream can still fail over:
// `head()` settles at that point, and the route attaches the sink after it.
import type { CallOutcome } from './events.js';
import { ClientAbortError, type BodyConsumer, type UpstreamExchange } from './upstream.js';
import { stampChunkBlocks } from './thinking-blocks.js';
import { UpstreamError, type ChatCompletionChunk, type StreamStep, type StreamTranslator, type Usage, type WireFamily } from '../providers/types.js';

/** Where a stream's frames go; `write` returns false when the socket wants a drain. */
export interface SseSink {
  write(frame: string): boolean;
  drain(): Promise<void>;
}

export interface RelayResult {
  outcome: CallOutcome;
  ttftMs: number | null;
  usage: Usage | null;
}

export interface StreamRelayOptions {
  exchange: UpstreamExchange;
  translator: StreamTranslator;
  family: WireFamily;
  /** The caller asked for the usage chunk (stream_options.include_usage). */
  includeUsage: boolean;
  /** performance.now() when the request arrived, for the time to first token. */
  startedAt: number;
  /** Runs once, after the last frame was written (release the permit, record usage). */
  onFinished(result: RelayResult): void;
}

type State = 'head' | 'open' | 'finished';

function isTerminalUsageChunk(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.length === 0;
}

export class StreamRelay implements BodyConsumer {
  readonly #options: StreamRelayOptions;
  #state: State = 'head';
  #headResolve: ((error: UpstreamError | null) => void) | null = null;
  #headReject: ((error: Error) => void) | null = null;
  /** Translated before the sink was attached. */
  #pending: ChatCompletionChunk[] = [];
  #sink: SseSink | null = null;
  #ttftMs: number | null = null;
  #outcome: CallOutcome = 'success';
  #streamError: UpstreamError | null = null;
  #whenDone: (() => void) | null = null;
  #done = false;
  #draining = false;

  constructor(options: StreamRelayOptions) {
    this.#options = options;
  }

  /**
   * Starts reading; settles with null once a first chunk is translated (or the stream
   * ended cleanly before any), with the UpstreamError of a stream that failed at its head,
   * and rejects with a transport failure before any chunk (UpstreamError, ClientAbortError).
   */
  head(): Promise<UpstreamError | null> {
    return new Promise((resolve, reject) => {
      this.#headResolve = resolve;
      this.#headReject = reject;
      this.#options.exchange.consume(this);
    });
  }

  /** Writes everything translated so far, then every frame as it comes; resolves after the last. */
  pipe(sink: SseSink): Promise<void> {
    this.#sink = sink;
    const pending = this.#pending;
    this.#pending = [];
    this.#write(pending);
    if (this.#state === 'finished') {
      this.#finalise();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#whenDone = resolve;
    });
  }

  data(chunk: Buffer): void {
    if (this.#state !== 'finished') this.#take(this.#options.translator.push(chunk), false);
  }

  end(): void {
    if (this.#state !== 'finished') this.#take(this.#options.translator.finish(), true);
  }

  error(error: Error): void {
    if (this.#state === 'finished') return;
    if (this.#state === 'head') {
      this.#state = 'finished';
      this.#headReject?.(error);
      return;
    }
    if (error instanceof ClientAbortError) {
      this.#outcome = 'cancelled';
    } else if (error instanceof UpstreamError && error.kind === 'network') {
      // The connection dropped before the body ended: the upstream cut the stream. The
      // translator judges whether its terminal event had arrived (truncated if not).
      const step = this.#options.translator.finish();
      this.#emit(step.chunks);
      this.#streamError = step.error ?? null;
    } else {
      this.#streamError = error as UpstreamError;
    }
    this.#finish();
  }

  #take(step: StreamStep, ended: boolean): void {
    if (this.#state === 'head') {
      if (step.error) {
        this.#state = 'finished';
        this.#options.exchange.abort(step.error);
        this.#headResolve?.(step.error);
        return;
      }
      this.#emit(step.chunks);
      if (ended || step.done) this.#finish();
      else if (this.#pending.length > 0) this.#state = 'open';
      if (this.#state !== 'head') this.#headResolve?.(null);
      return;
    }
    this.#emit(step.chunks);
    if (step.error) {
      this.#streamError = step.error;
      this.#finish();
    } else if (ended || step.done) {
      // Anything after the terminal event is read and dropped, so undici can reuse the socket.
      this.#finish();
    }
  }

  /** Chunks go to the sink once attached, else wait for it. */
  #emit(chunks: ChatCompletionChunk[]): void {
    if (chunks.length === 0) return;
    if (this.#sink) this.#write(chunks);
    else for (const chunk of chunks) this.#pending.push(chunk);
  }

  #write(chunks: ChatCompletionChunk[]): void {
    const { includeUsage, family } = this.#options;
    let frames = '';
    for (const chunk of chunks) {
      if (!includeUsage && isTerminalUsageChunk(chunk)) continue;
      stampChunkBlocks(chunk, family);
      frames += `data: ${JSON.stringify(chunk)}\n\n`;
    }
    if (frames === '') return;
    if (this.#ttftMs === null) this.#ttftMs = performance.now() - this.#options.startedAt;
    if (!this.#sink!.write(frames) && !this.#draining && this.#state !== 'finished') {
      this.#draining = true;
      this.#options.exchange.pause();
      void this.#sink!.drain().then(() => {
        this.#draining = false;
        this.#options.exchange.resume();
      });
    }
  }

  #finish(): void {
    this.#state = 'finished';
    if (this.#sink) this.#finalise();
  }

  /** The closing frame, then the owner's bookkeeping; once, with the sink attached. */
  #finalise(): void {
    if (this.#done) return;
    this.#done = true;
    const sink = this.#sink!;
    const error = this.#streamError;
    if (error) {
      this.#outcome = error.kind === 'truncated' ? 'truncated' : 'error';
      const code = error.kind === 'truncated' ? 'upstream_stream_truncated' : error.kind === 'timeout' ? 'upstream_timeout' : 'upstream_error';
      const message =
        error.kind === 'truncated'
          ? 'The provider ended the stream before its final event; the answer is incomplete.'
          : `The provider's stream failed: ${error.providerMessage ?? error.kind}.`;
      sink.write(`data: ${JSON.stringify({ error: { message, type: 'api_error', code, param: null } })}\n\n`);
    } else if (this.#outcome === 'success') {
      sink.write('data: [DONE]\n\n');
    }
    if (this.#outcome !== 'success') this.#options.exchange.abort(new ClientAbortError());
    else if (this.#draining) this.#options.exchange.resume();
    try {
      this.#options.onFinished({ outcome: this.#outcome, ttftMs: this.#ttftMs, usage: this.#options.translator.usage() });
    } finally {
      // The route ends the response and leaves the in-flight set whatever the bookkeeping did.
      this.#whenDone?.();
    }
  }
}
