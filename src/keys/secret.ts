const REDACTED = '[REDACTED]';

/**
 * A decrypted credential. It never prints itself: string conversion, JSON and
 * util.inspect all redact, so a secret that slips into a log line or an error body
 * shows `[REDACTED]`. Only `reveal()` gives the value, at the point it goes on the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
