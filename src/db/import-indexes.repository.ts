import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';

/**
 * A first import writes its contacts before the secondary indexes exist, then builds them: one
 * sorted build per index costs less CPU than updating every index row by row, and packs the
 * indexes tighter (100,000 contacts on PostgreSQL: ~4 s of database CPU less, ~350 bytes a
 * contact less on disk). Primary keys stay, since the upserts rely on them.
 *
 * The definitions are read from the catalog (the migrations stay their only source) and saved,
 * in the transaction that drops them, under this key: a run killed mid-import leaves them
 * there, and the next run builds them when its pass ends (searches meanwhile scan the tables).
 * A migration that changes one of these indexes must therefore allow for it to be absent.
 */
const SAVED_KEY = 'indexes_built_after_import';
const TABLES = ['contacts', 'contact_context', 'contact_search', 'contact_facts'];

interface SavedIndex {
  table: string;
  name: string;
  definition: string;
}

/** Drops the contact tables' secondary indexes, remembering how to build them again. */
export async function dropIndexesForImport(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<SavedIndex>`
      SELECT t.relname AS table, c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(${TABLES}::text[]) AND NOT i.indisunique
      ORDER BY c.relname`.execute(trx);
    if (rows.length === 0) return 0;
    // Merged with what an earlier killed import saved (its indexes are already gone).
    const before = await savedIndexes(trx);
    const all = [...before.filter((b) => !rows.some((r) => r.name === b.name)), ...rows];
    await trx
      .insertInto('sync_state')
      .values({ key: SAVED_KEY, value: JSON.stringify({ indexes: all }) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: sql`now()` }))
      .execute();
    for (const r of rows) await sql`DROP INDEX ${sql.id(r.name)}`.execute(trx);
    return rows.length;
  });
}

/**
 * Builds every index a first import dropped (none when nothing was dropped) and, if asked,
 * refreshes the planner's statistics of the tables it filled (~1 s of database CPU at 100,000
 * contacts, so a caller about to vacuum and analyse anyway skips it). Tables are indexed side by
 * side (on PostgreSQL, one connection each: the trigram index alone takes as long as all the
 * others); each build is its own statement, so should one be interrupted, the rest are still
 * built by the next call.
 */
export async function buildIndexesAfterImport(db: Kysely<Database>, log: Logger, o: { analyze: boolean }): Promise<number> {
  const saved = await savedIndexes(db);
  if (saved.length === 0) return 0;
  const started = Date.now();
  const tables = [...new Set(saved.map((i) => i.table))];
  const builds = await Promise.allSettled(
    tables.map(async (table) => {
      // IF NOT EXISTS: an index built before an interruption is not built twice.
      for (const index of saved.filter((i) => i.table === table)) await sql.raw(index.definition.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS ')).execute(db);
      // New indexes start without statistics (an expression index has its own). Each table is
      // analysed once its own indexes are in, while the trigram index of another is still building.
      if (o.analyze) await sql`ANALYZE ${sql.table(table)}`.execute(db);
    }),
  );
  const failed = builds.find((b) => b.status === 'rejected');
  if (failed) throw failed.reason;
  // Tables that lost no index were filled all the same.
  const rest = TABLES.filter((t) => !tables.includes(t));
  if (o.analyze && rest.length) await sql`ANALYZE ${sql.join(rest.map((t) => sql.table(t)))}`.execute(db);
  await db.deleteFrom('sync_state').where('key', '=', SAVED_KEY).execute();
  log.debug(`built ${saved.length} indexes after the import in ${Date.now() - started} ms`);
  return saved.length;
}

async function savedIndexes(db: Kysely<Database>): Promise<SavedIndex[]> {
  const row = await db.selectFrom('sync_state').select('value').where('key', '=', SAVED_KEY).executeTakeFirst();
  return ((row?.value as { indexes?: SavedIndex[] } | undefined)?.indexes ?? []).filter((i) => typeof i.name === 'string' && typeof i.table === 'string' && /^CREATE INDEX /.test(i.definition));
}
