// Master-key rotation: re-encrypt every stored credential under the key ring's first
// (primary) key. Safe while gateways serve: each row is rewritten only if it has not
// changed since it was read, and instances holding both keys decrypt either form.
import { VaultError, type KeyVault } from './vault.js';
import type { SlotRepository } from '../store/slots.js';

export interface RotationReport {
  rotated: number;
  alreadyCurrent: number;
  failed: Array<{ orgId: string; slot: string; reason: string }>;
}

export async function rotateAll(slots: SlotRepository, vault: KeyVault): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, alreadyCurrent: 0, failed: [] };
  for (const row of await slots.listAll()) {
    if (row.keyKid === vault.primaryKid) {
      report.alreadyCurrent++;
      continue;
    }
    const context = { orgId: row.orgId, slot: row.slot };
    let plaintext: string;
    try {
      plaintext = vault.decrypt({ kid: row.keyKid, nonce: row.keyNonce, ciphertext: row.keyCiphertext, tag: row.keyTag }, context);
    } catch (err) {
      report.failed.push({ ...context, reason: err instanceof VaultError ? err.message : 'decryption failed' });
      continue;
    }
    const envelope = vault.encrypt(plaintext, context);
    const updated = await slots.update(
      row.orgId,
      row.slot as 'main' | 'fallback',
      { keyKid: envelope.kid, keyNonce: envelope.nonce, keyCiphertext: envelope.ciphertext, keyTag: envelope.tag },
      null,
      (current) => current.keyCiphertext === row.keyCiphertext,
    );
    if (updated) report.rotated++;
    else report.failed.push({ ...context, reason: 'changed or deleted during rotation: run again' });
  }
  return report;
}
