import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { effectiveImportance } from './importance.js';

export async function countContacts(db: Kysely<Database>): Promise<{ total: number; deleted: number }> {
  const row = await db
    .selectFrom('contacts')
    .select([
      sql<string>`count(*) FILTER (WHERE deleted_at IS NULL)`.as('total'),
      sql<string>`count(*) FILTER (WHERE deleted_at IS NOT NULL)`.as('deleted'),
    ])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), deleted: Number(row.deleted) };
}

/** How many live contacts sit at each effective importance (1–10). */
export async function importanceDistribution(db: Kysely<Database>, now: Date): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('contacts as c')
    .leftJoin('contact_context as ctx', 'ctx.contact_id', 'c.id')
    .where('c.deleted_at', 'is', null)
    .select([effectiveImportance(now).as('importance'), sql<string>`count(*)`.as('n')])
    .groupBy(sql`1`)
    .execute();
  return new Map(rows.map((r) => [Number(r.importance), Number(r.n)]));
}

/** Ids of every contact not marked deleted; used to find what a complete full pass did not see. */
export async function activeContactIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('contacts').select('id').where('deleted_at', 'is', null).execute();
  return rows.map((r) => r.id);
}

/** The records stored for these contacts, by id. */
export async function storedRecords(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('contacts').select(['id', 'data']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.data as Record<string, unknown>]));
}

/** Soft-deletes contacts GHL confirmed gone, with a history row each. */
export async function markContactsDeleted(db: Kysely<Database>, ids: readonly string[], runId: number): Promise<number> {
  if (ids.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('contacts')
      .set({ deleted_at: sql`now()`, updated_at: sql`now()` })
      // Arrays, not `IN` lists: a full pass may confirm more deletions than a statement can bind parameters.
      .where('id', '=', sql<string>`any(${ids}::text[])`)
      .where('deleted_at', 'is', null)
      .returning('id')
      .execute();
    if (rows.length) {
      // Deleted contacts leave the search index; a restore writes them back.
      const deleted = rows.map((r) => r.id);
      await trx.deleteFrom('contact_search').where('contact_id', '=', sql<string>`any(${deleted}::text[])`).execute();
      await trx.deleteFrom('contact_facts').where('contact_id', '=', sql<string>`any(${deleted}::text[])`).execute();
      await trx
        .insertInto('interaction_history')
        .values(rows.map((r) => ({ contact_id: r.id, kind: 'deleted' as const, summary: 'Deleted in GoHighLevel', run_id: runId })))
        .execute();
    }
    return rows.length;
  });
}

export async function isBrainEmpty(db: Kysely<Database>): Promise<boolean> {
  return !(await db.selectFrom('contacts').select('id').limit(1).executeTakeFirst());
}
