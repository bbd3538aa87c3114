// Operations as an operator sees them: /healthz, /readyz (and what makes it 503),
// /metrics moving as calls are made, and the API document and its browsable page.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { connectRedis } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { KeyVault, generateMasterKey } from '../src/keys/vault.js';
import { openPostgres } from '../src/store/db.js';
import { startOpenAiUpstream, type FakeUpstream } from './fakes/openai-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startScenarioUpstream, type ScenarioUpstream } from './helpers/scenario-upstream.js';
import { createTestDatabase } from './helpers/services.js';
import { openTestStorage } from './helpers/storage.js';

const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...extra });

async function chat(gateway: TestGateway, orgId: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: gateway.service(orgId), body: chatBody(extra) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function configure(gateway: TestGateway, orgId: string, slot: 'main' | 'fallback', body: Record<string, unknown>) {
  const res = await fetch(`${gateway.url}/byok/${orgId}/${slot}`, { method: 'PUT', headers: gateway.admin, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`configure failed: ${res.status} ${await res.text()}`);
}

async function scrape(gateway: TestGateway): Promise<string> {
  const res = await fetch(`${gateway.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample, `name{a="b",…}`, matching every given label; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('health and readiness', () => {
  it('answers /healthz and /readyz without a token, naming what was checked', async () => {
    const gateway = await startTestGateway({ redis: true });
    try {
      const health = await fetch(`${gateway.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(health.headers.get('x-request-id')).toBeTruthy();

      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { storage: 'ok (postgres)', redis: 'ok', semaphore: 'redis' } });
    } finally {
      await gateway.close();
      await gateway.storage.close();
    }
  });

  it('turns /readyz to 503 naming redis when Redis is unreachable, while /healthz stays 200', async () => {
    const config = loadConfig({ GATEWAY_ADMIN_TOKENS: 'a-token', GATEWAY_SERVICE_TOKENS: 's-token', LOG_LEVEL: 'silent' });
    const storage = await openTestStorage('postgres');
    const app = await buildApp({
      config,
      storage,
      vault: KeyVault.fromSpec(generateMasterKey('t1')),
      redis: connectRedis(`redis://127.0.0.1:${await closedPort()}`),
      logger: false,
    });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      const body = ready.json();
      expect(body.status).toBe('unavailable');
      expect(body.checks.storage).toBe('ok (postgres)');
      expect(body.checks.redis).toMatch(/^unreachable: /);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(metrics, 'gateway_semaphore_mode', { mode: 'redis' })).toBe(0);
      expect(sample(metrics, 'gateway_semaphore_mode', { mode: body.checks.semaphore })).toBe(1);
      expect(['degraded', 'redis']).toContain(body.checks.semaphore);
    } finally {
      await app.close();
    }
  });

  it('turns /readyz to 503 naming storage when the database goes away', async () => {
    const database = await createTestDatabase();
    const storage = await openPostgres(database.url, { max: 2 });
    const gateway = await startTestGateway({ sharedStorage: storage });
    try {
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
      await database.drop(); // terminates the pool's connections; reconnecting finds no database
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('unavailable');
      expect(body.checks.storage).toMatch(/^unreachable: /);
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    } finally {
      await gateway.close();
      await storage.close().catch(() => {});
      await database.drop();
    }
  });
});

describe('/metrics', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let backup: FakeUpstream;
  let slow: ScenarioUpstream;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { USAGE_FLUSH_INTERVAL_MS: '600000' } });
    upstream = await startOpenAiUpstream();
    backup = await startOpenAiUpstream();
    slow = await startScenarioUpstream('one two three four five six');
    await configure(gateway, 'metrics-org-solo', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-solo-key-0000000001', baseUrl: upstream.baseUrl });
    await configure(gateway, 'metrics-org-pair', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-pair-main-000000001', baseUrl: upstream.baseUrl });
    await configure(gateway, 'metrics-org-pair', 'fallback', { provider: 'openai_compatible', model: 'kimi-k2.6', apiKey: 'sk-pair-fallback-00001', baseUrl: backup.baseUrl });
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
    await Promise.all([upstream.close(), backup.close(), slow.close()]);
  });

  it('is served without a token in the Prometheus text format, with every family declared', async () => {
    const text = await scrape(gateway);
    for (const family of [
      'gateway_requests_total',
      'gateway_request_duration_seconds',
      'gateway_time_to_first_token_seconds',
      'gateway_overhead_seconds',
      'gateway_failovers_total',
      'gateway_soft_disables_total',
      'gateway_permits_in_flight',
      'gateway_permit_queue_depth',
      'gateway_usage_log_backlog',
      'gateway_semaphore_mode',
      'process_cpu_seconds_total',
    ]) {
      expect(text, family).toContain(`# TYPE ${family} `);
    }
    expect(sample(text, 'gateway_semaphore_mode', { mode: 'local' })).toBe(1);
    expect(sample(text, 'gateway_semaphore_mode', { mode: 'redis' })).toBe(0);
  });

  it('counts a chat call by provider, model, slot and outcome, with its latency and overhead', async () => {
    const labels = { provider: 'openai', model: 'gpt-5.4', slot: 'main', outcome: 'success', stream: 'false' };
    const before = await scrape(gateway);
    const res = await chat(gateway, 'metrics-org-solo');
    expect(res.status).toBe(200);
    const after = await scrape(gateway);
    expect(sample(after, 'gateway_requests_total', labels) - sample(before, 'gateway_requests_total', labels)).toBe(1);
    const histogram = { provider: 'openai', model: 'gpt-5.4', slot: 'main', stream: 'false' };
    expect(sample(after, 'gateway_request_duration_seconds_count', histogram) - sample(before, 'gateway_request_duration_seconds_count', histogram)).toBe(1);
    const overhead = { provider: 'openai', stream: 'false' };
    expect(sample(after, 'gateway_overhead_seconds_count', overhead) - sample(before, 'gateway_overhead_seconds_count', overhead)).toBe(1);
    // Overhead is the gateway's share: less than the whole call.
    expect(sample(after, 'gateway_overhead_seconds_sum', overhead)).toBeLessThanOrEqual(sample(after, 'gateway_request_duration_seconds_sum', histogram) + 1e-9);
  });

  it('records time to first token for streams', async () => {
    const before = await scrape(gateway);
    const res = await chat(gateway, 'metrics-org-solo', { stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data: [DONE]');
    const after = await scrape(gateway);
    const ttft = { provider: 'openai', model: 'gpt-5.4', slot: 'main' };
    expect(sample(after, 'gateway_time_to_first_token_seconds_count', ttft) - sample(before, 'gateway_time_to_first_token_seconds_count', ttft)).toBe(1);
    const streams = { provider: 'openai', model: 'gpt-5.4', slot: 'main', outcome: 'success', stream: 'true' };
    expect(sample(after, 'gateway_requests_total', streams) - sample(before, 'gateway_requests_total', streams)).toBe(1);
  });

  it('counts a failover by its reason, and the call under the Fallback slot', async () => {
    const before = await scrape(gateway);
    expect(before).toMatch(/^gateway_failovers_total\{reason="server_error"\} 0$/m);
    upstream.failNext(500, { error: { message: 'upstream exploded', type: 'server_error' } });
    const res = await chat(gateway, 'metrics-org-pair');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-failover-reason')).toBe('server_error');
    const after = await scrape(gateway);
    expect(sample(after, 'gateway_failovers_total', { reason: 'server_error' }) - sample(before, 'gateway_failovers_total', { reason: 'server_error' })).toBe(1);
    const served = { provider: 'openai_compatible', model: 'kimi-k2.6', slot: 'fallback', outcome: 'success' };
    expect(sample(after, 'gateway_requests_total', served) - sample(before, 'gateway_requests_total', served)).toBe(1);
  });

  it('counts soft-disables by provider', async () => {
    await configure(gateway, 'metrics-org-badkey', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'bad-key', baseUrl: upstream.baseUrl });
    const before = sample(await scrape(gateway), 'gateway_soft_disables_total', { provider: 'openai' });
    for (let i = 0; i < 3; i++) expect((await chat(gateway, 'metrics-org-badkey')).status).toBe(401);
    const after = await eventually(
      async () => sample(await scrape(gateway), 'gateway_soft_disables_total', { provider: 'openai' }),
      (value) => value > before,
    );
    expect(after - before).toBe(1);
  });

  it('shows permits in flight per credential as a short hash while a call holds one', async () => {
    await configure(gateway, 'metrics-org-capped', 'main', {
      provider: 'openai_compatible',
      model: 'capped-model',
      apiKey: 'sk-capped-key-00000001',
      baseUrl: slow.baseUrl,
      settings: { maxConcurrentRequests: 1 },
    });
    slow.script({ kind: 'stream', gapMs: 150 });
    const streaming = chat(gateway, 'metrics-org-capped', { stream: true });
    const during = await eventually(
      () => scrape(gateway),
      (text) => /^gateway_permits_in_flight\{permit_key="[0-9a-f]{16}"\} 1$/m.test(text),
    );
    const held = /^gateway_permits_in_flight\{permit_key="([0-9a-f]{16})"\} 1$/m.exec(during);
    expect(held, during).not.toBeNull();
    expect(sample(during, 'gateway_permit_queue_depth', { permit_key: held![1] })).toBe(0);
    expect((await streaming).status).toBe(200);
    expect(sample(await scrape(gateway), 'gateway_permits_in_flight', { permit_key: held![1] })).toBe(0);
  });

  it('reports the usage-log backlog until it is flushed', async () => {
    await gateway.app.gateway.usage.flush();
    expect(sample(await scrape(gateway), 'gateway_usage_log_backlog')).toBe(0);
    expect((await chat(gateway, 'metrics-org-solo')).status).toBe(200);
    expect(sample(await scrape(gateway), 'gateway_usage_log_backlog')).toBe(1);
    await gateway.app.gateway.usage.flush();
    expect(sample(await scrape(gateway), 'gateway_usage_log_backlog')).toBe(0);
  });

  it('never labels with an org id, a key, or a model id outside the configured catalogue', async () => {
    await configure(gateway, 'metrics-org-private', 'main', { provider: 'openai', model: 'acme-private-finetune-7', apiKey: 'sk-private-key-00000001', baseUrl: upstream.baseUrl });
    expect((await chat(gateway, 'metrics-org-private')).status).toBe(200);
    const text = await scrape(gateway);
    expect(sample(text, 'gateway_requests_total', { provider: 'openai', model: 'other', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('acme-private-finetune-7');
    expect(text).not.toContain('metrics-org-');
    expect(text).not.toMatch(/sk-[a-z]+-/);
    expect(text).not.toContain('bad-key');
  });

  it('reports the redis mode when the limits run on Redis', async () => {
    const shared = await startTestGateway({ redis: true });
    try {
      const text = await scrape(shared);
      expect(sample(text, 'gateway_semaphore_mode', { mode: 'redis' })).toBe(1);
      expect(sample(text, 'gateway_semaphore_mode', { mode: 'local' })).toBe(0);
    } finally {
      await shared.close();
      await shared.storage.close();
    }
  });

  it('keeps each app on its own registry', async () => {
    const other = await startTestGateway();
    try {
      expect(sample(await scrape(other), 'gateway_requests_total', { provider: 'openai' })).toBe(0);
      expect(sample(await scrape(gateway), 'gateway_requests_total', { provider: 'openai' })).toBeGreaterThan(0);
    } finally {
      await other.close();
      await other.storage.close();
    }
  });
});

describe('the API document and its browsable page', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it('serves the OpenAPI 3.1 document at /openapi.json without a token', async () => {
    const res = await fetch(`${gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/chat/completions', '/byok/{orgId}/{slot}', '/metrics', '/openapi.json', '/docs']));
  });

  it('serves Swagger UI at /docs from the bundled assets, no network needed', async () => {
    const page = await fetch(`${gateway.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const scripts = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src, 'every asset is served by the gateway itself').not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(src, `${gateway.url}/docs`));
      expect(asset.status, src).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src).toBeGreaterThan(100);
    }
    const initializer = await (await fetch(`${gateway.url}/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toContain("resolveUrl('./json')");
    const spec = await fetch(`${gateway.url}/docs/json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});
