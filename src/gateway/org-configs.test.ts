import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyVault } from '../keys/vault.js';
import type { SlotRepository, SlotRow } from '../store/slots.js';
import { OrgConfigCache } from './org-configs.js';

function row(orgId: string, model: string): SlotRow {
  return {
    orgId,
    slot: 'main',
    provider: 'openai',
    model,
    baseUrl: null,
    plan: null,
    status: 'active',
    credentialFingerprint: 'sha256:00000000',
  } as unknown as SlotRow;
}

/** A repository whose next answer the test releases (or fails) by hand. */
function manualRepository() {
  const calls: Array<{ resolve(rows: SlotRow[]): void; reject(err: Error): void }> = [];
  const repository = {
    listOrg: () => new Promise<SlotRow[]>((resolve, reject) => calls.push({ resolve, reject })),
  } as unknown as SlotRepository;
  return { repository, calls };
}

function cache(repository: SlotRepository): OrgConfigCache {
  const vault = KeyVault.fromSpec(`k1:${randomBytes(32).toString('base64')}`);
  return new OrgConfigCache({ slots: repository, vault, env: { main: null, fallback: null }, onStorageError: () => {} });
}

describe('org config cache', () => {
  it('serves the last value while storage is down, after an invalidation', async () => {
    const { repository, calls } = manualRepository();
    const configs = cache(repository);
    const first = configs.get('acme');
    calls[0].resolve([row('acme', 'gpt-a')]);
    expect((await first).main?.target).toBeNull(); // the fake row does not decrypt: status undecryptable
    expect(configs.peek('acme')).toBeDefined();

    configs.invalidate('acme');
    expect(configs.peek('acme')).toBeUndefined();
    const second = configs.get('acme');
    calls[1].reject(new Error('storage down'));
    expect((await second).main?.slot).toBe('main');
  });

  it('keeps a value whose load raced an invalidation, for when storage goes down next', async () => {
    const { repository, calls } = manualRepository();
    const configs = cache(repository);
    const first = configs.get('acme');
    configs.invalidate('acme'); // e.g. the NOTIFY of the write that preceded this first load
    calls[0].resolve([row('acme', 'gpt-a')]);
    await first;
    expect(configs.peek('acme')).toBeUndefined(); // stale: the next call reloads

    const second = configs.get('acme');
    calls[1].reject(new Error('storage down'));
    expect((await second).source).toBe('org');
  });

  it('does not let a raced load overwrite a newer fresh value', async () => {
    const { repository, calls } = manualRepository();
    const configs = cache(repository);
    const older = configs.get('acme');
    configs.invalidate('acme');
    const newer = configs.get('acme');
    calls[1].resolve([row('acme', 'gpt-new')]);
    await newer;
    calls[0].resolve([row('acme', 'gpt-old')]);
    await older;
    expect(configs.peek('acme')).toBeDefined();
  });
});
