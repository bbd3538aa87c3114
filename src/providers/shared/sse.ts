import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * Incremental SSE decoder: bytes in (split anywhere, even inside a UTF-8 sequence),
 * complete events out. Comment lines (OpenRouter's `: OPENROUTER PROCESSING`) are dropped.
 */
export class SseDecoder {
  readonly #text = new TextDecoder('utf-8');
  readonly #pending: SseEvent[] = [];
  readonly #parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      this.#pending.push({ event: message.event, data: message.data });
    },
  });

  push(bytes: Uint8Array): SseEvent[] {
    this.#parser.feed(this.#text.decode(bytes, { stream: true }));
    return this.#drain();
  }

  /** Flush a final event that had no trailing blank line. */
  end(): SseEvent[] {
    const rest = this.#text.decode();
    if (rest) this.#parser.feed(rest);
    this.#parser.feed('\n\n');
    return this.#drain();
  }

  #drain(): SseEvent[] {
    if (this.#pending.length === 0) return [];
    return this.#pending.splice(0, this.#pending.length);
  }
}
