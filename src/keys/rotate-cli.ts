// `npm run keys:rotate`: re-encrypts every stored credential with the first key of
// BYOK_MASTER_KEYS. See README "Rotating the master key".
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { openStorage } from '../store/db.js';
import { SlotRepository } from '../store/slots.js';
import { rotateAll } from './rotate.js';
import { KeyVault } from './vault.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const embeddedKeyFile = join(config.dataDir, 'master.key');
  const spec = config.masterKeys ?? (!config.databaseUrl && existsSync(embeddedKeyFile) ? readFileSync(embeddedKeyFile, 'utf8').trim() : null);
  if (!spec) throw new Error('Set BYOK_MASTER_KEYS to "newkid:newkey,oldkid:oldkey": the first key encrypts, the others decrypt.');
  const vault = KeyVault.fromSpec(spec);
  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const report = await rotateAll(new SlotRepository(storage.db), vault);
    process.stdout.write(`Re-encrypted ${report.rotated} credential(s) with "${vault.primaryKid}"; ${report.alreadyCurrent} already current.\n`);
    for (const failure of report.failed) process.stdout.write(`  not rotated: ${failure.orgId}/${failure.slot}: ${failure.reason}\n`);
    if (report.failed.length === 0) {
      process.stdout.write(`Every credential now uses "${vault.primaryKid}": the other keys can be removed from BYOK_MASTER_KEYS.\n`);
    } else {
      process.exitCode = 2;
    }
  } finally {
    await storage.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`keys:rotate failed: ${(err as Error).message}\n`);
  process.exit(1);
});
