// The AWS event-stream binary framing (application/vnd.amazon.eventstream), used by
// Bedrock ConverseStream. Big-endian throughout:
//   total length u32 | headers length u32 | prelude CRC32 | headers | payload | message CRC32
// Both CRCs are verified; a frame that fails either is corruption, not a partial read.
// https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html
import { crc32 } from './crc32.js';

export type EventStreamHeaderValue = boolean | number | bigint | string | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, EventStreamHeaderValue>;
  payload: Uint8Array;
}

export class EventStreamFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamFormatError';
  }
}

const PRELUDE_LENGTH = 12;
const MIN_MESSAGE_LENGTH = PRELUDE_LENGTH + 4;
// The service caps a message at 16 MiB of payload and 128 KiB of headers.
const MAX_MESSAGE_LENGTH = 16 * 1024 * 1024 + 128 * 1024 + MIN_MESSAGE_LENGTH;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new EventStreamFormatError('event-stream header is not valid UTF-8');
  }
}

export interface DecodeResult {
  messages: EventStreamMessage[];
  /** Set when a frame failed its checks; the messages before it are still good. */
  error: EventStreamFormatError | null;
}

/** Incremental decoder: bytes in as they arrive (split anywhere), whole verified messages out. */
export class EventStreamDecoder {
  #buffer: Uint8Array = new Uint8Array(0);
  #error: EventStreamFormatError | null = null;

  /** After a corrupt frame the stream cannot be resynchronised: every later push reports the same error. */
  push(bytes: Uint8Array): DecodeResult {
    if (this.#error) return { messages: [], error: this.#error };
    this.#buffer = concat(this.#buffer, bytes);
    const messages: EventStreamMessage[] = [];
    let offset = 0;
    try {
      while (this.#buffer.length - offset >= PRELUDE_LENGTH) {
        const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + offset);
        const totalLength = view.getUint32(0);
        const headersLength = view.getUint32(4);
        if (crc32(this.#buffer.subarray(offset, offset + 8)) !== view.getUint32(8)) {
          throw new EventStreamFormatError('event-stream prelude CRC mismatch');
        }
        if (totalLength < MIN_MESSAGE_LENGTH || totalLength > MAX_MESSAGE_LENGTH || headersLength > totalLength - MIN_MESSAGE_LENGTH) {
          throw new EventStreamFormatError(`event-stream frame has impossible lengths (${totalLength}, ${headersLength})`);
        }
        if (this.#buffer.length - offset < totalLength) break;
        messages.push(decodeFrame(this.#buffer.subarray(offset, offset + totalLength), headersLength));
        offset += totalLength;
      }
    } catch (cause) {
      if (!(cause instanceof EventStreamFormatError)) throw cause;
      this.#error = cause;
      this.#buffer = new Uint8Array(0);
      return { messages, error: cause };
    }
    // Always a copy in a plain Uint8Array: Buffer#slice is a view onto the caller's memory.
    this.#buffer = new Uint8Array(this.#buffer.subarray(offset));
    return { messages, error: null };
  }

  /** Bytes of an unfinished frame still buffered (non-zero when a stream is cut mid-frame). */
  get pendingBytes(): number {
    return this.#buffer.length;
  }
}

function decodeFrame(frame: Uint8Array, headersLength: number): EventStreamMessage {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (crc32(frame.subarray(0, frame.length - 4)) !== view.getUint32(frame.length - 4)) {
    throw new EventStreamFormatError('event-stream message CRC mismatch');
  }
  const headers = decodeHeaders(frame.subarray(PRELUDE_LENGTH, PRELUDE_LENGTH + headersLength));
  const payload = new Uint8Array(frame.subarray(PRELUDE_LENGTH + headersLength, frame.length - 4));
  return { headers, payload };
}

function decodeHeaders(bytes: Uint8Array): Record<string, EventStreamHeaderValue> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Record<string, EventStreamHeaderValue> = {};
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new EventStreamFormatError('event-stream header runs past its block');
  };
  while (pos < bytes.length) {
    need(1);
    const nameLength = view.getUint8(pos);
    pos += 1;
    need(nameLength + 1);
    const name = utf8(bytes.subarray(pos, pos + nameLength));
    pos += nameLength;
    const type = view.getUint8(pos);
    pos += 1;
    switch (type) {
      case 0:
      case 1:
        headers[name] = type === 0;
        break;
      case 2:
        need(1);
        headers[name] = view.getInt8(pos);
        pos += 1;
        break;
      case 3:
        need(2);
        headers[name] = view.getInt16(pos);
        pos += 2;
        break;
      case 4:
        need(4);
        headers[name] = view.getInt32(pos);
        pos += 4;
        break;
      case 5:
      case 8: {
        need(8);
        const value = view.getBigInt64(pos);
        headers[name] = type === 5 ? value : new Date(Number(value));
        pos += 8;
        break;
      }
      case 6:
      case 7: {
        need(2);
        const length = view.getUint16(pos);
        pos += 2;
        need(length);
        const raw = new Uint8Array(bytes.subarray(pos, pos + length));
        headers[name] = type === 7 ? utf8(raw) : raw;
        pos += length;
        break;
      }
      case 9:
        need(16);
        headers[name] = Buffer.from(bytes.subarray(pos, pos + 16)).toString('hex');
        pos += 16;
        break;
      default:
        throw new EventStreamFormatError(`event-stream header ${name} has unknown type ${type}`);
    }
  }
  return headers;
}

/** One frame with string headers (all Bedrock uses); for tests and the fake upstream. */
export function encodeEventStreamMessage(headers: Record<string, string>, payload: Uint8Array | string): Uint8Array {
  const encoder = new TextEncoder();
  const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const headerParts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = encoder.encode(name);
    const valueBytes = encoder.encode(value);
    const part = new Uint8Array(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    const view = new DataView(part.buffer);
    part[0] = nameBytes.length;
    part.set(nameBytes, 1);
    part[1 + nameBytes.length] = 7;
    view.setUint16(2 + nameBytes.length, valueBytes.length);
    part.set(valueBytes, 4 + nameBytes.length);
    headerParts.push(part);
  }
  const headerBytes = headerParts.reduce((acc, part) => concat(acc, part), new Uint8Array(0));
  const totalLength = MIN_MESSAGE_LENGTH + headerBytes.length + body.length;
  const frame = new Uint8Array(totalLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, totalLength);
  view.setUint32(4, headerBytes.length);
  view.setUint32(8, crc32(frame.subarray(0, 8)));
  frame.set(headerBytes, PRELUDE_LENGTH);
  frame.set(body, PRELUDE_LENGTH + headerBytes.length);
  view.setUint32(totalLength - 4, crc32(frame.subarray(0, totalLength - 4)));
  return frame;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
