// Upstream faults, end to end: a real gateway on a real port in front of an upstream that
// misbehaves on demand. For every fault the caller gets a contract error (or a failover
// to a healthy Fallback), the concurrency permit is released (a key capped at one request
// serves the next call at once, with QUEUE_WAIT_MS=0), the usage row is written, and the
// process stays healthy: no unhandled rejection, no error logged, no socket left open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiUpstream, type FakeUpstream } from './fakes/openai-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { HEALTHY_TEXT, closedPort, faults, sleep, sseData, startHostileUpstream, type Fault, type HostileUpstream } from './helpers/hostile-upstream.js';
import { contractError, createTestClient, tcpHandles, type ClientResponse, type TestClient } from './helpers/http-client.js';

const TIMEOUT_MS = 300;
const MB = 1024 * 1024;

let gateway: TestGateway;
/** The gateway the helpers talk to: `gateway`, or the Redis-backed one in its block. */
let current: TestGateway;
let hostile: HostileUpstream;
let fallbackUpstream: FakeUpstream;
let client: TestClient;
let refusedBaseUrl: string;
const baseline = tcpHandles();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  hostile = await startHostileUpstream();
  fallbackUpstream = await startOpenAiUpstream();
  refusedBaseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
  client = createTestClient();
  gateway = await startTestGateway({
    storage: 'postgres',
    env: { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(TIMEOUT_MS), UPSTREAM_IDLE_TIMEOUT_MS: String(TIMEOUT_MS), QUEUE_WAIT_MS: '0' },
  });
  current = gateway;
});

let closing: Promise<void> | null = null;
function closeAll(): Promise<void> {
  closing ??= (async () => {
    await gateway?.close();
    await gateway?.storage.close();
    await client?.close();
    await fallbackUpstream?.close();
    await hostile?.close();
  })();
  return closing;
}

afterAll(async () => {
  await closeAll();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

// ------------------------------------------------------------------ helpers

async function configure(orgId: string, mainBaseUrl: string, withFallback: boolean): Promise<void> {
  const put = (slot: string, body: unknown) =>
    client.send(`${current.url}/byok/${orgId}/${slot}`, { method: 'PUT', headers: current.admin, body: JSON.stringify(body) });
  const main = await put('main', {
    provider: 'openai_compatible',
    model: 'up-model',
    apiKey: `sk-main-${orgId}-0123456789`,
    baseUrl: mainBaseUrl,
    settings: { maxConcurrentRequests: 1 },
  });
  expect(main.status, main.text).toBe(201);
  if (!withFallback) return;
  const fallback = await put('fallback', {
    provider: 'openai_compatible',
    model: 'fallback-model',
    apiKey: `sk-fallback-${orgId}-0123456789`,
    baseUrl: `${fallbackUpstream.baseUrl}/v1`,
    settings: { maxConcurrentRequests: 1 },
  });
  expect(fallback.status, fallback.text).toBe(201);
}

function chat(orgId: string, requestId: string, stream: boolean, signal?: AbortSignal): Promise<ClientResponse> {
  return client.send(`${current.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...current.service(orgId), 'x-request-id': requestId },
    body: JSON.stringify({ model: 'ignored', messages: [{ role: 'user', content: 'hello' }], stream }),
    signal,
  });
}

interface UsageRow {
  requestId: string;
  slot: string;
  outcome: string;
  httpStatus: number;
  failoverReason: string | null;
  stream: boolean;
}

async function usageRow(orgId: string, requestId: string): Promise<UsageRow> {
  await current.app.gateway.usage.flush();
  const res = await client.send(`${current.url}/byok/${orgId}/usage?limit=1000`, { headers: current.admin });
  expect(res.status, res.text).toBe(200);
  const rows = (JSON.parse(res.text) as { data: UsageRow[] }).data.filter((r) => r.requestId === requestId);
  expect(rows, `usage rows for ${requestId}`).toHaveLength(1);
  return rows[0];
}

function permitsInFlight(): number {
  return current.app.gateway.semaphore.stats().reduce((sum, s) => sum + s.inFlight + s.queued, 0);
}

/** A healthy follow-up call on the same capped key is served at once, by Main. */
async function expectPermitFree(orgId: string, requestId: string): Promise<void> {
  expect(permitsInFlight()).toBe(0);
  const next = await chat(orgId, requestId, false);
  expect(next.status, next.text).toBe(200);
  expect(next.headers['x-gateway-slot']).toBe('main');
  expect(next.headers['x-gateway-failover-reason']).toBeUndefined();
  expect(JSON.parse(next.text).choices[0].message.content).toBe(HEALTHY_TEXT);
}

function streamFrames(res: ClientResponse): { content: string; frames: string[]; error: { code: string; message: string } | null; done: boolean } {
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^text\/event-stream/);
  const frames = sseData(res.text);
  let content = '';
  let error: { code: string; message: string } | null = null;
  for (const frame of frames) {
    if (frame === '[DONE]') continue;
    const parsed = JSON.parse(frame);
    if (parsed.error) error = contractError(frame).error;
    else content += parsed.choices?.[0]?.delta?.content ?? '';
  }
  return { content, frames, error, done: frames[frames.length - 1] === '[DONE]' };
}

async function hungUp(lane: string): Promise<void> {
  const call = hostile.calls.filter((c) => c.lane === lane).at(-1);
  expect(call, `a request reached lane ${lane}`).toBeDefined();
  await Promise.race([call!.whenClosed, sleep(2_000)]);
  expect(call!.closed, `the gateway closed its connection on lane ${lane}`).toBe(true);
}

// ------------------------------------------------------------------ the faults

type Expectation =
  | { kind: 'error'; status: number; code: string }
  | { kind: 'stream-error'; code: string }
  | { kind: 'ok'; contentLength: number };

interface FaultCase {
  name: string;
  stream: boolean;
  fault: Fault | 'refused';
  /** What the caller gets from Main alone. */
  expect: Expectation;
  usage: { outcome: string; httpStatus: number };
  /** With a healthy Fallback: the failover reason, or null when the fault comes too late to fail over. */
  failover: string | null;
  /** The upstream connection must have been closed by the gateway (a hung or abandoned request). */
  hangsUp?: boolean;
}

const CASES: FaultCase[] = [
  { name: 'connection refused', stream: false, fault: 'refused', expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'network_error' },
  { name: 'connection refused (stream)', stream: true, fault: 'refused', expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'network_error' },
  { name: 'reset mid-body', stream: false, fault: faults.resetMidBody, expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'network_error' },
  { name: 'reset before the first stream event', stream: true, fault: faults.resetMidStream(0), expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'network_error' },
  { name: 'reset mid-stream', stream: true, fault: faults.resetMidStream(3), expect: { kind: 'stream-error', code: 'upstream_stream_truncated' }, usage: { outcome: 'truncated', httpStatus: 200 }, failover: null },
  { name: 'connection closed mid-stream', stream: true, fault: faults.closeMidStream, expect: { kind: 'stream-error', code: 'upstream_stream_truncated' }, usage: { outcome: 'truncated', httpStatus: 200 }, failover: null },
  { name: 'a stream that stalls before its first event', stream: true, fault: faults.stallStream(0), expect: { kind: 'error', status: 504, code: 'upstream_timeout' }, usage: { outcome: 'error', httpStatus: 504 }, failover: 'timeout', hangsUp: true },
  { name: 'a stream that stalls mid-way', stream: true, fault: faults.stallStream(3), expect: { kind: 'stream-error', code: 'upstream_timeout' }, usage: { outcome: 'error', httpStatus: 200 }, failover: null, hangsUp: true },
  { name: 'a stream that never sends [DONE]', stream: true, fault: faults.noDone, expect: { kind: 'stream-error', code: 'upstream_stream_truncated' }, usage: { outcome: 'truncated', httpStatus: 200 }, failover: null },
  { name: 'a stream that finishes without [DONE]', stream: true, fault: faults.finishWithoutDone, expect: { kind: 'ok', contentLength: 'complete answer'.length }, usage: { outcome: 'success', httpStatus: 200 }, failover: null },
  { name: 'invalid JSON', stream: false, fault: faults.invalidJson, expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error' },
  { name: 'JSON null', stream: false, fault: faults.wrongShape(null), expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error' },
  { name: 'JSON of the wrong shape', stream: false, fault: faults.wrongShape({ choices: 'none', usage: 'lots' }), expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error' },
  { name: 'invalid SSE at the head of a stream', stream: true, fault: faults.invalidSse(0), expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error' },
  { name: 'invalid SSE mid-stream', stream: true, fault: faults.invalidSse(2), expect: { kind: 'stream-error', code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 200 }, failover: null },
  { name: 'a 200 carrying an error body', stream: false, fault: faults.errorBody200, expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error' },
  { name: 'a 200 stream whose first event is an error', stream: true, fault: faults.errorBody200, expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error' },
  { name: 'a 10 MB response', stream: false, fault: faults.huge(10 * MB), expect: { kind: 'ok', contentLength: 10 * MB }, usage: { outcome: 'success', httpStatus: 200 }, failover: null },
  { name: 'a 10 MB stream', stream: true, fault: faults.huge(10 * MB), expect: { kind: 'ok', contentLength: 10 * MB }, usage: { outcome: 'success', httpStatus: 200 }, failover: null },
  { name: 'a 40 MB body of junk (over the 32 MB cap)', stream: false, fault: faults.hugeJunk(40 * MB), expect: { kind: 'error', status: 502, code: 'upstream_error' }, usage: { outcome: 'error', httpStatus: 502 }, failover: 'server_error', hangsUp: true },
  { name: 'headers that never come', stream: false, fault: faults.noHeaders, expect: { kind: 'error', status: 504, code: 'upstream_timeout' }, usage: { outcome: 'error', httpStatus: 504 }, failover: 'timeout', hangsUp: true },
  { name: 'headers that never come (stream)', stream: true, fault: faults.noHeaders, expect: { kind: 'error', status: 504, code: 'upstream_timeout' }, usage: { outcome: 'error', httpStatus: 504 }, failover: 'timeout', hangsUp: true },
];

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function checkAnswer(res: ClientResponse, expectation: Expectation, stream: boolean): void {
  switch (expectation.kind) {
    case 'error': {
      expect(res.status, res.text.slice(0, 300)).toBe(expectation.status);
      expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
      expect(contractError(res.text).error.code).toBe(expectation.code);
      return;
    }
    case 'stream-error': {
      const { error, done, content } = streamFrames(res);
      expect(content.length).toBeGreaterThan(0);
      expect(error?.code).toBe(expectation.code);
      expect(done, 'no fake [DONE] after an error').toBe(false);
      return;
    }
    case 'ok': {
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      if (stream) {
        const { content, done, error } = streamFrames(res);
        expect(error).toBeNull();
        expect(done).toBe(true);
        expect(content.length).toBe(expectation.contentLength);
      } else {
        expect(JSON.parse(res.text).choices[0].message.content.length).toBe(expectation.contentLength);
      }
    }
  }
}

describe.each(CASES)('upstream fault: $name', (fault) => {
  const id = slug(fault.name);

  it('gives Main-only callers a contract error, releases the permit and writes the usage row', async () => {
    const orgId = `fault-${id}`;
    const lane = `${id}-solo`;
    await configure(orgId, fault.fault === 'refused' ? refusedBaseUrl : hostile.baseUrl(lane), false);
    if (fault.fault !== 'refused') hostile.arm(lane, fault.fault);

    const res = await chat(orgId, `${orgId}-1`, fault.stream);
    checkAnswer(res, fault.expect, fault.stream);
    expect(res.headers['x-gateway-slot']).toBe(fault.expect.kind === 'error' ? undefined : 'main');
    if (fault.hangsUp) await hungUp(lane);

    const row = await usageRow(orgId, `${orgId}-1`);
    expect(row).toMatchObject({ slot: 'main', outcome: fault.usage.outcome, httpStatus: fault.usage.httpStatus, failoverReason: null, stream: fault.stream });

    if (fault.fault === 'refused') {
      // The next call meets the same refusal, not the gateway's own limit.
      expect(permitsInFlight()).toBe(0);
      const again = await chat(orgId, `${orgId}-2`, false);
      expect(again.status).toBe(502);
      expect(contractError(again.text).error.code).toBe('upstream_error');
    } else {
      await expectPermitFree(orgId, `${orgId}-2`);
    }
  });

  it(fault.failover ? `fails over to the Fallback (${fault.failover})` : 'cannot fail over once the stream has started, and still releases the permit', async () => {
    const orgId = `fault-${id}-fo`;
    const lane = `${id}-fo`;
    await configure(orgId, fault.fault === 'refused' ? refusedBaseUrl : hostile.baseUrl(lane), true);
    if (fault.fault !== 'refused') hostile.arm(lane, fault.fault);

    const res = await chat(orgId, `${orgId}-1`, fault.stream);
    if (fault.failover) {
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.headers['x-gateway-slot']).toBe('fallback');
      expect(res.headers['x-gateway-model']).toBe('fallback-model');
      expect(res.headers['x-gateway-failover-reason']).toBe(fault.failover);
      if (fault.stream) expect(streamFrames(res).done).toBe(true);
      const row = await usageRow(orgId, `${orgId}-1`);
      expect(row).toMatchObject({ slot: 'fallback', outcome: 'success', httpStatus: 200, failoverReason: fault.failover });
    } else {
      checkAnswer(res, fault.expect, fault.stream);
      expect(res.headers['x-gateway-slot']).toBe('main');
      const row = await usageRow(orgId, `${orgId}-1`);
      expect(row).toMatchObject({ slot: 'main', outcome: fault.usage.outcome, httpStatus: fault.usage.httpStatus });
    }
    if (fault.hangsUp) await hungUp(lane);

    expect(permitsInFlight()).toBe(0);
    if (fault.fault === 'refused') {
      // Main was free again: the next call fails over for the refusal, not for saturation.
      const again = await chat(orgId, `${orgId}-2`, false);
      expect(again.status).toBe(200);
      expect(again.headers['x-gateway-failover-reason']).toBe('network_error');
    } else {
      await expectPermitFree(orgId, `${orgId}-2`);
    }
  });
});

// ------------------------------------------------------------------ the caller goes away

describe('a caller that disconnects', () => {
  it('mid-stream: the upstream request is aborted, the permit freed, the usage row says cancelled', async () => {
    const orgId = 'disconnect-stream';
    const lane = 'disconnect-stream';
    await configure(orgId, hostile.baseUrl(lane), false);
    hostile.arm(lane, faults.endlessStream(20));

    const controller = new AbortController();
    const { request } = await import('undici');
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...gateway.service(orgId), 'x-request-id': `${orgId}-1` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'count forever' }], stream: true }),
      signal: controller.signal,
      dispatcher: client.agent,
    });
    expect(res.statusCode).toBe(200);
    let seen = '';
    await expect(
      (async () => {
        for await (const chunk of res.body) {
          seen += String(chunk);
          if (seen.includes('tick 3')) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen).toContain('tick 3');

    await hungUp(lane);
    const row = await usageRow(orgId, `${orgId}-1`);
    expect(row).toMatchObject({ slot: 'main', outcome: 'cancelled', httpStatus: 499, stream: true });
    await expectPermitFree(orgId, `${orgId}-2`);
  });

  it('while waiting for the upstream headers: the upstream request is aborted, the usage row says cancelled', async () => {
    const orgId = 'disconnect-waiting';
    const lane = 'disconnect-waiting';
    await configure(orgId, hostile.baseUrl(lane), false);
    hostile.arm(lane, faults.noHeaders);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(chat(orgId, `${orgId}-1`, false, controller.signal)).rejects.toThrow();

    await hungUp(lane);
    const row = await usageRow(orgId, `${orgId}-1`);
    expect(row).toMatchObject({ slot: 'main', outcome: 'cancelled', httpStatus: 499, stream: false });
    await expectPermitFree(orgId, `${orgId}-2`);
  });
});

// ------------------------------------------------------------------ with Redis permits

describe('with permits in Redis', () => {
  let redisGateway: TestGateway;
  beforeAll(async () => {
    // Releasing a Redis permit is a round trip: the follow-up call may wait for it, briefly.
    redisGateway = await startTestGateway({
      storage: 'pglite',
      redis: true,
      env: { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(TIMEOUT_MS), UPSTREAM_IDLE_TIMEOUT_MS: String(TIMEOUT_MS), QUEUE_WAIT_MS: '1000' },
    });
    current = redisGateway;
  });
  afterAll(async () => {
    current = gateway;
    await redisGateway?.close();
  });

  const REDIS_CASES = CASES.filter((c) => ['a stream that stalls mid-way', 'headers that never come', 'reset mid-body', 'a stream that never sends [DONE]'].includes(c.name));

  it.each(REDIS_CASES)('$name: the permit is given back to Redis', async (fault) => {
    const orgId = `redis-${slug(fault.name)}`;
    const lane = `redis-${slug(fault.name)}`;
    await configure(orgId, hostile.baseUrl(lane), false);
    hostile.arm(lane, fault.fault as Fault);
    checkAnswer(await chat(orgId, `${orgId}-1`, fault.stream), fault.expect, fault.stream);
    expect(await usageRow(orgId, `${orgId}-1`)).toMatchObject({ outcome: fault.usage.outcome, httpStatus: fault.usage.httpStatus });
    const next = await chat(orgId, `${orgId}-2`, false);
    expect(next.status, next.text).toBe(200);
    expect(next.ms).toBeLessThan(500);
  });

  it('a caller that disconnects mid-stream gives its permit back to Redis', async () => {
    const orgId = 'redis-disconnect';
    await configure(orgId, hostile.baseUrl(orgId), false);
    hostile.arm(orgId, faults.endlessStream(20));
    const controller = new AbortController();
    const pending = chat(orgId, `${orgId}-1`, true, controller.signal);
    setTimeout(() => controller.abort(), 150);
    await expect(pending).rejects.toThrow();
    await hungUp(orgId);
    expect(await usageRow(orgId, `${orgId}-1`)).toMatchObject({ outcome: 'cancelled', httpStatus: 499 });
    const next = await chat(orgId, `${orgId}-2`, false);
    expect(next.status, next.text).toBe(200);
    expect(next.ms).toBeLessThan(500);
  });
});

// ------------------------------------------------------------------ afterwards

describe('after every fault', () => {
  it('the gateway is healthy, logged no error and met no unhandled rejection', async () => {
    const health = await client.send(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(permitsInFlight()).toBe(0);
    const errors = gateway.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 50);
    expect(errors.map((e) => `${e.msg}: ${e.err?.message ?? ''} ${e.err?.stack ?? ''}`)).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('leaves no socket open once the gateway, the upstreams and the client are closed', async () => {
    await closeAll();
    let now = tcpHandles();
    for (let i = 0; i < 40 && (now.sockets > baseline.sockets || now.servers > baseline.servers); i++) {
      await sleep(50);
      now = tcpHandles();
    }
    expect(now).toEqual(baseline);
    expect(hostile.openSockets()).toBe(0);
  });
});
