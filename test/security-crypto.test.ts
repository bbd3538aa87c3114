// Stored-key integrity: flipping any byte of a stored nonce, ciphertext or tag, an
// unknown key id, or a row copied to another org or slot makes that slot fail closed
// (status `undecryptable`, chat 503 key_undecryptable, never "not configured" and never
// another key), while every other org keeps working.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../src/keys/hints.js';
import { byokSlots } from '../src/store/schema.js';
import type { SlotRow } from '../src/store/slots.js';
import { echoText, startEchoUpstream, type EchoUpstream } from './helpers/echo-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { contractError } from './helpers/http-client.js';

let gateway: TestGateway;
let echo: EchoUpstream;
const KEYS: Record<string, string> = {
  'crypt-a': 'sk-crypt-a-0123456789abcdef',
  'crypt-b': 'sk-crypt-b-0123456789abcdef',
  'crypt-c': 'sk-crypt-c-0123456789abcdef',
  'crypt-fo': 'sk-crypt-fo-main-0123456789',
};
const FALLBACK_KEY = 'sk-crypt-fo-fallback-012345';

beforeAll(async () => {
  echo = await startEchoUpstream();
  gateway = await startTestGateway({ storage: 'postgres' });
  for (const [orgId, apiKey] of Object.entries(KEYS)) {
    const res = await gateway.app.inject({ method: 'PUT', url: `/byok/${orgId}/main`, headers: gateway.admin, payload: { provider: 'openai_compatible', model: 'echo-model', apiKey, baseUrl: `${echo.baseUrl}/v1` } });
    expect(res.statusCode, res.body).toBe(201);
  }
  const fallback = await gateway.app.inject({
    method: 'PUT',
    url: '/byok/crypt-fo/fallback',
    headers: gateway.admin,
    payload: { provider: 'openai_compatible', model: 'echo-model', apiKey: FALLBACK_KEY, baseUrl: `${echo.baseUrl}/v1` },
  });
  expect(fallback.statusCode, fallback.body).toBe(201);
});

afterAll(async () => {
  await gateway?.close();
  await gateway?.storage.close();
  await echo?.close();
});

type Envelope = Pick<SlotRow, 'keyKid' | 'keyNonce' | 'keyCiphertext' | 'keyTag'>;

async function envelope(orgId: string, slot = 'main'): Promise<Envelope> {
  const [row] = await gateway.storage.db
    .select({ keyKid: byokSlots.keyKid, keyNonce: byokSlots.keyNonce, keyCiphertext: byokSlots.keyCiphertext, keyTag: byokSlots.keyTag })
    .from(byokSlots)
    .where(and(eq(byokSlots.orgId, orgId), eq(byokSlots.slot, slot)));
  return row;
}

/** Writes the envelope columns straight into the database, as an attacker or a bad restore would. */
async function overwrite(orgId: string, changes: Partial<Envelope>, slot = 'main'): Promise<void> {
  await gateway.storage.db.update(byokSlots).set(changes).where(and(eq(byokSlots.orgId, orgId), eq(byokSlots.slot, slot)));
  // A direct write bypasses the admin API and its invalidation: drop the cached config by hand.
  gateway.app.gateway.configs.invalidate(orgId);
}

async function chat(orgId: string) {
  return gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service(orgId), payload: { messages: [{ role: 'user', content: 'who am I?' }] } });
}

async function expectServedWith(orgId: string, key: string): Promise<void> {
  const res = await chat(orgId);
  expect(res.statusCode, `${orgId}: ${res.body}`).toBe(200);
  expect(JSON.parse(res.body).choices[0].message.content).toBe(echoText(key));
}

async function expectUndecryptable(orgId: string, slot = 'main'): Promise<void> {
  const status = await gateway.app.inject({ method: 'GET', url: `/byok/${orgId}`, headers: gateway.admin });
  expect(status.statusCode, status.body).toBe(200);
  const body = JSON.parse(status.body);
  expect(body.source).toBe('org');
  expect(body[slot].status).toBe('undecryptable');
  if (slot !== 'main') return;
  const res = await chat(orgId);
  expect(res.statusCode, res.body).toBe(503);
  const error = contractError(res.body).error;
  expect(error.code).toBe('key_undecryptable');
  expect(error.message).toMatch(/cannot be decrypted/);
}

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] ^= 0x01;
  return bytes.toString('base64');
}

describe('a tampered stored key', () => {
  it.each(['keyNonce', 'keyCiphertext', 'keyTag'] as const)('flipping any byte of %s fails closed for that org only', async (field) => {
    const original = await envelope('crypt-a');
    const length = Buffer.from(original[field], 'base64').length;
    expect(length).toBeGreaterThanOrEqual(12);
    for (let index = 0; index < length; index++) {
      await overwrite('crypt-a', { [field]: flipByte(original[field], index) });
      await expectUndecryptable('crypt-a');
      if (index % 4 === 0) await expectServedWith('crypt-b', KEYS['crypt-b']);
    }
    await overwrite('crypt-a', original);
    await expectServedWith('crypt-a', KEYS['crypt-a']);
  });

  it('truncated, padded, empty or non-base64 envelope fields fail closed too', async () => {
    const original = await envelope('crypt-a');
    const variants: Array<Partial<Envelope>> = [
      { keyCiphertext: Buffer.from(original.keyCiphertext, 'base64').subarray(1).toString('base64') },
      { keyCiphertext: Buffer.concat([Buffer.from(original.keyCiphertext, 'base64'), Buffer.from([0])]).toString('base64') },
      { keyCiphertext: '' },
      { keyTag: Buffer.from(original.keyTag, 'base64').subarray(0, 12).toString('base64') },
      { keyTag: '' },
      { keyNonce: Buffer.alloc(16).toString('base64') },
      { keyNonce: '***not base64***' },
      { keyKid: 'a-key-id-nobody-has' },
    ];
    for (const variant of variants) {
      await overwrite('crypt-a', variant);
      await expectUndecryptable('crypt-a');
    }
    await overwrite('crypt-a', original);
    await expectServedWith('crypt-a', KEYS['crypt-a']);
  });

  it('an undecryptable Main fails over to a healthy Fallback, which uses its own key', async () => {
    const original = await envelope('crypt-fo');
    await overwrite('crypt-fo', { keyTag: flipByte(original.keyTag, 0) });
    const res = await chat('crypt-fo');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-gateway-slot']).toBe('fallback');
    expect(res.headers['x-gateway-failover-reason']).toBe('main_disabled');
    expect(JSON.parse(res.body).choices[0].message.content).toBe(echoText(FALLBACK_KEY));
    await overwrite('crypt-fo', original);
  });

  it('probing or patching an undecryptable slot is a clear 4xx/200, never a 5xx', async () => {
    const original = await envelope('crypt-a');
    await overwrite('crypt-a', { keyCiphertext: flipByte(original.keyCiphertext, 3) });
    const probe = await gateway.app.inject({ method: 'POST', url: '/byok/test', headers: gateway.admin, payload: { orgId: 'crypt-a', slot: 'main' } });
    expect(probe.statusCode, probe.body).toBe(409);
    expect(contractError(probe.body).error.code).toBe('key_undecryptable');
    const patch = await gateway.app.inject({ method: 'PATCH', url: '/byok/crypt-a/main', headers: gateway.admin, payload: { model: 'echo-model-2' } });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(JSON.parse(patch.body).status).toBe('undecryptable');
    const models = await gateway.app.inject({ method: 'GET', url: '/v1/models', headers: gateway.service('crypt-a') });
    expect(models.statusCode).toBeLessThan(500);
    await overwrite('crypt-a', original);
    await expectServedWith('crypt-a', KEYS['crypt-a']);
  });
});

describe('a stored key moved elsewhere', () => {
  it("a row copied into another org's slot does not decrypt there, and never sends the first org's key", async () => {
    const source = await envelope('crypt-a');
    const target = await envelope('crypt-c');
    const keysBefore = echo.keys.length;
    await overwrite('crypt-c', source);
    await expectUndecryptable('crypt-c');
    expect(echo.keys.slice(keysBefore)).not.toContain(KEYS['crypt-a']);
    await expectServedWith('crypt-a', KEYS['crypt-a']);
    await overwrite('crypt-c', target);
    await expectServedWith('crypt-c', KEYS['crypt-c']);
  });

  it("a Main row copied into the same org's Fallback slot does not decrypt there", async () => {
    const fallback = await envelope('crypt-fo', 'fallback');
    await overwrite('crypt-fo', await envelope('crypt-fo', 'main'), 'fallback');
    await expectUndecryptable('crypt-fo', 'fallback');
    await overwrite('crypt-fo', fallback, 'fallback');
  });

  it('the status page of a healthy org still shows its own fingerprint', async () => {
    const status = JSON.parse((await gateway.app.inject({ method: 'GET', url: '/byok/crypt-b', headers: gateway.admin })).body);
    expect(status.main).toMatchObject({ status: 'active', key: { fingerprint: keyFingerprint(KEYS['crypt-b']) } });
  });
});
