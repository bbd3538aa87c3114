// The org → slots resolution on the hot path: configs and decrypted credentials
// cached in memory, invalidated on change (locally and, through the invalidation bus,
// on every instance). A stale entry keeps serving when storage is unreachable.
import { createHash } from 'node:crypto';
import { targetFromRow, type EnvSlot } from '../byok/targets.js';
import type { KeyVault } from '../keys/vault.js';
import type { CallTarget } from '../providers/types.js';
import type { SlotName, SlotRepository, SlotRow } from '../store/slots.js';

export type ResolvedSlotStatus = 'active' | 'disabled' | 'undecryptable';

export interface ResolvedSlot {
  orgId: string;
  slot: SlotName;
  source: 'org' | 'env';
  /** Null when the stored credentials do not decrypt. */
  target: CallTarget | null;
  status: ResolvedSlotStatus;
  /** Permits belong to the credential: provider, base URL and key fingerprint. */
  permitKey: string;
  /** Identity of the key for auth-failure counting. */
  fingerprint: string;
  /** The auth-failure counter's key: org, slot and key fingerprint (built once, not per call). */
  failureKey: string;
}

export interface ResolvedOrg {
  source: 'org' | 'env' | 'none';
  main: ResolvedSlot | null;
  fallback: ResolvedSlot | null;
}

interface Entry {
  value: ResolvedOrg;
  stale: boolean;
}

export function permitKeyFor(provider: string, baseUrl: string, fingerprint: string): string {
  return createHash('sha256').update(`${provider}|${baseUrl}|${fingerprint}`).digest('hex').slice(0, 16);
}

export interface OrgConfigCacheOptions {
  slots: SlotRepository;
  vault: KeyVault;
  env: { main: EnvSlot | null; fallback: EnvSlot | null };
  maxEntries?: number;
  onStorageError?: (err: unknown) => void;
}

export class OrgConfigCache {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<ResolvedOrg>>();
  readonly #options: OrgConfigCacheOptions;
  readonly #maxEntries: number;
  readonly #envOrg: ResolvedOrg;

  constructor(options: OrgConfigCacheOptions) {
    this.#options = options;
    this.#maxEntries = options.maxEntries ?? 50_000;
    const { env } = options;
    this.#envOrg = env.main
      ? { source: 'env', main: this.#fromEnv('', env.main), fallback: env.fallback ? this.#fromEnv('', env.fallback) : null }
      : { source: 'none', main: null, fallback: null };
  }

  #fromEnv(orgId: string, env: EnvSlot): ResolvedSlot {
    return {
      orgId,
      slot: env.slot,
      source: 'env',
      target: env.target,
      status: 'active',
      permitKey: permitKeyFor(env.target.provider, env.target.baseUrl, env.fingerprint),
      fingerprint: env.fingerprint,
      failureKey: `${orgId}:${env.slot}:${env.fingerprint}`,
    };
  }

  /** The env Fixed Mode's slot as it serves one org. */
  #forOrg(slot: ResolvedSlot, orgId: string): ResolvedSlot {
    return { ...slot, orgId, failureKey: `${orgId}:${slot.slot}:${slot.fingerprint}` };
  }

  #fromRow(row: SlotRow): ResolvedSlot {
    let target: CallTarget | null = null;
    try {
      target = targetFromRow(row, this.#options.vault);
    } catch {
      target = null;
    }
    return {
      orgId: row.orgId,
      slot: row.slot as SlotName,
      source: 'org',
      target,
      status: target === null ? 'undecryptable' : row.status,
      permitKey: permitKeyFor(row.provider, row.baseUrl ?? '', row.credentialFingerprint),
      fingerprint: row.credentialFingerprint,
      failureKey: `${row.orgId}:${row.slot}:${row.credentialFingerprint}`,
    };
  }

  async #load(orgId: string): Promise<ResolvedOrg> {
    const rows = await this.#options.slots.listOrg(orgId);
    if (rows.length === 0) {
      if (this.#envOrg.source === 'none') return this.#envOrg;
      return {
        source: 'env',
        main: this.#envOrg.main && this.#forOrg(this.#envOrg.main, orgId),
        fallback: this.#envOrg.fallback && this.#forOrg(this.#envOrg.fallback, orgId),
      };
    }
    const main = rows.find((r) => r.slot === 'main');
    const fallback = rows.find((r) => r.slot === 'fallback');
    return { source: 'org', main: main ? this.#fromRow(main) : null, fallback: fallback ? this.#fromRow(fallback) : null };
  }

  /** The cached value when fresh: no promise, no allocation on the hot path. */
  peek(orgId: string): ResolvedOrg | undefined {
    const entry = this.#entries.get(orgId);
    return entry && !entry.stale ? entry.value : undefined;
  }

  get(orgId: string): ResolvedOrg | Promise<ResolvedOrg> {
    const fresh = this.peek(orgId);
    if (fresh) return fresh;
    return this.#refresh(orgId);
  }

  #refresh(orgId: string): Promise<ResolvedOrg> {
    const pending = this.#loading.get(orgId);
    if (pending) return pending;
    const load = this.#load(orgId)
      .then((value) => {
        if (this.#loading.get(orgId) === load) this.#store(orgId, value, false);
        // An invalidation raced this load: the value is kept but stale (it serves only while
        // storage is down), unless a newer load has already stored a fresh one.
        else if (!this.peek(orgId)) this.#store(orgId, value, true);
        return value;
      })
      .catch((err) => {
        const stale = this.#entries.get(orgId);
        this.#options.onStorageError?.(err);
        if (stale) return stale.value;
        throw err;
      })
      .finally(() => {
        if (this.#loading.get(orgId) === load) this.#loading.delete(orgId);
      });
    this.#loading.set(orgId, load);
    return load;
  }

  #store(orgId: string, value: ResolvedOrg, stale: boolean): void {
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(orgId)) {
      // Map iteration order is insertion order: drop the oldest.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(orgId, { value, stale });
  }

  /** Marks an org stale: the next call reloads it; the old value serves only if storage is down. */
  invalidate(orgId: string): void {
    const entry = this.#entries.get(orgId);
    if (entry) entry.stale = true;
    this.#loading.delete(orgId);
  }

  invalidateAll(): void {
    for (const entry of this.#entries.values()) entry.stale = true;
    this.#loading.clear();
  }

  size(): number {
    return this.#entries.size;
  }
}
