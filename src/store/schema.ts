import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { SlotSettings } from '../providers/types.js';

export interface SecretHint {
  hint: string;
  fingerprint: string;
}

/** One organisation's Main or Fallback configuration with its encrypted credentials. */
export const byokSlots = pgTable(
  'byok_slots',
  {
    orgId: text('org_id').notNull(),
    slot: text('slot').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    baseUrl: text('base_url'),
    plan: text('plan'),
    settings: jsonb('settings').$type<SlotSettings>().notNull(),
    // The AES-256-GCM envelope of every credential field (JSON), bound to org and slot.
    keyKid: text('key_kid').notNull(),
    keyNonce: text('key_nonce').notNull(),
    keyCiphertext: text('key_ciphertext').notNull(),
    keyTag: text('key_tag').notNull(),
    keyHints: jsonb('key_hints').$type<Record<string, SecretHint>>().notNull(),
    /** Non-secret credential fields (region, deployment…), shown in clear in the status. */
    credentialParams: jsonb('credential_params').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    /** Fingerprint of the whole credential: permits belong to provider + base URL + this. */
    credentialFingerprint: text('credential_fingerprint').notNull(),
    keyUpdatedAt: timestamp('key_updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    status: text('status').$type<'active' | 'disabled'>().notNull().default('active'),
    disabledReason: text('disabled_reason'),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    consecutiveAuthFailures: integer('consecutive_auth_failures').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.slot] })],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: text('org_id').notNull(),
    slot: text('slot'),
    action: text('action').$type<AuditAction>().notNull(),
    actor: text('actor').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (table) => [index('audit_events_org_at').on(table.orgId, table.id)],
);

export type AuditAction = 'store' | 'rotate' | 'update' | 'soft_disable' | 'enable' | 'delete';

export const usageEvents = pgTable(
  'usage_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: text('org_id').notNull(),
    requestId: text('request_id').notNull(),
    slot: text('slot'),
    provider: text('provider'),
    model: text('model'),
    outcome: text('outcome').notNull(),
    httpStatus: integer('http_status').notNull(),
    failoverReason: text('failover_reason'),
    stream: boolean('stream').notNull().default(false),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('usage_events_org_created').on(table.orgId, table.createdAt)],
);

export const schema = { byokSlots, auditEvents, usageEvents };
