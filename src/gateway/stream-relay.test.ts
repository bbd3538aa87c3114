// The relay and the exchange under failures of the gateway's own code: a translator that
// throws, and bookkeeping that throws. Against a real local server on undici.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError, type ChatCompletionChunk, type StreamStep, type StreamTranslator } from '../providers/types.js';
import { StreamRelay, type RelayResult, type SseSink } from './stream-relay.js';
import { UpstreamExchange } from './upstream.js';

let server: Server;
let origin: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: one\n\n');
    setTimeout(() => res.end('data: two\n\n'), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  await new Promise((resolve) => server.close(resolve));
});

function chunk(text: string): ChatCompletionChunk {
  return { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] };
}

/** One chunk per body read; `throwOn` makes push throw on the nth read. */
function translator(throwOn?: number): StreamTranslator {
  let reads = 0;
  return {
    push(bytes: Uint8Array): StreamStep {
      reads++;
      if (reads === throwOn) throw new TypeError('translator bug');
      return { chunks: [chunk(Buffer.from(bytes).toString())], done: false };
    },
    finish: () => ({ chunks: [], done: true }),
    usage: () => null,
  };
}

function sink(): SseSink & { frames: string[] } {
  const frames: string[] = [];
  return { frames, write: (frame) => frames.push(frame) > 0, drain: () => Promise.resolve() };
}

async function open(): Promise<UpstreamExchange> {
  return UpstreamExchange.open(agent, { method: 'GET', url: `${origin}/stream`, headers: {} }, { firstByteMs: 2_000, idleMs: 2_000 }, undefined, 1_000_000);
}

describe('stream relay', () => {
  it('fails the head of a stream as an upstream error when the translator throws, and stops the exchange', async () => {
    const exchange = await open();
    const relay = new StreamRelay({ exchange, translator: translator(1), family: 'openai', includeUsage: false, startedAt: performance.now(), onFinished: () => {} });
    const failure = await relay.head().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ kind: 'invalid_response' });
  });

  it('ends a stream whose translator throws mid-way with an error frame, and records it once', async () => {
    const exchange = await open();
    const finished: RelayResult[] = [];
    const relay = new StreamRelay({ exchange, translator: translator(2), family: 'openai', includeUsage: false, startedAt: performance.now(), onFinished: (r) => finished.push(r) });
    expect(await relay.head()).toBeNull();
    const out = sink();
    await relay.pipe(out);
    expect(finished).toEqual([expect.objectContaining({ outcome: 'error' })]);
    expect(out.frames.join('')).toContain('"code":"upstream_error"');
    expect(out.frames.join('')).not.toContain('[DONE]');
  });

  it('still settles the pipe when the bookkeeping after the last frame throws', async () => {
    const exchange = await open();
    const relay = new StreamRelay({
      exchange,
      translator: translator(),
      family: 'openai',
      includeUsage: false,
      startedAt: performance.now(),
      onFinished: () => {
        throw new Error('usage recorder bug');
      },
    });
    expect(await relay.head()).toBeNull();
    const out = sink();
    await expect(relay.pipe(out)).resolves.toBeUndefined();
    expect(out.frames.join('')).toContain('data: [DONE]');
  });
});
