// The BYOK admin API as an operator uses it, on both storage drivers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { keyHint } from '../src/keys/hints.js';
import { generateMasterKey, KeyVault } from '../src/keys/vault.js';
import { PROVIDERS } from '../src/providers/registry.js';
import { openPglite } from '../src/store/db.js';
import { ADMIN_TOKEN, SERVICE_TOKEN, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { STORAGE_KINDS } from './helpers/storage.js';

const KEY = 'sk-ant-api03-SECRETSECRETSECRET-abcdefghijklmnopQ2xA';

function put(gateway: TestGateway, orgId: string, slot: string, body: unknown, query = '') {
  return gateway.app.inject({ method: 'PUT', url: `/byok/${orgId}/${slot}${query}`, headers: gateway.admin, payload: JSON.stringify(body) });
}

describe.each(STORAGE_KINDS)('BYOK admin API on %s', (kind) => {
  let gateway: TestGateway;
  const seen: string[] = [];
  const record = <T extends { body: string }>(res: T): T => {
    seen.push(res.body);
    return res;
  };

  beforeAll(async () => {
    gateway = await startTestGateway({ storage: kind, listen: false });
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it('stores a Main key (201), shows its hint and fingerprint, and never the key', async () => {
    const res = record(await put(gateway, 'acme', 'main', { provider: 'anthropic', model: 'claude-sonnet-4-6', apiKey: `  "${KEY}"\n` }));
    expect(res.statusCode).toBe(201);
    const slot = res.json();
    expect(slot.key.hint).toBe('sk-ant-…Q2xA');
    expect(slot.key.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(slot.baseUrl).toBe('https://api.anthropic.com');
    expect(slot.settings.reasoning).toEqual({ level: 'medium', custom: null });
    expect(slot.status).toBe('active');
    const status = record(await gateway.app.inject({ method: 'GET', url: '/byok/acme', headers: gateway.admin }));
    expect(status.json()).toMatchObject({ orgId: 'acme', source: 'org', main: { provider: 'anthropic' }, fallback: null });
  });

  it('replaces a slot with 200 and audits store, update and rotate with the token id, not the token', async () => {
    await put(gateway, 'rot', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-first-key-0000000001' });
    const same = await put(gateway, 'rot', 'main', { provider: 'openai', model: 'gpt-5.4-mini', apiKey: 'sk-first-key-0000000001' });
    expect(same.statusCode).toBe(200);
    await put(gateway, 'rot', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-second-key-000000002' });
    const audit = record(await gateway.app.inject({ method: 'GET', url: '/byok/rot/audit', headers: gateway.admin })).json();
    expect(audit.data.map((e: { action: string }) => e.action)).toEqual(['rotate', 'update', 'store']);
    expect(audit.data[0].actor).toMatch(/^admin:[0-9a-f]{8}$/);
    expect(JSON.stringify(audit)).not.toContain(ADMIN_TOKEN);
  });

  it('keeps the key out of every response, log line and database column in clear', async () => {
    const rows = await gateway.storage.db.execute(sql`select * from byok_slots`);
    const dump = JSON.stringify(rows);
    expect(dump).toContain('acme');
    expect(dump).not.toContain(KEY);
    expect(dump).not.toContain('SECRETSECRET');
    for (const body of seen) expect(body).not.toContain('SECRETSECRET');
    expect(gateway.logs.join('\n')).not.toContain('SECRETSECRET');
    expect(gateway.logs.join('\n')).not.toContain(ADMIN_TOKEN);
  });

  it('refuses to decrypt a stored row moved to another org', async () => {
    await put(gateway, 'victim', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-victim-key-00000001' });
    await gateway.storage.db.execute(sql`update byok_slots set org_id = 'thief' where org_id = 'victim'`);
    await gateway.app.inject({ method: 'PATCH', url: '/byok/thief/main', headers: gateway.admin, payload: { model: 'x' } });
    const status = (await gateway.app.inject({ method: 'GET', url: '/byok/thief', headers: gateway.admin })).json();
    expect(status.main.status).toBe('undecryptable');
  });

  it('answers 401 without or with an unknown token, 403 for a token of the wrong kind', async () => {
    const none = await gateway.app.inject({ method: 'GET', url: '/byok/acme' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const unknown = await gateway.app.inject({ method: 'GET', url: '/byok/acme', headers: { authorization: 'Bearer nope' } });
    expect(unknown.statusCode).toBe(401);
    const service = await gateway.app.inject({ method: 'GET', url: '/byok/acme', headers: { authorization: `Bearer ${SERVICE_TOKEN}` } });
    expect(service.statusCode).toBe(403);
    expect(service.json().error.code).toBe('forbidden');
    const adminOnChat = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-org-id': 'acme' }, payload: { messages: [{ role: 'user', content: 'hi' }] } });
    expect(adminOnChat.statusCode).toBe(403);
  });

  it.each([
    ['invalid JSON', '{"provider": "openai",', 400, 'invalid_json'],
    ['an unknown field', { provider: 'openai', model: 'm', apiKey: 'k', colour: 'red' }, 400, 'invalid_request'],
    ['an unknown provider', { provider: 'openia', model: 'm', apiKey: 'k' }, 400, 'unknown_provider'],
    ['a missing model', { provider: 'openai', apiKey: 'k' }, 400, 'invalid_request'],
    ['a custom override that is not JSON', { provider: 'openai', model: 'm', apiKey: 'k', settings: { reasoning: { level: 'custom', custom: '{oops' } } }, 400, 'invalid_reasoning_override'],
    ['a custom override that is an array', { provider: 'openai', model: 'm', apiKey: 'k', settings: { reasoning: { level: 'custom', custom: [1] } } }, 400, 'invalid_reasoning_override'],
    ['an unknown plan', { provider: 'zai', model: 'glm-5.1', apiKey: 'k', plan: 'gold' }, 400, 'unknown_plan'],
    ['a provider that needs a base URL', { provider: 'openai_compatible', model: 'm', apiKey: 'k' }, 400, 'base_url_required'],
    ['a model id that walks up the URL path', { provider: 'google', model: '../../v1/files', apiKey: 'AIzaSyTestKey-000000000000' }, 400, 'invalid_request'],
    ['a metadata base URL', { provider: 'ollama', model: 'm', baseUrl: 'http://169.254.169.254/v1' }, 400, 'invalid_base_url'],
  ])('rejects %s with a 4xx that says what to fix', async (_name, body, status, code) => {
    const res = await gateway.app.inject({
      method: 'PUT',
      url: '/byok/bad-input/main',
      headers: gateway.admin,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message.length).toBeGreaterThan(10);
  });

  it('names the known providers when one is unknown', async () => {
    const res = await put(gateway, 'x', 'main', { provider: 'nope', model: 'm', apiKey: 'k' });
    expect(res.json().error.message).toContain('anthropic');
  });

  it('rejects bad org ids and slots', async () => {
    expect((await put(gateway, 'bad%20org', 'main', { provider: 'openai', model: 'm', apiKey: 'k' })).json().error.code).toBe('invalid_org_id');
    expect((await put(gateway, 'ok', 'third', { provider: 'openai', model: 'm', apiKey: 'k' })).json().error.code).toBe('invalid_slot');
  });

  it('refuses a Fallback before a Main (409 main_required)', async () => {
    const res = await put(gateway, 'nomain', 'fallback', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-0000000000001' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('main_required');
  });

  it('pre-fills base URL and concurrency from a plan unless the request sets them', async () => {
    const coding = (await put(gateway, 'glm', 'main', { provider: 'zai', model: 'glm-5.1', apiKey: 'zai-key-000000000001', plan: 'coding' })).json();
    expect(coding.baseUrl).toBe('https://api.z.ai/api/coding/paas/v4');
    expect(coding.settings.maxConcurrentRequests).toBe(1);
    const kimi = (await put(gateway, 'kimi', 'main', { provider: 'moonshot', model: 'kimi-k2.6', apiKey: 'sk-kimi-000000000001', plan: 'code', settings: { maxConcurrentRequests: 5 } })).json();
    expect(kimi.baseUrl).toBe('https://api.kimi.com/coding/v1');
    expect(kimi.settings.maxConcurrentRequests).toBe(5);
  });

  it('patches settings without the key, deletes with 204 and keeps the audit trail', async () => {
    await put(gateway, 'life', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-life-000000000001' });
    await put(gateway, 'life', 'fallback', { provider: 'anthropic', model: 'claude-sonnet-4-6', apiKey: 'sk-ant-life-00000001' });
    const patched = await gateway.app.inject({ method: 'PATCH', url: '/byok/life/main', headers: gateway.admin, payload: { model: 'gpt-5.4-mini', settings: { temperature: 0.2 } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ model: 'gpt-5.4-mini', settings: { temperature: 0.2 } });
    const blocked = await gateway.app.inject({ method: 'DELETE', url: '/byok/life/main', headers: gateway.admin });
    expect(blocked.statusCode).toBe(409);
    expect((await gateway.app.inject({ method: 'DELETE', url: '/byok/life/fallback', headers: gateway.admin })).statusCode).toBe(204);
    expect((await gateway.app.inject({ method: 'DELETE', url: '/byok/life/main', headers: gateway.admin })).statusCode).toBe(204);
    const status = (await gateway.app.inject({ method: 'GET', url: '/byok/life', headers: gateway.admin })).json();
    expect(status.source).toBe('none');
    const audit = (await gateway.app.inject({ method: 'GET', url: '/byok/life/audit', headers: gateway.admin })).json();
    expect(audit.data.map((e: { action: string }) => e.action)).toEqual(['delete', 'delete', 'update', 'store', 'store']);
  });

  it('stores every credential field encrypted and shows hints for secrets, plain values for the rest', async () => {
    const res = await put(gateway, 'aws', 'main', {
      provider: 'bedrock',
      model: 'anthropic.claude-sonnet-4-6',
      credentials: { accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY', region: 'eu-west-1' },
    });
    expect(res.statusCode).toBe(201);
    const slot = res.json();
    expect(slot.credentials.region).toBe('eu-west-1');
    expect(slot.credentials.secretAccessKey.hint).toMatch(/…/);
    expect(slot.credentials.accessKeyId.fingerprint).toMatch(/^sha256:/);
    expect(res.body).not.toContain('YSECRETKEY');
    const rows = JSON.stringify(await gateway.storage.db.execute(sql`select * from byok_slots where org_id = 'aws'`));
    expect(rows).not.toContain('YSECRETKEY');
    expect(rows).not.toContain('AKIAABCDEFGHIJKLMNOP');
    const missing = await put(gateway, 'aws2', 'main', { provider: 'bedrock', model: 'm', credentials: { accessKeyId: 'AKIA0000000000000000' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.param).toBe('credentials.secretAccessKey');
  });

  it('derives the Cloudflare Workers AI base URL from the account id', async () => {
    const res = await put(gateway, 'cf', 'main', { provider: 'cloudflare_workers_ai', model: '@cf/meta/llama-3.1-8b-instruct', apiKey: 'cf-token-0000000001', credentials: { accountId: 'abc123' } });
    expect(res.statusCode).toBe(201);
    expect(res.json().baseUrl).toBe('https://api.cloudflare.com/client/v4/accounts/abc123/ai/v1');
  });

  it('lists the curated models and every provider in the catalog', async () => {
    const catalog = (await gateway.app.inject({ method: 'GET', url: '/byok/catalog', headers: gateway.admin })).json();
    expect(catalog.models).toHaveLength(6);
    expect(catalog.providers.map((p: { id: string }) => p.id)).toEqual(PROVIDERS.map((p) => p.id));
    const zai = catalog.providers.find((p: { id: string }) => p.id === 'zai');
    expect(zai.plans.find((p: { id: string }) => p.id === 'coding').maxConcurrentRequests).toBe(1);
  });

  it('answers 409 byok_not_configured for chat from an org with no config', async () => {
    const res = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('nobody'), payload: { messages: [{ role: 'user', content: 'hi' }] } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('byok_not_configured');
  });
});

describe('env Fixed Mode', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      listen: false,
      env: { BYOK_MAIN_PROVIDER: 'openai', BYOK_MAIN_MODEL: 'gpt-5.4', BYOK_MAIN_API_KEY: 'sk-env-main-key-000000000001' },
    });
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it('reports source env with the key hint only', async () => {
    const status = (await gateway.app.inject({ method: 'GET', url: '/byok/anyorg', headers: gateway.admin })).json();
    expect(status.source).toBe('env');
    expect(status.main.key.hint).toBe(keyHint('sk-env-main-key-000000000001'));
    expect(status.main.key.hint).toMatch(/^sk-en.*…0001$/);
    expect(JSON.stringify(status)).not.toContain('sk-env-main-key');
  });

  it('asks for confirmation before an org config overrides it', async () => {
    const unconfirmed = await put(gateway, 'own', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-own-0000000001' });
    expect(unconfirmed.statusCode).toBe(409);
    expect(unconfirmed.json().error.code).toBe('env_override_unconfirmed');
    const confirmed = await put(gateway, 'own', 'main', { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-own-0000000001', confirmOverride: true });
    expect(confirmed.statusCode).toBe(201);
    expect((await gateway.app.inject({ method: 'GET', url: '/byok/own', headers: gateway.admin })).json().source).toBe('org');
  });
});

describe('the embedded default keeps the config across a restart', () => {
  it('reads back what was stored after the app is rebuilt on the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-restart-'));
    const masterKeys = generateMasterKey('k1');
    const config = loadConfig({ GATEWAY_ADMIN_TOKENS: ADMIN_TOKEN, GATEWAY_SERVICE_TOKENS: SERVICE_TOKEN, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    try {
      const first = await buildApp({ config, storage: await openPglite(dataDir), vault: KeyVault.fromSpec(masterKeys), redis: null, logger: false });
      const stored = await first.inject({ method: 'PUT', url: '/byok/keep/main', headers, payload: { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-keep-00000000001' } });
      expect(stored.statusCode).toBe(201);
      await first.close();
      const second = await buildApp({ config, storage: await openPglite(dataDir), vault: KeyVault.fromSpec(masterKeys), redis: null, logger: false });
      const status = (await second.inject({ method: 'GET', url: '/byok/keep', headers })).json();
      expect(status.main).toMatchObject({ provider: 'openai', model: 'gpt-5.4', status: 'active' });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
