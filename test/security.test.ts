// Who may call what, org isolation under parallel load, secrets that never leak (logs at
// every level, error bodies, /byok answers, metrics, the database), and upstream
// redirects that are never followed.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../src/keys/hints.js';
import { echoText, startEchoUpstream, type EchoUpstream } from './helpers/echo-upstream.js';
import { ADMIN_TOKEN, SERVICE_TOKEN, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { faults, sseData, startHostileUpstream, type HostileUpstream } from './helpers/hostile-upstream.js';
import { contractError, createTestClient, type ClientResponse, type TestClient } from './helpers/http-client.js';

const SECOND_ADMIN_TOKEN = `second-admin-${randomBytes(12).toString('hex')}`;
const UNKNOWN_TOKEN = `not-a-token-${randomBytes(12).toString('hex')}`;

let gateway: TestGateway;
let echo: EchoUpstream;
let hostile: HostileUpstream;
let landing: HostileUpstream;
let client: TestClient;
/** Every secret this suite hands to the gateway. */
const secrets = new Set<string>([ADMIN_TOKEN, SECOND_ADMIN_TOKEN, SERVICE_TOKEN, UNKNOWN_TOKEN]);
/** Every answer the gateway gave: status line, headers and body. */
const answers: string[] = [];

function secret(prefix: string): string {
  const value = `${prefix}${randomBytes(16).toString('hex')}`;
  secrets.add(value);
  return value;
}

const admin = () => ({ authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' });
const service = (orgId: string) => ({ authorization: `Bearer ${SERVICE_TOKEN}`, 'x-org-id': orgId, 'content-type': 'application/json' });

async function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<ClientResponse> {
  const res = await client.send(`${gateway.url}${path}`, {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  answers.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
  return res;
}

function chat(orgId: string, content: string, stream = false): Promise<ClientResponse> {
  return send('/v1/chat/completions', { method: 'POST', headers: service(orgId), body: { messages: [{ role: 'user', content }], stream } });
}

/** The assistant text of a completion or a stream. */
function answerText(res: ClientResponse): string {
  if (String(res.headers['content-type']).startsWith('text/event-stream')) {
    return sseData(res.text)
      .filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? '')
      .join('');
  }
  return JSON.parse(res.text).choices[0].message.content;
}

async function put(orgId: string, slot: string, body: Record<string, unknown>): Promise<ClientResponse> {
  const res = await send(`/byok/${orgId}/${slot}`, { method: 'PUT', headers: admin(), body });
  expect(res.status, res.text).toBe(201);
  return res;
}

beforeAll(async () => {
  echo = await startEchoUpstream();
  hostile = await startHostileUpstream();
  landing = await startHostileUpstream();
  client = createTestClient();
  gateway = await startTestGateway({ storage: 'postgres', env: { GATEWAY_ADMIN_TOKENS: `${ADMIN_TOKEN},${SECOND_ADMIN_TOKEN}`, QUEUE_WAIT_MS: '2000' } });
});

afterAll(async () => {
  await gateway?.close();
  await gateway?.storage.close();
  await client?.close();
  await echo?.close();
  await hostile?.close();
  await landing?.close();
});

// ------------------------------------------------------------------ authorisation

const BYOK_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/byok/catalog'],
  ['GET', '/byok/org-auth'],
  ['PUT', '/byok/org-auth/main', { provider: 'openai_compatible', model: 'm', apiKey: 'sk-auth-route-key-0001', baseUrl: 'http://127.0.0.1:9/v1' }],
  ['PATCH', '/byok/org-auth/main', { model: 'other' }],
  ['DELETE', '/byok/org-auth/main'],
  ['POST', '/byok/org-auth/main/enable'],
  ['POST', '/byok/test', { provider: 'openai_compatible', apiKey: 'sk-auth-route-key-0002', baseUrl: 'http://127.0.0.1:9/v1' }],
  ['GET', '/byok/org-auth/audit'],
  ['GET', '/byok/org-auth/usage'],
];
const V1_ROUTES: Array<[string, string, unknown?]> = [
  ['POST', '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }],
  ['GET', '/v1/models'],
];

describe('authorisation', () => {
  it.each(BYOK_ROUTES)('a service token cannot reach %s %s (403 forbidden)', async (method, path, body) => {
    const res = await send(path, { method, headers: service('org-auth'), body });
    expect(res.status, res.text).toBe(403);
    expect(contractError(res.text).error.code).toBe('forbidden');
  });

  it.each(V1_ROUTES)('an admin token cannot call %s %s (403 forbidden)', async (method, path, body) => {
    const res = await send(path, { method, headers: { ...admin(), 'x-org-id': 'org-auth' }, body });
    expect(res.status, res.text).toBe(403);
    expect(contractError(res.text).error.code).toBe('forbidden');
  });

  it.each([...BYOK_ROUTES, ...V1_ROUTES])('%s %s needs a known token (401 unauthorized)', async (method, path, body) => {
    for (const authorization of [undefined, `Bearer ${UNKNOWN_TOKEN}`, 'Bearer', `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`, ADMIN_TOKEN]) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-org-id': 'org-auth' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await send(path, { method, headers, body });
      expect(res.status, `${authorization}: ${res.text}`).toBe(401);
      expect(contractError(res.text).error.code).toBe('unauthorized');
    }
  });

  it('a probe needs an admin token, and either configured admin token works (rotation)', async () => {
    const body = { provider: 'openai_compatible', apiKey: secret('sk-probe-'), baseUrl: `${echo.baseUrl}/v1` };
    expect((await send('/byok/test', { method: 'POST', headers: service('x'), body })).status).toBe(403);
    for (const token of [ADMIN_TOKEN, SECOND_ADMIN_TOKEN]) {
      const res = await send('/byok/test', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      expect(res.status, res.text).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ ok: true, status: 'ok' });
    }
  });

  it('judges every request on a keep-alive connection by its own token, whatever the connection proved before', async () => {
    const connection = new Client(gateway.url, { pipelining: 1 }); // one socket for every request below
    const status = async (authorization: string) => {
      const res = await connection.request({ path: '/byok/catalog', method: 'GET', headers: { authorization } });
      await res.body.text();
      return res.statusCode;
    };
    try {
      expect(await status(`Bearer ${ADMIN_TOKEN}`)).toBe(200);
      expect(await status(`Bearer ${ADMIN_TOKEN.slice(0, -1)}${ADMIN_TOKEN.endsWith('x') ? 'y' : 'x'}`)).toBe(401);
      expect(await status(`Bearer ${ADMIN_TOKEN}`)).toBe(200);
      expect(await status(`Bearer ${SERVICE_TOKEN}`)).toBe(403);
      expect(await status(`Bearer ${UNKNOWN_TOKEN}`)).toBe(401);
      expect(await status(`Bearer ${ADMIN_TOKEN} `)).toBe(200); // the same token, another header
    } finally {
      await connection.close();
    }
  });

  it('health and readiness need no token, and say nothing about orgs', async () => {
    expect((await send('/healthz')).status).toBe(200);
    expect((await send('/readyz')).status).toBe(200);
  });
});

// ------------------------------------------------------------------ org isolation

describe('org isolation', () => {
  const ORGS = 30;
  const ROUNDS = 4;

  it(`${ORGS} orgs calling in parallel each reach the upstream with their own key only`, async () => {
    const orgs = Array.from({ length: ORGS }, (_, i) => {
      const anthropic = i % 3 === 1;
      const failsOver = i % 5 === 2;
      return {
        orgId: `iso-${String(i).padStart(2, '0')}`,
        provider: anthropic ? 'anthropic' : 'openai_compatible',
        baseUrl: anthropic ? echo.baseUrl : `${echo.baseUrl}/v1`,
        model: anthropic ? 'claude-sonnet-4-6' : 'echo-model',
        // Main keys that the upstream rejects make those orgs fail over to their own Fallback key.
        mainKey: failsOver ? secret(`reject-${i}-`) : secret(i % 2 ? `sk-iso-${i}-` : `orgkey_${i}_`),
        fallbackKey: secret(`fb_${i}_`),
        failsOver,
      };
    });
    await Promise.all(
      orgs.map(async (org) => {
        await put(org.orgId, 'main', { provider: org.provider, model: org.model, apiKey: org.mainKey, baseUrl: org.baseUrl });
        await put(org.orgId, 'fallback', { provider: org.provider, model: org.model, apiKey: org.fallbackKey, baseUrl: org.baseUrl });
      }),
    );
    const keysBefore = echo.keys.length;

    const calls = orgs.flatMap((org) => Array.from({ length: ROUNDS }, (_, round) => ({ org, stream: round % 2 === 1 })));
    const results = await Promise.all(calls.map(async ({ org, stream }) => ({ org, res: await chat(org.orgId, `who am I? (${org.orgId})`, stream) })));

    for (const { org, res } of results) {
      expect(res.status, `${org.orgId}: ${res.text.slice(0, 300)}`).toBe(200);
      const expectedKey = org.failsOver ? org.fallbackKey : org.mainKey;
      expect(answerText(res), org.orgId).toBe(echoText(expectedKey));
      expect(res.headers['x-gateway-slot']).toBe(org.failsOver ? 'fallback' : 'main');
    }
    // Every key the upstream saw belongs to the org set, in the expected numbers.
    const seen = echo.keys.slice(keysBefore);
    const count = (key: string) => seen.filter((k) => k === key).length;
    for (const org of orgs) {
      if (org.failsOver) {
        expect(count(org.fallbackKey), org.orgId).toBe(ROUNDS);
        // Main is tried until it is soft-disabled (SOFT_DISABLE_AFTER=3), then skipped.
        expect(count(org.mainKey), org.orgId).toBeGreaterThanOrEqual(1);
        expect(count(org.mainKey), org.orgId).toBeLessThanOrEqual(ROUNDS);
      } else {
        expect(count(org.mainKey), org.orgId).toBe(ROUNDS);
        expect(count(org.fallbackKey), org.orgId).toBe(0);
      }
    }
    const known = new Set(orgs.flatMap((o) => [o.mainKey, o.fallbackKey]));
    expect(seen.filter((k) => !known.has(k))).toEqual([]);
  });

  it('a status page shows the org its own key fingerprint only', async () => {
    const keyA = secret('sk-status-a-');
    const keyB = secret('sk-status-b-');
    await put('status-a', 'main', { provider: 'openai_compatible', model: 'echo-model', apiKey: keyA, baseUrl: `${echo.baseUrl}/v1` });
    await put('status-b', 'main', { provider: 'openai_compatible', model: 'echo-model', apiKey: keyB, baseUrl: `${echo.baseUrl}/v1` });
    const a = JSON.parse((await send('/byok/status-a', { headers: admin() })).text);
    const b = JSON.parse((await send('/byok/status-b', { headers: admin() })).text);
    expect(a.main.key.fingerprint).toBe(keyFingerprint(keyA));
    expect(b.main.key.fingerprint).toBe(keyFingerprint(keyB));
  });
});

// ------------------------------------------------------------------ redirects

describe('upstream redirects', () => {
  it.each([301, 302, 303, 307, 308])('a %i is not followed: the caller gets a contract error and the Location is never called', async (status) => {
    const orgId = `redirect-${status}`;
    const lane = `redirect-${status}`;
    const location = `${landing.origin}/landing-${status}/chat/completions`;
    await put(orgId, 'main', { provider: 'openai_compatible', model: 'm', apiKey: secret('sk-redirect-'), baseUrl: hostile.baseUrl(lane) });
    hostile.arm(lane, faults.redirect(location, status), faults.redirect(location, status));

    for (const stream of [false, true]) {
      const res = await chat(orgId, 'hello', stream);
      expect(res.status, res.text).toBe(502);
      const body = contractError(res.text);
      expect(body.error.code).toBe('upstream_error');
      expect(body.error.message).toMatch(/redirect/i);
    }
    expect(landing.calls).toHaveLength(0);
  });

  it('a redirect fails over to the Fallback like any upstream failure', async () => {
    const orgId = 'redirect-failover';
    const lane = 'redirect-failover';
    await put(orgId, 'main', { provider: 'openai_compatible', model: 'm', apiKey: secret('sk-redirect-'), baseUrl: hostile.baseUrl(lane) });
    await put(orgId, 'fallback', { provider: 'openai_compatible', model: 'echo-model', apiKey: secret('sk-redirect-fb-'), baseUrl: `${echo.baseUrl}/v1` });
    hostile.arm(lane, faults.redirect(`${landing.origin}/landing-fo/chat/completions`));
    const res = await chat(orgId, 'hello');
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-gateway-slot']).toBe('fallback');
    expect(landing.calls).toHaveLength(0);
  });

  it('a probe does not follow a redirect either', async () => {
    const lane = 'redirect-probe';
    hostile.arm(lane, faults.redirect(`${landing.origin}/landing-probe/models`), faults.redirect(`${landing.origin}/landing-probe/models`));
    const body = { provider: 'openai_compatible', model: 'm', apiKey: secret('sk-redirect-probe-'), baseUrl: hostile.baseUrl(lane) };
    const probe = await send('/byok/test', { method: 'POST', headers: admin(), body });
    expect(probe.status, probe.text).toBe(200);
    expect(JSON.parse(probe.text).ok).toBe(false);
    const saved = await send('/byok/redirect-probe/main?test=true', { method: 'PUT', headers: admin(), body });
    expect(saved.status, saved.text).toBe(422);
    expect(contractError(saved.text).error.code).toBe('key_test_failed');
    expect(landing.calls).toHaveLength(0);
  });
});

// ------------------------------------------------------------------ secrets never leak

describe('secrets', () => {
  it('an upstream that quotes the key back is scrubbed from the error the caller gets', async () => {
    // Keys that look like no known vendor format: only the gateway's own knowledge of the key can scrub them.
    for (const [provider, baseUrl] of [
      ['openai_compatible', `${echo.baseUrl}/v1`],
      ['anthropic', echo.baseUrl],
    ] as const) {
      const rejected = secret('reject-quoted-');
      await put(`quote-401-${provider}`, 'main', { provider, model: 'echo-model', apiKey: rejected, baseUrl });
      const unauthorised = await chat(`quote-401-${provider}`, 'hello');
      expect(unauthorised.status, unauthorised.text).toBe(401);
      expect(contractError(unauthorised.text).error.code).toBe('upstream_auth_failed');
      expect(unauthorised.text).not.toContain(rejected);

      const key = secret('plainkey_');
      await put(`quote-400-${provider}`, 'main', { provider, model: 'echo-model', apiKey: key, baseUrl });
      for (const trigger of ['echo-400', 'echo-500']) {
        for (const stream of [false, true]) {
          const res = await chat(`quote-400-${provider}`, trigger, stream);
          expect(res.status, res.text).toBe(trigger === 'echo-400' ? 400 : 502);
          contractError(res.text);
          expect(res.text).not.toContain(key);
        }
      }
      const probe = await send('/byok/test', { method: 'POST', headers: admin(), body: { provider, apiKey: rejected, baseUrl } });
      expect(probe.status).toBe(200);
      expect(JSON.parse(probe.text).status).toBe('invalid_key');
      expect(probe.text).not.toContain(rejected);
    }
  });

  it('a key sent in a bad request is not echoed in the validation error', async () => {
    const key = secret('sk-bad-request-');
    const bodies = [
      { provider: 'no-such-provider', model: 'm', apiKey: key },
      { provider: 'openai_compatible', model: 'has space', apiKey: key, baseUrl: `${echo.baseUrl}/v1` },
      { provider: 'openai_compatible', model: 'm', apiKey: key, baseUrl: 'ftp://example.invalid/' },
      { provider: 'openai_compatible', model: 'm', apiKey: `${key}\nsecond-line`, baseUrl: `${echo.baseUrl}/v1` },
      { provider: 'openai_compatible', model: 'm', apiKey: key, baseUrl: `http://user:${key}@127.0.0.1:1/v1` },
      { provider: 'openai_compatible', model: 'm', apiKey: key, unknownField: key },
      { provider: 'openai_compatible', model: 'm', apiKey: [key] },
      { provider: 'openai', model: 'm', credentials: { [key]: key } },
    ];
    for (const body of bodies) {
      for (const [method, path] of [
        ['PUT', '/byok/bad-request/main'],
        ['POST', '/byok/test'],
      ]) {
        const res = await send(path, { method, headers: admin(), body });
        // A probe may try what a store refuses (a model id with a space); neither echoes the key.
        if (method === 'PUT' || res.status !== 200) {
          expect(res.status, `${path} ${JSON.stringify(body)}: ${res.text}`).toBe(400);
          contractError(res.text);
        }
        expect(res.text).not.toContain(key);
      }
    }
  });

  it('appear in no log line, no answer, no metric and no database row in plaintext', async () => {
    // A little of everything first: status, audit, usage, patch, rotate, delete.
    const key = secret('sk-lifecycle-');
    await put('lifecycle', 'main', { provider: 'openai_compatible', model: 'echo-model', apiKey: key, baseUrl: `${echo.baseUrl}/v1` });
    expect((await chat('lifecycle', 'hello')).status).toBe(200);
    expect((await send('/byok/lifecycle/main', { method: 'PATCH', headers: admin(), body: { model: 'echo-model-2' } })).status).toBe(200);
    const rotated = secret('sk-lifecycle-rotated-');
    expect((await send('/byok/lifecycle/main', { method: 'PUT', headers: admin(), body: { provider: 'openai_compatible', model: 'echo-model', apiKey: rotated, baseUrl: `${echo.baseUrl}/v1` } })).status).toBe(200);
    expect((await send('/byok/test', { method: 'POST', headers: admin(), body: { orgId: 'lifecycle', slot: 'main' } })).status).toBe(200);
    expect((await send('/byok/test', { method: 'POST', headers: admin(), body: { orgId: 'lifecycle', slot: 'main', mode: 'completion' } })).status).toBe(200);
    await gateway.app.gateway.usage.flush();
    for (const path of ['/byok/lifecycle', '/byok/lifecycle/audit', '/byok/lifecycle/usage', '/byok/catalog', '/v1/models']) {
      const res = await send(path, { headers: path.startsWith('/v1') ? service('lifecycle') : admin() });
      expect(res.status, path).toBe(200);
    }
    const metrics = await send('/metrics');
    if (metrics.status !== 404) expect(metrics.status).toBe(200);

    const leaks = (where: string, text: string) => [...secrets].filter((s) => text.includes(s)).map((s) => `${where}: ${s}`);
    const found: string[] = [];
    found.push(...leaks('logs', gateway.logs.join('\n')));
    found.push(...leaks('answers', answers.join('\n')));
    if (metrics.status === 200) found.push(...leaks('metrics', metrics.text));

    for (const table of ['byok_slots', 'audit_events', 'usage_events']) {
      const result = (await gateway.storage.db.execute(sql.raw(`select * from ${table}`))) as unknown;
      const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
      expect(rows.length, table).toBeGreaterThan(0);
      found.push(...leaks(table, JSON.stringify(rows)));
    }
    expect(found).toEqual([]);
    // The logs did capture the traffic (so the search above searched something).
    expect(gateway.logs.length).toBeGreaterThan(100);
  });
});
