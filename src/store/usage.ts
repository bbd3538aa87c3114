import { and, desc, eq, getTableColumns, getTableName, gte, sql } from 'drizzle-orm';
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

// The batch insert's SQL, derived from the table so a new column cannot be forgotten.
// Each row travels as a JSON array in column order (a third of the bytes of an object
// with its keys), timestamps as epoch milliseconds (Date#toJSON was half the cost of
// serialising a row); absent values take the column's default (stream false, token counts 0).
// jsonb, not json: `->>` on a json value rescans its text for every column, which made
// PostgreSQL spend 11 µs per row instead of 4.5 (bench/optimisations.md).
const INSERTED_COLUMNS = Object.entries(getTableColumns(usageEvents)).filter(([, column]) => column.name !== 'id');
const INSERTED_KEYS = INSERTED_COLUMNS.map(([key]) => key as keyof NewUsageRow);
const COLUMN_NAMES = INSERTED_COLUMNS.map(([, column]) => column.name).join(', ');
const SELECTED = INSERTED_COLUMNS.map(([, column], i) => {
  const type = column.getSQLType();
  const value = type.startsWith('timestamp') ? `to_timestamp((e->>${i})::float8 / 1000)` : `(e->>${i})::${type}`;
  return typeof column.default === 'number' || typeof column.default === 'boolean' ? `coalesce(${value}, ${column.default})` : value;
}).join(', ');
const INSERT_FROM_JSON = sql.raw(`insert into ${getTableName(usageEvents)} (${COLUMN_NAMES}) select ${SELECTED} from jsonb_array_elements(`);
const INSERT_FROM_JSON_END = sql.raw(`::jsonb) as e`);

function rowTuple(row: NewUsageRow): unknown[] {
  const tuple = new Array<unknown>(INSERTED_KEYS.length);
  for (let i = 0; i < INSERTED_KEYS.length; i++) {
    const value = row[INSERTED_KEYS[i]];
    tuple[i] = value instanceof Date ? value.getTime() : (value ?? null);
  }
  return tuple;
}

export class UsageRepository {
  constructor(private readonly db: Database) {}

  /**
   * One statement per batch with one parameter, the rows as JSON: drizzle's
   * `insert().values(rows)` builds a placeholder per value and was a tenth of the
   * gateway's CPU under load (bench/optimisations.md); this costs one JSON.stringify.
   */
  async insertBatch(rows: NewUsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.execute(sql`${INSERT_FROM_JSON}${JSON.stringify(rows.map(rowTuple))}${INSERT_FROM_JSON_END}`);
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
