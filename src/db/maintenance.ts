import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './database.js';
import { stamp, stampedAt } from './sync-state.repository.js';

/**
 * Sizes of the trigram index's pending list, where new search documents wait until they are
 * merged into the index in one sorted batch. Every trigram search scans the whole list, so
 * sessions keep it small; a sync writing a large account lets it grow for its own transactions
 * and flushes it when the pass is done (writing 40,000 contacts on PostgreSQL: ~45 µs of database
 * CPU a contact less, flush included, of ~325).
 */
export const PENDING_LIST_KB = { small: 256, bulk: 16_384 };

/** Lets this transaction's search documents gather in a big pending list (see PENDING_LIST_KB). */
export async function useBulkPendingList(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT set_config('gin_pending_list_limit', ${`${PENDING_LIST_KB.bulk}kB`}, true)`.execute(trx);
}

/**
 * Merges the trigram index's pending list into the index, so searches stop scanning it. A first
 * import that stopped before building its indexes has no such index yet: nothing to merge.
 */
export async function flushSearchIndex(db: Kysely<Database>): Promise<void> {
  await sql`SELECT gin_clean_pending_list(i) FROM (SELECT to_regclass('contact_search_doc_trgm') AS i) AS index WHERE i IS NOT NULL`.execute(db);
}

/** Every table of the brain: what syncs, tools and the audit rewrite or append to. */
const BRAIN_TABLES = ['contacts', 'contact_context', 'contact_search', 'contact_facts', 'search_terms', 'opportunities', 'pipelines', 'sync_runs', 'sync_state', 'interaction_history', 'tool_executions'];
const VACUUMED_AT = 'vacuumed_at';

/**
 * PGlite runs no autovacuum: reclaim dead rows (so later writes reuse their space instead of growing
 * the files) and refresh planner statistics, on every table of the brain.
 */
export async function vacuumAfterSync(db: Kysely<Database>): Promise<void> {
  // The opportunity mirror was rewritten whole at every refresh by earlier versions, and a plain
  // VACUUM only stops such growth: these two small tables are compacted (a few MB at most; their
  // brief exclusive lock only holds back a digest read from the mirror).
  await sql`VACUUM (FULL) opportunities, pipelines`.execute(db);
  await sql`VACUUM (ANALYZE) ${sql.join(BRAIN_TABLES.map((t) => sql.table(t)))}`.execute(db);
  await stamp(db, VACUUMED_AT);
}

/** When the embedded brain was last vacuumed by vacuumAfterSync, or null if never. */
export function lastVacuumAt(db: Kysely<Database>): Promise<Date | null> {
  return stampedAt(db, VACUUMED_AT);
}

/** How long the audit of tool calls and the record of sync runs are kept. */
export const KEEP_TOOL_CALLS_DAYS = 180;
export const KEEP_SYNC_RUNS_DAYS = 90;
const PRUNED_AT = 'pruned_at';
const DAY_MS = 86_400_000;

/**
 * Removes tool calls and sync runs past their keeping time, at most once a day: both tables only
 * grow otherwise (a call a row, 96 runs a day; ~55 MB a year). The last successful run and the
 * last successful full run stay whatever their age: the next sync starts from them. The contacts'
 * history is kept. Returns what was removed, or null when it ran less than a day ago.
 */
export async function pruneOldRecords(db: Kysely<Database>, now: Date): Promise<{ toolCalls: number; syncRuns: number } | null> {
  const last = await stampedAt(db, PRUNED_AT);
  if (last && now.getTime() - last.getTime() < DAY_MS) return null;
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const calls = await db.deleteFrom('tool_executions').where('started_at', '<', before(KEEP_TOOL_CALLS_DAYS)).executeTakeFirst();
  const runs = await sql`
    DELETE FROM sync_runs WHERE status <> 'running' AND started_at < ${before(KEEP_SYNC_RUNS_DAYS)}
      AND id <> ALL (ARRAY(SELECT coalesce(max(id), 0) FROM sync_runs WHERE status = 'succeeded'
                           UNION ALL SELECT coalesce(max(id), 0) FROM sync_runs WHERE status = 'succeeded' AND mode = 'full'))`.execute(db);
  await stamp(db, PRUNED_AT, now);
  return { toolCalls: Number(calls.numDeletedRows), syncRuns: Number(runs.numAffectedRows ?? 0n) };
}
