import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../src/store/db.js';
import type { NewSlotRow } from '../src/store/slots.js';
import { SlotRepository } from '../src/store/slots.js';
import { UsageRepository } from '../src/store/usage.js';
import { STORAGE_KINDS, openTestStorage } from './helpers/storage.js';

function slotRow(orgId: string, slot: 'main' | 'fallback', model = 'gpt-5.4'): NewSlotRow {
  return {
    orgId,
    slot,
    provider: 'openai',
    model,
    baseUrl: null,
    plan: null,
    settings: { temperature: null, maxOutputTokens: null, reasoning: { level: 'medium', custom: null }, maxConcurrentRequests: null, openrouter: null },
    keyKid: 'k1',
    keyNonce: 'bm9uY2U=',
    keyCiphertext: 'Y2lwaGVy',
    keyTag: 'dGFn',
    keyHints: { apiKey: { hint: 'sk-…abcd', fingerprint: 'sha256:00000000' } },
    credentialParams: {},
    credentialFingerprint: 'sha256:00000000',
    keyUpdatedAt: new Date(),
    updatedAt: new Date(),
  };
}

describe.each(STORAGE_KINDS)('repositories on %s', (kind) => {
  let storage: Storage;
  let slots: SlotRepository;
  let usage: UsageRepository;

  beforeEach(async () => {
    storage = await openTestStorage(kind);
    slots = new SlotRepository(storage.db);
    usage = new UsageRepository(storage.db);
  });
  afterEach(async () => {
    await storage.close();
  });

  it('stores a slot with its audit event and reports created, then replaced', async () => {
    const first = await slots.upsert(slotRow('acme', 'main'), () => ({ action: 'store', actor: 'admin:1' }));
    expect(first.created).toBe(true);
    const second = await slots.upsert(slotRow('acme', 'main', 'gpt-5.4-mini'), () => ({ action: 'rotate', actor: 'admin:1' }));
    expect(second.created).toBe(false);
    expect(second.previous?.model).toBe('gpt-5.4');
    expect((await slots.get('acme', 'main'))?.model).toBe('gpt-5.4-mini');
    const audit = await slots.audit('acme', { limit: 10 });
    expect(audit.map((a) => a.action)).toEqual(['rotate', 'store']);
  });

  it('keeps the audit trail when a slot is deleted', async () => {
    await slots.upsert(slotRow('acme', 'main'), () => ({ action: 'store', actor: 'admin:1' }));
    expect(await slots.delete('acme', 'main', { action: 'delete', actor: 'admin:1' })).toBe(true);
    expect(await slots.get('acme', 'main')).toBeNull();
    expect(await slots.delete('acme', 'main', { action: 'delete', actor: 'admin:1' })).toBe(false);
    expect((await slots.audit('acme', { limit: 10 })).map((a) => a.action)).toEqual(['delete', 'store']);
  });

  it('updates only an existing row and only when the condition holds', async () => {
    expect(await slots.update('acme', 'main', { model: 'x' }, null)).toBeNull();
    await slots.upsert(slotRow('acme', 'main'), () => ({ action: 'store', actor: 'a' }));
    expect(await slots.update('acme', 'main', { model: 'x' }, null, () => false)).toBeNull();
    const updated = await slots.update('acme', 'main', { model: 'x' }, { action: 'update', actor: 'a', detail: { fields: ['model'] } });
    expect(updated?.model).toBe('x');
  });

  it('writes usage rows in a batch and totals them per org', async () => {
    const base = { requestId: 'r', slot: 'main', provider: 'openai', model: 'm', httpStatus: 200, latencyMs: 5, createdAt: new Date() };
    await usage.insertBatch([
      { ...base, orgId: 'acme', outcome: 'success', promptTokens: 10, completionTokens: 5 },
      { ...base, orgId: 'acme', outcome: 'success', promptTokens: 1, completionTokens: 2, failoverReason: 'rate_limited' },
      { ...base, orgId: 'other', outcome: 'error', promptTokens: 100, completionTokens: 100 },
    ]);
    expect(await usage.totals('acme', {})).toMatchObject({ calls: 2, promptTokens: 11, completionTokens: 7, failovers: 1, errors: 0 });
    expect(await usage.list('acme', { limit: 1 })).toHaveLength(1);
    expect(await usage.count()).toBe(3);
  });

  it('reads back every column of a batched usage row as written, and the defaults of absent ones', async () => {
    const createdAt = new Date('2026-11-25T14:02:03.456Z');
    const full = {
      orgId: 'acme "quoted" ünïcode',
      requestId: 'req-1',
      slot: 'fallback',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      outcome: 'truncated',
      httpStatus: 200,
      failoverReason: 'rate_limited',
      stream: true,
      latencyMs: 1234,
      ttftMs: 56,
      promptTokens: 7,
      completionTokens: 8,
      reasoningTokens: 9,
      cachedTokens: 10,
      createdAt,
    };
    const sparse = { orgId: 'acme "quoted" ünïcode', requestId: 'req-2', outcome: 'rejected', httpStatus: 429, latencyMs: 0, createdAt };
    await usage.insertBatch([full, sparse]);
    const [second, first] = await usage.list(full.orgId, { limit: 10 });
    expect(first).toMatchObject(full);
    expect(first.createdAt.getTime()).toBe(createdAt.getTime());
    expect(second).toMatchObject({
      ...sparse,
      slot: null,
      provider: null,
      model: null,
      failoverReason: null,
      stream: false,
      ttftMs: null,
      promptTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
      cachedTokens: 0,
    });
  });
});
