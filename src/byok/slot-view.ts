// What the admin API shows of a slot: never the key nor its ciphertext.
import { findProvider } from '../providers/registry.js';
import type { SlotSettings } from '../providers/types.js';
import type { SlotRow } from '../store/slots.js';
import type { EnvSlot } from './targets.js';

export type SlotStatus = 'active' | 'disabled' | 'undecryptable';

export interface SlotView {
  provider: string;
  model: string;
  baseUrl: string | null;
  plan: string | null;
  settings: SlotSettings;
  key: { hint: string; fingerprint: string; updatedAt: string | null };
  /** Providers with more than a key: a hint per secret field, non-secret fields in clear. */
  credentials: Record<string, { hint: string; fingerprint: string } | string> | null;
  status: SlotStatus;
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveAuthFailures: number;
  updatedAt: string | null;
}

export function slotView(row: SlotRow, decryptable: boolean): SlotView {
  const mainHint = row.keyHints.apiKey ?? Object.values(row.keyHints)[0] ?? { hint: '', fingerprint: row.credentialFingerprint };
  const credentials: SlotView['credentials'] = findProvider(row.provider)?.credentials.length
    ? { ...Object.fromEntries(Object.entries(row.keyHints).filter(([name]) => name !== 'apiKey')), ...row.credentialParams }
    : null;
  return {
    provider: row.provider,
    model: row.model,
    baseUrl: row.baseUrl,
    plan: row.plan,
    settings: row.settings,
    key: { hint: mainHint.hint, fingerprint: mainHint.fingerprint, updatedAt: row.keyUpdatedAt.toISOString() },
    credentials,
    status: decryptable ? row.status : 'undecryptable',
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt ? row.disabledAt.toISOString() : null,
    consecutiveAuthFailures: row.consecutiveAuthFailures,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function envSlotView(env: EnvSlot): SlotView {
  const { target } = env;
  return {
    provider: target.provider,
    model: target.model,
    baseUrl: target.baseUrl || null,
    plan: null,
    settings: target.settings,
    key: { hint: env.hint, fingerprint: env.fingerprint, updatedAt: null },
    credentials: null,
    status: 'active',
    disabledReason: null,
    disabledAt: null,
    consecutiveAuthFailures: 0,
    updatedAt: null,
  };
}
