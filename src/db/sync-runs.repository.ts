import { type Kysely, sql } from 'kysely';
import type { Database, SyncRunRow } from './database.js';

export async function latestRun(db: Kysely<Database>): Promise<SyncRunRow | null> {
  return (await db.selectFrom('sync_runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null;
}

/** The latest run that has ended, whatever its outcome. */
export async function latestFinishedRun(db: Kysely<Database>): Promise<SyncRunRow | null> {
  return (await db.selectFrom('sync_runs').selectAll().where('status', '<>', 'running').orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null;
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
/**
 * How the error of a run begins when its own process stopped it on the way out (the client quit,
 * Ctrl-C): the next run finishes the job, and nothing failed.
 */
export const STOPPED_WITH_ITS_PROCESS = 'interrupted: the process running it';

/** Failed runs since the last success; runs stopped with their process (see above) are not failures. */
export async function consecutiveFailures(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('sync_runs')
    .select(sql<string>`count(*)`.as('n'))
    .where('status', '=', 'failed')
    .where((eb) => eb.or([eb('error', 'is', null), eb('error', 'not like', `${STOPPED_WITH_ITS_PROCESS} %`)]))
    .where('id', '>', (eb) =>
      eb.selectFrom('sync_runs').select(sql<string>`coalesce(max(id), 0)`.as('m')).where('status', '=', 'succeeded'),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface RunCounters {
  contacts_fetched: number;
  contacts_created: number;
  contacts_updated: number;
  contacts_unchanged: number;
  contacts_deleted: number;
  api_requests: number;
  rate_limited: number;
  remote_total: number | null;
  api_budget_remaining: number | null;
}

/**
 * Claims the one running slot (a unique index allows a single `running` row per database).
 * Returns the new run id, or the run already in progress.
 */
export async function claimRun(
  db: Kysely<Database>,
  run: { trigger: SyncRunRow['trigger']; mode: SyncRunRow['mode']; holder: string },
): Promise<{ claimed: true; id: number } | { claimed: false; running: SyncRunRow | null }> {
  const row = await db
    .insertInto('sync_runs')
    .values({ trigger: run.trigger, mode: run.mode, status: 'running', holder: run.holder })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row) return { claimed: true, id: Number(row.id) };
  return { claimed: false, running: await runningRun(db) };
}

export async function runningRun(db: Kysely<Database>): Promise<SyncRunRow | null> {
  return (await db.selectFrom('sync_runs').selectAll().where('status', '=', 'running').executeTakeFirst()) ?? null;
}

/** True when run `id` is still running and has sent no heartbeat for `seconds` (the database's clock). */
export async function isRunSilent(db: Kysely<Database>, id: number, seconds: number): Promise<boolean> {
  const row = await db
    .selectFrom('sync_runs')
    .select('id')
    .where('id', '=', String(id))
    .where('status', '=', 'running')
    .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${seconds})`)
    .executeTakeFirst();
  return row !== undefined;
}

/** Fails running rows whose holder stopped sending heartbeats (it crashed or was killed). */
export async function abandonStaleRuns(db: Kysely<Database>, staleAfterSeconds: number, onlyId?: number): Promise<number> {
  let q = db
    .updateTable('sync_runs')
    .set({
      status: 'failed',
      finished_at: sql`heartbeat_at`,
      error: 'abandoned: the process running this sync stopped before finishing',
      errors: sql`errors || '["abandoned: the process running this sync stopped before finishing"]'::jsonb`,
    })
    .where('status', '=', 'running');
  q = onlyId === undefined ? q.where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleAfterSeconds})`) : q.where('id', '=', String(onlyId));
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Records a run's progress; false when its row no longer says running (another process ended it). */
export async function updateRunProgress(db: Kysely<Database>, id: number, c: RunCounters & { mode?: SyncRunRow['mode'] }): Promise<boolean> {
  const r = await db
    .updateTable('sync_runs')
    .set({ ...c, heartbeat_at: sql`now()` })
    .where('id', '=', String(id))
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function finishRun(
  db: Kysely<Database>,
  id: number,
  f: RunCounters & { status: 'succeeded' | 'failed'; mode: SyncRunRow['mode']; errors: string[]; error: string | null; high_water_mark: Date | null; local_total?: number | null },
): Promise<{ row: SyncRunRow; takenOver: boolean }> {
  // A run another process marked abandoned (its owner looked gone) keeps saying so.
  const row = await db
    .updateTable('sync_runs')
    .set({ ...f, errors: JSON.stringify(f.errors), finished_at: sql`now()`, heartbeat_at: sql`now()` })
    .where('id', '=', String(id))
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
  if (row) return { row, takenOver: false };
  return { row: await db.selectFrom('sync_runs').selectAll().where('id', '=', String(id)).executeTakeFirstOrThrow(), takenOver: true };
}
