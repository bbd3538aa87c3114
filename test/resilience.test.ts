// Failover, concurrency caps, timeouts, soft-disable and the usage log, as a caller
// and an operator see them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/keys/vault.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startScenarioUpstream, type ScenarioUpstream } from './helpers/scenario-upstream.js';
import { openTestStorage } from './helpers/storage.js';

const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...extra });

async function chat(gateway: TestGateway, orgId: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: gateway.service(orgId), body: chatBody(extra) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

async function configure(gateway: TestGateway, orgId: string, slot: 'main' | 'fallback', baseUrl: string, settings: Record<string, unknown> = {}, apiKey = `sk-${orgId}-${slot}-000001`) {
  const res = await fetch(`${gateway.url}/byok/${orgId}/${slot}`, {
    method: 'PUT',
    headers: gateway.admin,
    body: JSON.stringify({ provider: 'openai_compatible', model: `${slot}-model`, apiKey, baseUrl, settings }),
  });
  if (res.status >= 300) throw new Error(`configure failed: ${res.status} ${await res.text()}`);
}

async function usageOf(gateway: TestGateway, orgId: string) {
  await gateway.app.gateway.usage.flush();
  const res = await fetch(`${gateway.url}/byok/${orgId}/usage?limit=1000`, { headers: gateway.admin });
  return (await res.json()) as { totals: { calls: number; failovers: number }; data: Array<Record<string, unknown>> };
}

describe('Main → Fallback failover', () => {
  let gateway: TestGateway;
  let main: ScenarioUpstream;
  let fallback: ScenarioUpstream;
  let solo: ScenarioUpstream;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300', UPSTREAM_IDLE_TIMEOUT_MS: '300', QUEUE_WAIT_MS: '100', SOFT_DISABLE_AFTER: '3' } });
    main = await startScenarioUpstream('main answered');
    fallback = await startScenarioUpstream('fallback answered');
    solo = await startScenarioUpstream('solo answered');
    await configure(gateway, 'pair', 'main', main.baseUrl);
    await configure(gateway, 'pair', 'fallback', fallback.baseUrl);
    await configure(gateway, 'solo', 'main', solo.baseUrl);
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
    await Promise.all([main.close(), fallback.close(), solo.close()]);
  });

  it('serves from Main when Main answers', async () => {
    const res = await chat(gateway, 'pair');
    expect(res.status).toBe(200);
    expect(res.json().choices[0].message.content).toBe('main answered');
    expect(res.headers.get('x-gateway-slot')).toBe('main');
    expect(res.headers.get('x-gateway-failover-reason')).toBeNull();
  });

  it.each([
    ['429 with retry-after', { kind: 'status', status: 429, headers: { 'retry-after': '7' } }, 'rate_limited'],
    ['402', { kind: 'status', status: 402, body: { error: { message: 'Payment required', type: 'billing' } } }, 'quota_exhausted'],
    ['429 insufficient_quota', { kind: 'status', status: 429, body: { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } } }, 'quota_exhausted'],
    ['500', { kind: 'status', status: 500 }, 'server_error'],
    ['529', { kind: 'status', status: 529 }, 'server_error'],
    ['401', { kind: 'status', status: 401 }, 'auth_failed'],
    ['404 for the model', { kind: 'status', status: 404, body: { error: { message: 'model not found', code: 'model_not_found' } } }, 'model_not_found'],
    ['a slow first byte', { kind: 'ok', delayMs: 1500 }, 'timeout'],
    ['a reset connection', { kind: 'reset' }, 'network_error'],
  ] as const)('fails over once on %s, with the reason in a header', async (_name, step, reason) => {
    main.script(step);
    const res = await chat(gateway, 'pair');
    expect(res.status).toBe(200);
    expect(res.json().choices[0].message.content).toBe('fallback answered');
    expect(res.json().model).toBe('fallback-model');
    expect(res.headers.get('x-gateway-slot')).toBe('fallback');
    expect(res.headers.get('x-gateway-model')).toBe('fallback-model');
    expect(res.headers.get('x-gateway-failover-reason')).toBe(reason);
  });

  it('never fails over on a 400: the caller gets it as is', async () => {
    const fallbackCalls = fallback.calls.length;
    main.script({ kind: 'status', status: 400, body: { error: { message: 'messages[0] is broken', type: 'invalid_request_error', code: 'invalid_value' } } });
    const res = await chat(gateway, 'pair');
    expect(res.status).toBe(400);
    expect(res.json().error.message).toContain('messages[0] is broken');
    expect(fallback.calls.length).toBe(fallbackCalls);
  });

  it('fails over a stream whose upstream fails before the first byte', async () => {
    main.script({ kind: 'status', status: 503 });
    const res = await chat(gateway, 'pair', { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-gateway-failover-reason')).toBe('server_error');
    expect(res.text).toContain('fallback');
    expect(res.text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('fails over a stream that stalls before its first chunk', async () => {
    main.script({ kind: 'stream', stallAfter: 0 });
    const res = await chat(gateway, 'pair', { stream: true });
    expect(res.headers.get('x-gateway-failover-reason')).toBe('timeout');
    expect(res.text).toContain('fallback');
  });

  it('ends a stream cut after its first byte with an error frame, never a fake [DONE]', async () => {
    main.script({ kind: 'stream', resetAfter: 3 });
    const res = await chat(gateway, 'pair', { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-slot')).toBe('main');
    expect(res.text).toContain('upstream_');
    expect(res.text).not.toContain('[DONE]');
  });

  it('marks a stream that ends without its terminal event as truncated', async () => {
    // A body that ends cleanly after the finish chunk is complete for OpenAI-format vendors: cut before it.
    const cut = await startScenarioUpstream();
    await configure(gateway, 'cut', 'main', cut.baseUrl);
    cut.script({ kind: 'stream', text: 'one two three four', noDone: true, resetAfter: 3 });
    const res = await chat(gateway, 'cut', { stream: true });
    expect(res.text).toMatch(/"code":"upstream_(stream_truncated|error)"/);
    expect(res.text).not.toContain('[DONE]');
    await cut.close();
  });

  it('returns Main\'s mapped error when there is no Fallback', async () => {
    solo.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const limited = await chat(gateway, 'solo');
    expect(limited.status).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBe('7');

    solo.script({ kind: 'status', status: 502 });
    expect((await chat(gateway, 'solo')).json().error.code).toBe('upstream_error');
    solo.script({ kind: 'hang' });
    const timedOut = await chat(gateway, 'solo');
    expect(timedOut.status).toBe(504);
    expect(timedOut.json().error.code).toBe('upstream_timeout');
    solo.script({ kind: 'status', status: 404 });
    expect((await chat(gateway, 'solo')).json().error.code).toBe('model_not_found');
  });

  it('writes one usage row per call, with the serving slot and failover reason', async () => {
    const before = (await usageOf(gateway, 'pair')).totals.calls;
    main.script({ kind: 'status', status: 500 });
    await chat(gateway, 'pair');
    await chat(gateway, 'pair');
    const after = await usageOf(gateway, 'pair');
    expect(after.totals.calls).toBe(before + 2);
    const [latest, failedOver] = after.data;
    expect(latest).toMatchObject({ slot: 'main', outcome: 'success', httpStatus: 200, failoverReason: null, promptTokens: 7, completionTokens: 3 });
    expect(failedOver).toMatchObject({ slot: 'fallback', outcome: 'success', failoverReason: 'server_error' });
  });
});

describe('soft-disable after repeated 401/403', () => {
  let gateway: TestGateway;
  let main: ScenarioUpstream;
  let fallback: ScenarioUpstream;

  beforeAll(async () => {
    gateway = await startTestGateway({ redis: true, env: { SOFT_DISABLE_AFTER: '3' } });
    main = await startScenarioUpstream('main answered');
    fallback = await startScenarioUpstream('fallback answered');
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
    await Promise.all([main.close(), fallback.close()]);
  });

  async function status(orgId: string) {
    return (await (await fetch(`${gateway.url}/byok/${orgId}`, { headers: gateway.admin })).json()) as { main: Record<string, unknown> };
  }

  it('disables the key after exactly N consecutive auth failures, audits it, and stops calling Main', async () => {
    await configure(gateway, 'sd', 'main', main.baseUrl);
    await configure(gateway, 'sd', 'fallback', fallback.baseUrl);
    main.script({ kind: 'status', status: 401 }, { kind: 'status', status: 403 });
    await chat(gateway, 'sd');
    await chat(gateway, 'sd');
    await expect.poll(async () => (await status('sd')).main.consecutiveAuthFailures).toBe(2);
    expect((await status('sd')).main.status).toBe('active');

    main.script({ kind: 'status', status: 401 });
    await chat(gateway, 'sd');
    await expect.poll(async () => (await status('sd')).main.status).toBe('disabled');
    const disabled = await status('sd');
    expect(disabled.main.disabledReason).toContain('401');
    expect(disabled.main.disabledAt).not.toBeNull();
    const audit = (await (await fetch(`${gateway.url}/byok/sd/audit`, { headers: gateway.admin })).json()) as { data: unknown[] };
    expect(audit.data[0]).toMatchObject({ action: 'soft_disable', actor: 'gateway', detail: { httpStatus: 401, failures: 3 } });

    const mainCalls = main.calls.length;
    const res = await chat(gateway, 'sd');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-failover-reason')).toBe('main_disabled');
    expect(main.calls.length).toBe(mainCalls);

    const enabled = await fetch(`${gateway.url}/byok/sd/main/enable`, { method: 'POST', headers: { authorization: gateway.admin.authorization } });
    expect(enabled.status).toBe(200);
    expect(((await enabled.json()) as { status: string }).status).toBe('active');
    const back = await chat(gateway, 'sd');
    expect(back.headers.get('x-gateway-slot')).toBe('main');
  });

  it('resets the count on a success', async () => {
    await configure(gateway, 'reset', 'main', main.baseUrl);
    main.script({ kind: 'status', status: 401 }, { kind: 'status', status: 401 }, { kind: 'ok' }, { kind: 'status', status: 401 }, { kind: 'status', status: 401 });
    for (let i = 0; i < 5; i++) await chat(gateway, 'reset');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    main.script({ kind: 'ok' });
    await chat(gateway, 'reset');
    expect((await status('reset')).main.status).toBe('active');
  });

  it('brings a disabled key back when it is replaced with PUT', async () => {
    await configure(gateway, 'replace', 'main', main.baseUrl);
    main.script({ kind: 'status', status: 401 }, { kind: 'status', status: 401 }, { kind: 'status', status: 401 });
    for (let i = 0; i < 3; i++) await chat(gateway, 'replace');
    await expect.poll(async () => (await status('replace')).main.status).toBe('disabled');
    const noFallback = await chat(gateway, 'replace');
    expect(noFallback.status).toBe(401);
    expect(noFallback.json().error.code).toBe('upstream_auth_failed');
    await configure(gateway, 'replace', 'main', main.baseUrl, {}, 'sk-a-brand-new-key-0001');
    expect((await status('replace')).main.status).toBe('active');
    expect((await chat(gateway, 'replace')).status).toBe(200);
  });
});

describe('concurrency caps', () => {
  let main: ScenarioUpstream;
  let fallback: ScenarioUpstream;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    main = await startScenarioUpstream('main answered');
    fallback = await startScenarioUpstream('fallback answered');
  });
  afterEach(async () => {
    while (gateways.length) {
      const gateway = gateways.pop()!;
      await gateway.close();
    }
  });
  afterAll(async () => {
    await Promise.all([main.close(), fallback.close()]);
  });

  it('spills to Fallback (main_saturated) when Main\'s permit does not free up in time, and answers 429 without one', async () => {
    const gateway = await startTestGateway({ env: { QUEUE_WAIT_MS: '50' } });
    gateways.push(gateway);
    await configure(gateway, 'cap', 'main', main.baseUrl, { maxConcurrentRequests: 1 });
    await configure(gateway, 'cap', 'fallback', fallback.baseUrl);
    await configure(gateway, 'capsolo', 'main', main.baseUrl, { maxConcurrentRequests: 1 }, 'sk-capsolo-0001');
    main.script({ kind: 'ok', delayMs: 400 });
    const slow = chat(gateway, 'cap');
    await expect.poll(() => main.inFlight()).toBe(1);
    const spilled = await chat(gateway, 'cap');
    expect(spilled.headers.get('x-gateway-failover-reason')).toBe('main_saturated');
    expect(spilled.json().choices[0].message.content).toBe('fallback answered');
    expect((await slow).status).toBe(200);

    main.script({ kind: 'ok', delayMs: 400 });
    const holder = chat(gateway, 'capsolo');
    await expect.poll(() => main.inFlight()).toBe(1);
    const rejected = await chat(gateway, 'capsolo');
    expect(rejected.status).toBe(429);
    expect(rejected.json().error.code).toBe('rate_limited');
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await holder;
  });

  it('holds maxConcurrentRequests 1 across three instances sharing Redis under 50 concurrent calls', async () => {
    const storage = await openTestStorage('postgres');
    const prefix = `gwtest:three:${Date.now()}:`;
    const options = { sharedStorage: storage, masterKeys: generateMasterKey('shared'), redis: true, redisPrefix: prefix, env: { QUEUE_WAIT_MS: '30000' } };
    const instances = [await startTestGateway(options), await startTestGateway(options), await startTestGateway(options)];
    gateways.push(...instances);
    const busy = await startScenarioUpstream('one at a time');
    await configure(instances[0], 'three', 'main', busy.baseUrl, { maxConcurrentRequests: 1 });
    for (let i = 0; i < 50; i++) busy.script({ kind: 'ok', delayMs: 5 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => chat(instances[i % 3], 'three')));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(busy.calls.length).toBe(50);
    expect(busy.maxInFlight()).toBe(1);
    for (const instance of instances) await instance.app.gateway.usage.flush();
    expect((await usageOf(instances[0], 'three')).totals.calls).toBe(50);
    await busy.close();
    for (const g of gateways.splice(0)) await g.close();
    await storage.close();
  });

  it('applies a config change made on one instance to the next request on another', async () => {
    const storage = await openTestStorage('postgres');
    const options = { sharedStorage: storage, masterKeys: generateMasterKey('shared'), redis: true, redisPrefix: `gwtest:cfg:${Date.now()}:` };
    const a = await startTestGateway(options);
    const b = await startTestGateway(options);
    gateways.push(a, b);
    await configure(a, 'live', 'main', main.baseUrl);
    expect((await chat(b, 'live')).json().model).toBe('main-model');
    const patched = await fetch(`${a.url}/byok/live/main`, { method: 'PATCH', headers: a.admin, body: JSON.stringify({ model: 'renamed-model' }) });
    expect(patched.status).toBe(200);
    await expect.poll(async () => (await chat(b, 'live')).json().model).toBe('renamed-model');
    for (const g of gateways.splice(0)) await g.close();
    await storage.close();
  });
});
