// BYOK administration: store, replace, update, delete and re-enable slot configs,
// with their audit trail. Every write goes through SlotRepository in one transaction
// with its audit event, then tells the config caches of every instance.
import { ApiError } from '../errors.js';
import { keyFingerprint, keyHint } from '../keys/hints.js';
import { VaultError, type KeyVault } from '../keys/vault.js';
import type { ProviderInfo } from '../providers/registry.js';
import type { CallTarget, ProviderId } from '../providers/types.js';
import type { SecretHint } from '../store/schema.js';
import type { AuditRow, NewSlotRow, SlotName, SlotRepository, SlotRow } from '../store/slots.js';
import {
  assertModelId,
  defaultSettings,
  mergeSettings,
  requireProvider,
  resolveBaseUrl,
  validateCredentials,
  validatePlan,
  type SettingsInput,
  type SlotInput,
  type ValidatedCredentials,
} from './slot-input.js';
import { envSlotView, slotView, type SlotView } from './slot-view.js';
import { decryptCredentials, targetFromCredentials, targetFromRow, type EnvSlot } from './targets.js';

export interface ProbeResult {
  ok: boolean;
  status: string;
  message: string;
  httpStatus: number | null;
  latencyMs: number;
  models: string[] | null;
  modelFound: boolean | null;
}

export interface OrgStatus {
  orgId: string;
  source: 'org' | 'env' | 'none';
  main: SlotView | null;
  fallback: SlotView | null;
}

export interface ByokServiceDeps {
  slots: SlotRepository;
  vault: KeyVault;
  env: { main: EnvSlot | null; fallback: EnvSlot | null };
  /** Validates a base URL an admin sends (syntax, blocked addresses, DNS). */
  checkBaseUrl: (url: string) => Promise<{ ok: true; url: string } | { ok: false; reason: string }>;
  probe: (target: CallTarget) => Promise<ProbeResult>;
  /** Called after every committed change, to invalidate config caches everywhere. */
  onChange: (orgId: string) => void;
  now?: () => Date;
}

export interface PatchInput {
  model?: string;
  baseUrl?: string | null;
  plan?: string | null;
  settings?: SettingsInput;
}

function hintsFor(credentials: ValidatedCredentials): Record<string, SecretHint> {
  const hints: Record<string, SecretHint> = {};
  for (const name of credentials.secretFields) {
    const value = credentials.all[name];
    hints[name] = { hint: keyHint(value), fingerprint: keyFingerprint(value) };
  }
  return hints;
}

function mainFingerprint(credentials: ValidatedCredentials): string {
  const main = credentials.secretFields[0];
  return main ? keyFingerprint(credentials.all[main]) : 'sha256:none';
}

export class ByokService {
  readonly #deps: ByokServiceDeps;

  constructor(deps: ByokServiceDeps) {
    this.#deps = deps;
  }

  #now(): Date {
    return this.#deps.now ? this.#deps.now() : new Date();
  }

  #decryptable(row: SlotRow): boolean {
    try {
      decryptCredentials(row, this.#deps.vault);
      return true;
    } catch (err) {
      if (err instanceof VaultError) return false;
      throw err;
    }
  }

  async status(orgId: string): Promise<OrgStatus> {
    const rows = await this.#deps.slots.listOrg(orgId);
    if (rows.length > 0) {
      const main = rows.find((r) => r.slot === 'main');
      const fallback = rows.find((r) => r.slot === 'fallback');
      return {
        orgId,
        source: 'org',
        main: main ? slotView(main, this.#decryptable(main)) : null,
        fallback: fallback ? slotView(fallback, this.#decryptable(fallback)) : null,
      };
    }
    const { env } = this.#deps;
    if (env.main) {
      return { orgId, source: 'env', main: envSlotView(env.main), fallback: env.fallback ? envSlotView(env.fallback) : null };
    }
    return { orgId, source: 'none', main: null, fallback: null };
  }

  async #checkedBaseUrl(provider: ProviderInfo, plan: string | null, requested: string | null | undefined, params: Record<string, string>): Promise<string | null> {
    const resolved = resolveBaseUrl(provider, plan, requested, params);
    if (resolved === null || !requested) return resolved;
    const check = await this.#deps.checkBaseUrl(resolved);
    if (!check.ok) throw new ApiError(400, 'invalid_base_url', check.reason, { param: 'baseUrl' });
    return check.url;
  }

  async #assertSlotOrder(orgId: string, slot: SlotName, confirmOverride: boolean | undefined): Promise<void> {
    const existing = await this.#deps.slots.listOrg(orgId);
    if (slot === 'fallback' && !existing.some((r) => r.slot === 'main')) {
      throw new ApiError(409, 'main_required', 'Store the Main slot before the Fallback: PUT /byok/{orgId}/main first.');
    }
    if (existing.length === 0 && this.#deps.env.main && confirmOverride !== true) {
      throw new ApiError(
        409,
        'env_override_unconfirmed',
        'This org uses the env Fixed Mode configuration (BYOK_MAIN_*). Storing an org config overrides it for this org: resend with "confirmOverride": true.',
        { param: 'confirmOverride' },
      );
    }
  }

  /** PUT: store or replace. With `test`, the probe must pass before anything is written. */
  async put(orgId: string, slot: SlotName, input: SlotInput, actor: string, options: { test: boolean }): Promise<{ created: boolean; view: SlotView }> {
    const provider = requireProvider(input.provider);
    assertModelId(input.model);
    const plan = validatePlan(provider, input.plan);
    const credentials = validateCredentials(provider, input.apiKey, input.credentials);
    const baseUrl = await this.#checkedBaseUrl(provider, plan, input.baseUrl, credentials.params);
    const settings = mergeSettings(defaultSettings(provider, input.model, plan), input.settings, provider);
    await this.#assertSlotOrder(orgId, slot, input.confirmOverride);

    if (options.test) {
      const target = targetFromCredentials(provider.id, input.model, baseUrl, plan, settings, credentials.all);
      const result = await this.#deps.probe(target);
      if (!result.ok) {
        throw new ApiError(422, 'key_test_failed', `The key test failed (${result.status}): ${result.message} Nothing was stored.`, {
          extra: { probe: result },
        });
      }
    }

    const now = this.#now();
    const envelope = this.#deps.vault.encrypt(JSON.stringify(credentials.all), { orgId, slot });
    const fingerprint = mainFingerprint(credentials);
    const row: NewSlotRow = {
      orgId,
      slot,
      provider: provider.id,
      model: input.model,
      baseUrl,
      plan,
      settings,
      keyKid: envelope.kid,
      keyNonce: envelope.nonce,
      keyCiphertext: envelope.ciphertext,
      keyTag: envelope.tag,
      keyHints: hintsFor(credentials),
      credentialParams: credentials.params,
      credentialFingerprint: fingerprint,
      keyUpdatedAt: now,
      status: 'active',
      disabledReason: null,
      disabledAt: null,
      consecutiveAuthFailures: 0,
      updatedAt: now,
    };
    const { created } = await this.#deps.slots.upsert(row, (previous) => {
      const detail = { provider: provider.id, model: input.model, fingerprint, tested: options.test };
      if (!previous) return { action: 'store', actor, detail };
      const keyChanged = previous.credentialFingerprint !== fingerprint;
      return { action: keyChanged ? 'rotate' : 'update', actor, detail: { ...detail, previousFingerprint: previous.credentialFingerprint } };
    });
    this.#deps.onChange(orgId);
    const stored = await this.#deps.slots.get(orgId, slot);
    return { created, view: slotView(stored!, true) };
  }

  async patch(orgId: string, slot: SlotName, input: PatchInput, actor: string): Promise<SlotView> {
    const current = await this.#deps.slots.get(orgId, slot);
    if (!current) throw this.#notConfigured(orgId, slot);
    const provider = requireProvider(current.provider);
    const planChanged = input.plan !== undefined;
    const plan = planChanged ? validatePlan(provider, input.plan) : current.plan;
    const model = assertModelId(input.model ?? current.model);
    let baseUrl = current.baseUrl;
    if (input.baseUrl !== undefined || planChanged) {
      baseUrl = await this.#checkedBaseUrl(provider, plan, input.baseUrl ?? undefined, current.credentialParams);
    }
    let settings = current.settings;
    if (planChanged && input.settings?.maxConcurrentRequests === undefined) {
      settings = { ...settings, maxConcurrentRequests: defaultSettings(provider, model, plan).maxConcurrentRequests };
    }
    settings = mergeSettings(settings, input.settings, provider);
    const fields = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    const updated = await this.#deps.slots.update(
      orgId,
      slot,
      { model, plan, baseUrl, settings, updatedAt: this.#now() },
      { action: 'update', actor, detail: { fields } },
    );
    if (!updated) throw this.#notConfigured(orgId, slot);
    this.#deps.onChange(orgId);
    return slotView(updated, this.#decryptable(updated));
  }

  async delete(orgId: string, slot: SlotName, actor: string): Promise<void> {
    if (slot === 'main') {
      const fallback = await this.#deps.slots.get(orgId, 'fallback');
      if (fallback) {
        throw new ApiError(409, 'fallback_requires_main', 'Delete the Fallback slot first, or replace the Main with PUT: a Fallback cannot stand without a Main.');
      }
    }
    const deleted = await this.#deps.slots.delete(orgId, slot, { action: 'delete', actor, detail: {} });
    if (!deleted) throw this.#notConfigured(orgId, slot);
    this.#deps.onChange(orgId);
  }

  async enable(orgId: string, slot: SlotName, actor: string): Promise<SlotView> {
    const updated = await this.#deps.slots.update(
      orgId,
      slot,
      { status: 'active', disabledReason: null, disabledAt: null, consecutiveAuthFailures: 0, updatedAt: this.#now() },
      { action: 'enable', actor, detail: {} },
    );
    if (!updated) throw this.#notConfigured(orgId, slot);
    this.#deps.onChange(orgId);
    return slotView(updated, this.#decryptable(updated));
  }

  /**
   * Soft-disable after repeated 401/403. Only an active key whose fingerprint is still
   * the one that failed is disabled, so a key replaced meanwhile is left alone.
   */
  async softDisable(orgId: string, slot: SlotName, fingerprint: string, detail: { httpStatus: number | null; failures: number; reason: string }): Promise<boolean> {
    const updated = await this.#deps.slots.update(
      orgId,
      slot,
      { status: 'disabled', disabledReason: detail.reason, disabledAt: this.#now(), consecutiveAuthFailures: detail.failures },
      { action: 'soft_disable', actor: 'gateway', detail: { httpStatus: detail.httpStatus, failures: detail.failures, fingerprint } },
      (current) => current.status === 'active' && current.credentialFingerprint === fingerprint,
    );
    if (updated) this.#deps.onChange(orgId);
    return updated !== null;
  }

  async recordAuthFailures(orgId: string, slot: SlotName, fingerprint: string, failures: number): Promise<void> {
    await this.#deps.slots.update(orgId, slot, { consecutiveAuthFailures: failures }, null, (current) => current.credentialFingerprint === fingerprint);
  }

  async audit(orgId: string, options: { limit: number; before?: number }): Promise<AuditRow[]> {
    return this.#deps.slots.audit(orgId, options);
  }

  /** The CallTarget of a stored slot, for probing it. */
  async storedTarget(orgId: string, slot: SlotName): Promise<CallTarget> {
    const row = await this.#deps.slots.get(orgId, slot);
    if (!row) {
      const env = this.#deps.env[slot];
      if (env && (await this.#deps.slots.listOrg(orgId)).length === 0) return env.target;
      throw this.#notConfigured(orgId, slot);
    }
    try {
      return targetFromRow(row, this.#deps.vault);
    } catch (err) {
      if (err instanceof VaultError) {
        throw new ApiError(409, 'key_undecryptable', `The stored ${slot} key of org ${orgId} cannot be decrypted (${err.message}). Store it again with PUT.`);
      }
      throw err;
    }
  }

  #notConfigured(orgId: string, slot: SlotName): ApiError {
    return new ApiError(404, 'slot_not_configured', `Org ${orgId} has no ${slot} slot configured.`);
  }
}

export type { ProviderId };
