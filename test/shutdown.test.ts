// Graceful shutdown of the real process (src/server.ts): SIGTERM stops new work, lets
// a chat stream in flight finish, writes its usage row, and exits 0; past
// SHUTDOWN_GRACE_MS the calls still running are cut and still recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/keys/vault.js';
import { startScenarioUpstream, type ScenarioUpstream } from './helpers/scenario-upstream.js';
import { createTestDatabase, type TestDatabase } from './helpers/services.js';
import { freePort } from './helpers/free-port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'shutdown-admin-token-0123456789';
const SERVICE = 'shutdown-service-token-0123456789';

interface Gateway {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServer(database: TestDatabase, env: Record<string, string> = {}): Promise<Gateway> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: '',
      BYOK_MASTER_KEYS: generateMasterKey('k1'),
      GATEWAY_ADMIN_TOKENS: ADMIN,
      GATEWAY_SERVICE_TOKENS: SERVICE,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      USAGE_FLUSH_INTERVAL_MS: '60000', // only the shutdown flush writes the row
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (part: Buffer) => (output += part.toString()));
  child.stderr!.on('data', (part: Buffer) => (output += part.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited at start (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, output: () => output, exited };
}

async function configure(gateway: Gateway, orgId: string, baseUrl: string): Promise<void> {
  const res = await fetch(`${gateway.url}/byok/${orgId}/main`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'openai_compatible', model: 'slow-model', apiKey: 'sk-shutdown-0000000001', baseUrl }),
  });
  expect(res.status, await res.text()).toBe(201);
}

/** Starts a stream and returns once its first bytes arrived, with the rest still to read. */
async function openStream(gateway: Gateway, orgId: string) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SERVICE}`, 'x-org-id': orgId, 'content-type': 'application/json' },
    body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  return {
    first: text,
    async rest(): Promise<string> {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch {
        // a cut connection ends the text where it is
      }
      return text;
    },
  };
}

async function usageRows(database: TestDatabase, orgId: string) {
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    return await sql<Array<{ outcome: string; stream: boolean; http_status: number }>>`select outcome, stream, http_status from usage_events where org_id = ${orgId}`;
  } finally {
    await sql.end();
  }
}

function exitWithin(gateway: Gateway, ms: number): Promise<number | null | 'still running'> {
  return Promise.race([gateway.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms))]);
}

describe('graceful shutdown (SIGTERM)', () => {
  let upstream: ScenarioUpstream;
  let database: TestDatabase;
  let gateway: Gateway | null = null;

  beforeAll(async () => {
    upstream = await startScenarioUpstream('one two three four five six seven eight');
  });
  afterEach(async () => {
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    gateway = null;
    await database?.drop();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('lets a stream in flight finish, writes its usage row, refuses new work and exits 0', async () => {
    database = await createTestDatabase();
    gateway = await startServer(database);
    await configure(gateway, 'drain-org', upstream.baseUrl);
    upstream.script({ kind: 'stream', gapMs: 150 }); // ~1.8 s of stream

    const stream = await openStream(gateway, 'drain-org');
    expect(stream.first).toContain('data: ');
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));

    // New work is turned away while the stream drains.
    const late = await fetch(`${gateway.url}/healthz`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);

    const text = await stream.rest();
    expect(text).toContain('eight');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exitWithin(gateway, 15_000), gateway.output()).toBe(0);

    const rows = await usageRows(database, 'drain-org');
    expect(rows).toEqual([{ outcome: 'success', stream: true, http_status: 200 }]);
  }, 60_000);

  it('cuts a stream still running at SHUTDOWN_GRACE_MS, records it as cancelled, and exits 0', async () => {
    database = await createTestDatabase();
    gateway = await startServer(database, { SHUTDOWN_GRACE_MS: '700' });
    await configure(gateway, 'deadline-org', upstream.baseUrl);
    upstream.script({ kind: 'stream', gapMs: 2_000 }); // ~20 s of stream

    const stream = await openStream(gateway, 'deadline-org');
    const killedAt = Date.now();
    gateway.child.kill('SIGTERM');
    const text = await stream.rest();
    expect(text).not.toContain('[DONE]');
    expect(await exitWithin(gateway, 10_000), gateway.output()).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan(8_000);

    const rows = await usageRows(database, 'deadline-org');
    expect(rows).toEqual([{ outcome: 'cancelled', stream: true, http_status: 499 }]);
  }, 60_000);

  it('cuts a non-streaming call still waiting on its provider at SHUTDOWN_GRACE_MS, records it, and exits 0', async () => {
    database = await createTestDatabase();
    gateway = await startServer(database, { SHUTDOWN_GRACE_MS: '700' });
    await configure(gateway, 'slow-json-org', upstream.baseUrl);
    upstream.script({ kind: 'ok', delayMs: 20_000 });

    const call = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE}`, 'x-org-id': 'slow-json-org', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    }).then(
      (res) => res.status,
      () => 'cut',
    );
    const until = Date.now() + 5_000;
    while (upstream.inFlight() === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(upstream.inFlight()).toBe(1);
    const killedAt = Date.now();
    gateway.child.kill('SIGTERM');
    expect(await call).toBe('cut');
    expect(await exitWithin(gateway, 10_000), gateway.output()).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan(8_000);
    expect(await usageRows(database, 'slow-json-org')).toEqual([{ outcome: 'cancelled', stream: false, http_status: 499 }]);
  }, 60_000);
});
