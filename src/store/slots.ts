import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from './db.js';
import { auditEvents, byokSlots, type AuditAction } from './schema.js';

export type SlotName = 'main' | 'fallback';
export type SlotRow = typeof byokSlots.$inferSelect;
export type NewSlotRow = typeof byokSlots.$inferInsert;
export type AuditRow = typeof auditEvents.$inferSelect;

export interface AuditEntry {
  action: AuditAction;
  actor: string;
  detail?: Record<string, unknown>;
}

/**
 * Slot configurations and their audit trail. Every change and its audit event are
 * written in one transaction: a change is never half-applied.
 */
export class SlotRepository {
  constructor(private readonly db: Database) {}

  async get(orgId: string, slot: SlotName): Promise<SlotRow | null> {
    const rows = await this.db
      .select()
      .from(byokSlots)
      .where(and(eq(byokSlots.orgId, orgId), eq(byokSlots.slot, slot)))
      .limit(1);
    return rows[0] ?? null;
  }

  async listOrg(orgId: string): Promise<SlotRow[]> {
    return this.db.select().from(byokSlots).where(eq(byokSlots.orgId, orgId));
  }

  async listAll(): Promise<SlotRow[]> {
    return this.db.select().from(byokSlots);
  }

  /** Insert or replace; reports whether the row is new and returns the previous row. */
  async upsert(row: NewSlotRow, audit: (previous: SlotRow | null) => AuditEntry): Promise<{ created: boolean; previous: SlotRow | null }> {
    return this.db.transaction(async (tx) => {
      const existing = await tx
        .select()
        .from(byokSlots)
        .where(and(eq(byokSlots.orgId, row.orgId), eq(byokSlots.slot, row.slot)))
        .for('update');
      const previous = existing[0] ?? null;
      if (previous) {
        await tx
          .update(byokSlots)
          .set({ ...row, createdAt: previous.createdAt })
          .where(and(eq(byokSlots.orgId, row.orgId), eq(byokSlots.slot, row.slot)));
      } else {
        await tx.insert(byokSlots).values(row);
      }
      const entry = audit(previous);
      await tx.insert(auditEvents).values({ orgId: row.orgId, slot: row.slot, ...entry, detail: entry.detail ?? {} });
      return { created: previous === null, previous };
    });
  }

  /** Applies `changes` to an existing row; null when there is no row. */
  async update(
    orgId: string,
    slot: SlotName,
    changes: Partial<NewSlotRow>,
    audit: AuditEntry | null,
    condition?: (current: SlotRow) => boolean,
  ): Promise<SlotRow | null> {
    return this.db.transaction(async (tx) => {
      const current = (
        await tx
          .select()
          .from(byokSlots)
          .where(and(eq(byokSlots.orgId, orgId), eq(byokSlots.slot, slot)))
          .for('update')
      )[0];
      if (!current || (condition && !condition(current))) return null;
      const updated = await tx
        .update(byokSlots)
        .set(changes)
        .where(and(eq(byokSlots.orgId, orgId), eq(byokSlots.slot, slot)))
        .returning();
      if (audit) await tx.insert(auditEvents).values({ orgId, slot, ...audit, detail: audit.detail ?? {} });
      return updated[0] ?? null;
    });
  }

  async delete(orgId: string, slot: SlotName, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx
        .delete(byokSlots)
        .where(and(eq(byokSlots.orgId, orgId), eq(byokSlots.slot, slot)))
        .returning({ orgId: byokSlots.orgId });
      if (deleted.length === 0) return false;
      await tx.insert(auditEvents).values({ orgId, slot, ...audit, detail: audit.detail ?? {} });
      return true;
    });
  }

  async audit(orgId: string, options: { limit: number; before?: number }): Promise<AuditRow[]> {
    const where = options.before ? and(eq(auditEvents.orgId, orgId), lt(auditEvents.id, options.before)) : eq(auditEvents.orgId, orgId);
    return this.db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(options.limit);
  }

  async countSlots(): Promise<number> {
    const rows = await this.db.select({ n: sql<number>`count(*)::int` }).from(byokSlots);
    return rows[0]?.n ?? 0;
  }
}
