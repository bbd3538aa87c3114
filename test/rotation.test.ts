// Master-key rotation: every row re-encrypted under the new key, after which the old
// key can be removed; the documented command does it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { rotateAll } from '../src/keys/rotate.js';
import { generateMasterKey, KeyVault } from '../src/keys/vault.js';
import { openPostgres } from '../src/store/db.js';
import { SlotRepository } from '../src/store/slots.js';
import { ADMIN_TOKEN, SERVICE_TOKEN } from './helpers/gateway.js';
import { createTestDatabase } from './helpers/services.js';

const run = promisify(execFile);
const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const config = loadConfig({ GATEWAY_ADMIN_TOKENS: ADMIN_TOKEN, GATEWAY_SERVICE_TOKENS: SERVICE_TOKEN, LOG_LEVEL: 'silent' });

async function appWith(url: string, ring: string) {
  return buildApp({ config, storage: await openPostgres(url, { max: 2 }), vault: KeyVault.fromSpec(ring), redis: null, logger: false });
}

async function kids(url: string): Promise<string[]> {
  const storage = await openPostgres(url, { max: 1 });
  try {
    const rows = (await storage.db.execute(sql`select key_kid from byok_slots order by org_id, slot`)) as unknown as Array<{ key_kid: string }>;
    return [...rows].map((r) => r.key_kid);
  } finally {
    await storage.close();
  }
}

describe('master-key rotation', () => {
  it('re-encrypts every row under the first key so the old key can be removed', async () => {
    const database = await createTestDatabase();
    const oldKey = generateMasterKey('old');
    const newKey = generateMasterKey('new');
    try {
      const before = await appWith(database.url, oldKey);
      for (const org of ['a', 'b', 'c']) {
        const res = await before.inject({ method: 'PUT', url: `/byok/${org}/main`, headers, payload: { provider: 'openai', model: 'gpt-5.4', apiKey: `sk-${org}-rotate-000001` } });
        expect(res.statusCode).toBe(201);
      }
      await before.close();
      expect(await kids(database.url)).toEqual(['old', 'old', 'old']);

      const storage = await openPostgres(database.url, { max: 1 });
      const report = await rotateAll(new SlotRepository(storage.db), KeyVault.fromSpec(`${newKey},${oldKey}`));
      await storage.close();
      expect(report).toEqual({ rotated: 3, alreadyCurrent: 0, failed: [] });
      expect(await kids(database.url)).toEqual(['new', 'new', 'new']);

      const after = await appWith(database.url, newKey);
      const status = (await after.inject({ method: 'GET', url: '/byok/b', headers })).json();
      expect(status.main.status).toBe('active');
      expect(status.main.key.hint).toMatch(/0001$/);
      await after.close();
    } finally {
      await database.drop();
    }
  });

  it('works through the documented command, npm run keys:rotate', async () => {
    const database = await createTestDatabase();
    const oldKey = generateMasterKey('old');
    const newKey = generateMasterKey('new');
    try {
      const before = await appWith(database.url, oldKey);
      await before.inject({ method: 'PUT', url: '/byok/cli/main', headers, payload: { provider: 'openai', model: 'gpt-5.4', apiKey: 'sk-cli-rotate-000001' } });
      await before.close();
      const { stdout } = await run('npx', ['tsx', 'src/keys/rotate-cli.ts'], {
        env: { ...process.env, DATABASE_URL: database.url, BYOK_MASTER_KEYS: `${newKey},${oldKey}` },
      });
      expect(stdout).toContain('Re-encrypted 1 credential(s) with "new"');
      expect(stdout).toContain('can be removed');
      expect(stdout).not.toContain('sk-cli-rotate');
      expect(await kids(database.url)).toEqual(['new']);
    } finally {
      await database.drop();
    }
  });
});
