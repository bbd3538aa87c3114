import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Database } from './db.js';
import { usageEvents } from './schema.js';

export type UsageRow = typeof usageEvents.$inferSelect;
export type NewUsageRow = typeof usageEvents.$inferInsert;

export interface UsageTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  failovers: number;
  errors: number;
}

export class UsageRepository {
  constructor(private readonly db: Database) {}

  async insertBatch(rows: NewUsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insert(usageEvents).values(rows);
  }

  async list(orgId: string, options: { since?: Date; limit: number }): Promise<UsageRow[]> {
    const where = options.since ? and(eq(usageEvents.orgId, orgId), gte(usageEvents.createdAt, options.since)) : eq(usageEvents.orgId, orgId);
    return this.db.select().from(usageEvents).where(where).orderBy(desc(usageEvents.id)).limit(options.limit);
  }

  async totals(orgId: string, options: { since?: Date }): Promise<UsageTotals> {
    const where = options.since ? and(eq(usageEvents.orgId, orgId), gte(usageEvents.createdAt, options.since)) : eq(usageEvents.orgId, orgId);
    const rows = await this.db
      .select({
        calls: sql<number>`count(*)::int`,
        promptTokens: sql<number>`coalesce(sum(${usageEvents.promptTokens}), 0)::bigint`,
        completionTokens: sql<number>`coalesce(sum(${usageEvents.completionTokens}), 0)::bigint`,
        reasoningTokens: sql<number>`coalesce(sum(${usageEvents.reasoningTokens}), 0)::bigint`,
        cachedTokens: sql<number>`coalesce(sum(${usageEvents.cachedTokens}), 0)::bigint`,
        failovers: sql<number>`count(*) filter (where ${usageEvents.failoverReason} is not null)::int`,
        errors: sql<number>`count(*) filter (where ${usageEvents.outcome} <> 'success')::int`,
      })
      .from(usageEvents)
      .where(where);
    const row = rows[0];
    return {
      calls: Number(row?.calls ?? 0),
      promptTokens: Number(row?.promptTokens ?? 0),
      completionTokens: Number(row?.completionTokens ?? 0),
      reasoningTokens: Number(row?.reasoningTokens ?? 0),
      cachedTokens: Number(row?.cachedTokens ?? 0),
      failovers: Number(row?.failovers ?? 0),
      errors: Number(row?.errors ?? 0),
    };
  }

  async count(): Promise<number> {
    const rows = await this.db.select({ n: sql<number>`count(*)::int` }).from(usageEvents);
    return Number(rows[0]?.n ?? 0);
  }
}
