import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, EventStreamFormatError, encodeEventStreamMessage } from './aws-event-stream.js';
import { crc32 } from './crc32.js';

// A modelStreamErrorException frame captured from Bedrock ConverseStream (vercel/ai
// packages/amazon-bedrock/src/__fixtures__/model-stream-error-exception.eventstream.base64.txt).
const CAPTURED_EXCEPTION_FRAME =
  'AAAA3QAAAGfHkZB6DTptZXNzYWdlLXR5cGUHAAlleGNlcHRpb24POmV4Y2VwdGlvbi10eXBlBwAZbW9kZWxTdHJlYW1FcnJvckV4Y2VwdGlvbg06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbnsibWVzc2FnZSI6Ik1vZGVsIFN0cmVhbSBFcnJvciIsIm9yaWdpbmFsU3RhdHVzQ29kZSI6NTAwLCJvcmlnaW5hbE1lc3NhZ2UiOiJUaGUgbW9kZWwgc3RyZWFtIGZhaWxlZC4ifVczQxM=';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return encodeEventStreamMessage(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify(payload),
  );
}

describe('EventStreamDecoder', () => {
  it('decodes a frame captured from Bedrock, headers and payload', () => {
    const [message] = new EventStreamDecoder().push(Buffer.from(CAPTURED_EXCEPTION_FRAME, 'base64')).messages;
    expect(message.headers).toEqual({
      ':message-type': 'exception',
      ':exception-type': 'modelStreamErrorException',
      ':content-type': 'application/json',
    });
    expect(JSON.parse(text(message.payload))).toMatchObject({ message: 'Model Stream Error', originalStatusCode: 500 });
  });

  it('reassembles frames split at every possible byte boundary', () => {
    const stream = Buffer.concat([
      eventFrame('messageStart', { role: 'assistant' }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo' } }),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = new EventStreamDecoder();
      const messages = [...decoder.push(stream.subarray(0, cut)).messages, ...decoder.push(stream.subarray(cut)).messages];
      expect(messages.map((m) => m.headers[':event-type'])).toEqual(['messageStart', 'contentBlockDelta']);
      expect(JSON.parse(text(messages[1].payload)).delta.text).toBe('héllo');
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('decodes several frames from one chunk', () => {
    const chunk = Buffer.concat([eventFrame('a', {}), eventFrame('b', {}), eventFrame('c', {})]);
    expect(new EventStreamDecoder().push(chunk).messages.map((m) => m.headers[':event-type'])).toEqual(['a', 'b', 'c']);
  });

  it('keeps an unfinished frame pending', () => {
    const frame = eventFrame('messageStop', { stopReason: 'end_turn' });
    const decoder = new EventStreamDecoder();
    expect(decoder.push(frame.subarray(0, frame.length - 3))).toEqual({ messages: [], error: null });
    expect(decoder.pendingBytes).toBe(frame.length - 3);
  });

  it('rejects a frame whose payload was altered (message CRC), keeping the good frames before it', () => {
    const good = eventFrame('messageStart', { role: 'assistant' });
    const bad = eventFrame('contentBlockDelta', { delta: { text: 'abc' } });
    bad[bad.length - 8] ^= 0x01;
    const decoder = new EventStreamDecoder();
    const result = decoder.push(Buffer.concat([good, bad]));
    expect(result.messages.map((m) => m.headers[':event-type'])).toEqual(['messageStart']);
    expect(result.error).toBeInstanceOf(EventStreamFormatError);
    expect(result.error?.message).toMatch(/message CRC/);
    expect(decoder.push(good).error).toBe(result.error);
  });

  it('rejects a frame whose prelude was altered (prelude CRC), before its body arrives', () => {
    const frame = eventFrame('contentBlockDelta', { delta: { text: 'abc' } });
    frame[5] ^= 0x01;
    expect(new EventStreamDecoder().push(frame.subarray(0, 12)).error?.message).toMatch(/prelude CRC/);
  });

  it('rejects impossible lengths even with a valid prelude CRC', () => {
    const prelude = new Uint8Array(12);
    const view = new DataView(prelude.buffer);
    view.setUint32(0, 8);
    view.setUint32(4, 0);
    view.setUint32(8, crc32(prelude.subarray(0, 8)));
    expect(new EventStreamDecoder().push(prelude).error?.message).toMatch(/impossible lengths/);
  });

  it('reads every header value type', () => {
    const headerBlock = Buffer.concat([
      Buffer.from([1, 0x61, 0]), // a: true
      Buffer.from([1, 0x62, 1]), // b: false
      Buffer.from([1, 0x63, 2, 0xff]), // c: byte -1
      Buffer.from([1, 0x64, 3, 0x01, 0x00]), // d: short 256
      Buffer.from([1, 0x65, 4, 0x00, 0x01, 0x00, 0x00]), // e: int 65536
      Buffer.from([1, 0x66, 5, 0, 0, 0, 0, 0, 0, 0, 7]), // f: long 7n
      Buffer.from([1, 0x67, 6, 0, 2, 0xde, 0xad]), // g: bytes
      Buffer.from([1, 0x68, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]), // h: timestamp 1000 ms
      Buffer.from([1, 0x69, 9, ...Array(16).fill(0xab)]), // i: uuid
    ]);
    const total = 16 + headerBlock.length;
    const frame = Buffer.alloc(total);
    frame.writeUInt32BE(total, 0);
    frame.writeUInt32BE(headerBlock.length, 4);
    frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
    headerBlock.copy(frame, 12);
    frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
    const [message] = new EventStreamDecoder().push(frame).messages;
    expect(message.headers).toEqual({
      a: true,
      b: false,
      c: -1,
      d: 256,
      e: 65536,
      f: 7n,
      g: Uint8Array.from([0xde, 0xad]),
      h: new Date(1000),
      i: 'ab'.repeat(16),
    });
    expect(message.payload.length).toBe(0);
  });
});
