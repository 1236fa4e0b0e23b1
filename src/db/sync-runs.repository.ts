import { type Kysely, sql } from 'kysely';
import type { Database, SyncRunRow } from './database.js';

export async function latestRun(db: Kysely<Database>): Promise<SyncRunRow | null> {
  return (await db.selectFrom('sync_runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null;
}

export async function findRun(db: Kysely<Database>, id: number): Promise<SyncRunRow | null> {
  return (await db.selectFrom('sync_runs').selectAll().where('id', '=', String(id)).executeTakeFirst()) ?? null;
}

export async function lastSuccessfulRun(db: Kysely<Database>, mode?: 'full'): Promise<SyncRunRow | null> {
  let q = db.selectFrom('sync_runs').selectAll().where('status', '=', 'succeeded');
  if (mode) q = q.where('mode', '=', mode);
  return (await q.orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null;
}

/** Failed runs since the last success (or since the beginning). */
export async function consecutiveFailures(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('sync_runs')
    .select(sql<string>`count(*)`.as('n'))
    .where('status', '=', 'failed')
    .where('id', '>', (eb) =>
      eb.selectFrom('sync_runs').select(sql<string>`coalesce(max(id), 0)`.as('m')).where('status', '=', 'succeeded'),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
