// Stored rows and env Fixed Mode → the CallTarget an adapter needs, with the
// credentials decrypted into Secret values (never plain strings past this point).
import type { FixedSlotConfig } from '../config.js';
import { keyFingerprint, keyHint } from '../keys/hints.js';
import { Secret } from '../keys/secret.js';
import type { KeyVault } from '../keys/vault.js';
import { findProvider, getProvider, normaliseBaseUrl } from '../providers/registry.js';
import type { CallTarget, ProviderId } from '../providers/types.js';
import type { SlotName, SlotRow } from '../store/slots.js';
import { defaultSettings, resolveBaseUrl } from './slot-input.js';

export function envelopeOf(row: SlotRow) {
  return { kid: row.keyKid, nonce: row.keyNonce, ciphertext: row.keyCiphertext, tag: row.keyTag };
}

export function decryptCredentials(row: SlotRow, vault: KeyVault): Record<string, string> {
  return JSON.parse(vault.decrypt(envelopeOf(row), { orgId: row.orgId, slot: row.slot })) as Record<string, string>;
}

export function targetFromCredentials(
  providerId: ProviderId,
  model: string,
  baseUrl: string | null,
  plan: string | null,
  settings: CallTarget['settings'],
  credentials: Record<string, string>,
): CallTarget {
  const provider = getProvider(providerId);
  const secrets: Record<string, Secret> = {};
  const params: Record<string, string> = {};
  for (const field of provider.credentials) {
    const value = credentials[field.name];
    if (value === undefined) continue;
    if (field.secret) secrets[field.name] = new Secret(value);
    else params[field.name] = value;
  }
  return {
    provider: providerId,
    model,
    baseUrl: baseUrl ? normaliseBaseUrl(baseUrl) : '',
    plan,
    apiKey: credentials.apiKey ? new Secret(credentials.apiKey) : null,
    secrets,
    params,
    settings,
  };
}

export function targetFromRow(row: SlotRow, vault: KeyVault): CallTarget {
  return targetFromCredentials(row.provider as ProviderId, row.model, row.baseUrl, row.plan, row.settings, decryptCredentials(row, vault));
}

export interface EnvSlot {
  slot: SlotName;
  target: CallTarget;
  hint: string;
  fingerprint: string;
}

/** Env Fixed Mode: validated once at start-up; an unknown provider is a start-up error. */
export function envSlot(slot: SlotName, fixed: FixedSlotConfig): EnvSlot {
  const provider = findProvider(fixed.provider);
  if (!provider) throw new Error(`BYOK_${slot.toUpperCase()}_PROVIDER: unknown provider "${fixed.provider}"`);
  const baseUrl = resolveBaseUrl(provider, null, fixed.baseUrl, {});
  const settings = defaultSettings(provider, fixed.model, null);
  const target = targetFromCredentials(provider.id, fixed.model, baseUrl, null, settings, fixed.apiKey ? { apiKey: fixed.apiKey } : {});
  return { slot, target, hint: fixed.apiKey ? keyHint(fixed.apiKey) : '', fingerprint: fixed.apiKey ? keyFingerprint(fixed.apiKey) : 'sha256:none' };
}
