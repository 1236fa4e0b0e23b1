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
