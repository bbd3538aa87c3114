// The gateway keeps serving when Redis or PostgreSQL goes away, says so, and recovers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../src/limits/testing/tcp-proxy.js';
import { openPostgres, type Storage } from '../src/store/db.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startScenarioUpstream, type ScenarioUpstream } from './helpers/scenario-upstream.js';
import { createTestDatabase, serviceUrls, type TestDatabase } from './helpers/services.js';

async function chat(gateway: TestGateway, orgId: string) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: gateway.service(orgId),
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function ready(gateway: TestGateway) {
  const res = await fetch(`${gateway.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
}

async function configure(gateway: TestGateway, orgId: string, baseUrl: string) {
  return fetch(`${gateway.url}/byok/${orgId}/main`, {
    method: 'PUT',
    headers: gateway.admin,
    body: JSON.stringify({ provider: 'openai_compatible', model: 'm', apiKey: `sk-${orgId}-0000001`, baseUrl, settings: { maxConcurrentRequests: 2 } }),
  });
}

describe('Redis', () => {
  let upstream: ScenarioUpstream;
  beforeAll(async () => {
    upstream = await startScenarioUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('down at start: calls are served with in-process caps, and /readyz names Redis', async () => {
    const gateway = await startTestGateway({ redisUrl: 'redis://127.0.0.1:1' });
    try {
      expect((await configure(gateway, 'nored', upstream.baseUrl)).status).toBe(201);
      expect((await chat(gateway, 'nored')).status).toBe(200);
      expect(gateway.app.gateway.semaphore.mode()).toBe('degraded');
      const readiness = await ready(gateway);
      expect(readiness.status).toBe(503);
      expect(readiness.body.checks.redis).toMatch(/unreachable/);
      expect(readiness.body.checks.storage).toMatch(/^ok/);
    } finally {
      await gateway.close();
    }
  });

  it('lost mid-run: keeps serving, then re-attaches when it returns', async () => {
    const { redisUrl } = serviceUrls();
    const target = new URL(redisUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const gateway = await startTestGateway({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
    try {
      await expect.poll(() => gateway.app.gateway.semaphore.mode()).toBe('redis');
      await configure(gateway, 'flaky', upstream.baseUrl);
      expect((await chat(gateway, 'flaky')).status).toBe(200);
      await proxy.stop();
      for (let i = 0; i < 3; i++) expect((await chat(gateway, 'flaky')).status).toBe(200);
      await expect.poll(() => gateway.app.gateway.semaphore.mode()).toBe('degraded');
      expect((await ready(gateway)).status).toBe(503);
      expect(gateway.logs.join('\n')).toMatch(/Redis/);
      await proxy.start();
      await expect.poll(() => gateway.app.gateway.semaphore.mode(), { timeout: 10_000 }).toBe('redis');
      expect((await ready(gateway)).status).toBe(200);
      expect((await chat(gateway, 'flaky')).status).toBe(200);
    } finally {
      await gateway.close();
      await proxy.stop();
    }
  });
});

describe('PostgreSQL lost mid-run', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let storage: Storage;
  let gateway: TestGateway;
  let upstream: ScenarioUpstream;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    storage = await openPostgres(url.toString(), { max: 2 });
    gateway = await startTestGateway({ sharedStorage: storage });
    upstream = await startScenarioUpstream();
  });
  afterAll(async () => {
    await gateway.close();
    await proxy.start();
    await storage.close();
    await proxy.stop();
    await database.drop();
    await upstream.close();
  });

  it('serves calls from the config cache, refuses admin writes with 503, and writes buffered usage when it returns', async () => {
    expect((await configure(gateway, 'cached', upstream.baseUrl)).status).toBe(201);
    expect((await chat(gateway, 'cached')).status).toBe(200);
    await gateway.app.gateway.usage.flush();

    await proxy.stop();
    for (let i = 0; i < 4; i++) expect((await chat(gateway, 'cached')).status).toBe(200);
    await gateway.app.gateway.usage.flush();
    expect(gateway.app.gateway.usage.backlog()).toBe(4);

    const write = await configure(gateway, 'cached', 'http://127.0.0.1:9/v1');
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable');
    const readiness = await ready(gateway);
    expect(readiness.status).toBe(503);
    expect(readiness.body.checks.storage).toMatch(/unreachable/);

    await proxy.start();
    await expect
      .poll(async () => {
        await gateway.app.gateway.usage.flush();
        return gateway.app.gateway.usage.backlog();
      }, { timeout: 15_000, interval: 300 })
      .toBe(0);
    const usage = (await (await fetch(`${gateway.url}/byok/cached/usage`, { headers: gateway.admin })).json()) as { totals: { calls: number } };
    expect(usage.totals.calls).toBe(5);
    const status = (await (await fetch(`${gateway.url}/byok/cached`, { headers: gateway.admin })).json()) as { main: { baseUrl: string } };
    expect(status.main.baseUrl).toBe(upstream.baseUrl);
  });
});
