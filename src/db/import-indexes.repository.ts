import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';

/**
 * A first import writes its contacts before the secondary indexes and foreign keys exist, then
 * builds them: one sorted build per index costs less CPU than updating every index row by row,
 * and packs the indexes tighter (100,000 contacts on PostgreSQL: ~4 s of database CPU less, ~350
 * bytes a contact less on disk). Likewise, checking each derived row's contact as it is written
 * (a locking lookup per row and table) costs a sixth of the import's database CPU; checked once
 * at the end, with one join per table, it costs a fiftieth of that. Primary keys stay, since the
 * upserts rely on them.
 *
 * The names of what was dropped are saved, in the transaction that drops them, under this key:
 * a run killed mid-import leaves them there, and the next run restores them when its pass ends
 * (searches meanwhile scan the tables). A small brain keeps its index names saved until it grows
 * (see INDEXES_FROM_CONTACTS), so a migration that changes one of these indexes or keys must allow
 * for it to be absent, and must change REBUILDABLE with it.
 */
const SAVED_KEY = 'indexes_built_after_import';
/**
 * A brain smaller than this keeps waiting for its secondary indexes: its tables are scanned about
 * as fast (searches at 1,206 contacts: p50 3.9 ms with them, 4.2 ms without on PostgreSQL; 6.8 and
 * 7.6 ms on PGlite), and it takes a fifth less disk (641 bytes a contact of 3,546). From 3,000
 * contacts the indexes pay (p50 4.0 ms against 5.8 ms). The pass that brings the brain past it
 * builds them.
 */
export const INDEXES_FROM_CONTACTS = 2_000;
const TABLES = ['contacts', 'contact_context', 'contact_search', 'contact_facts'];

type Table = (typeof TABLES)[number];
interface Rebuildable {
  table: Table;
  definition: string;
}

/**
 * The secondary indexes and foreign keys an import drops and builds again, as the migrations leave
 * them (import-indexes.test.ts checks that a rebuilt brain's catalog is what it was). They are
 * built from here, never from text read back from the database: any role that may sync may write
 * sync_state, and what the owner's sync ran from there would run with the owner's rights. An
 * index of another program's on these tables is not on this list, so it is left in place.
 */
export const REBUILDABLE: { indexes: Record<string, Rebuildable>; foreignKeys: Record<string, Rebuildable> } = {
  indexes: {
    contact_context_override_idx: { table: 'contact_context', definition: 'USING btree (importance_override) WHERE (importance_override IS NOT NULL)' },
    contact_facts_activity_idx: { table: 'contact_facts', definition: 'USING btree (last_activity_at NULLS FIRST, contact_id)' },
    contact_facts_added_idx: { table: 'contact_facts', definition: 'USING btree (date_added DESC NULLS LAST, contact_id)' },
    contact_facts_industries_idx: { table: 'contact_facts', definition: 'USING gin (industries)' },
    contact_facts_override_idx: { table: 'contact_facts', definition: 'USING btree (importance_override) WHERE (importance_override IS NOT NULL)' },
    contact_facts_rank_idx: { table: 'contact_facts', definition: 'USING btree (importance_base, last_activity_at NULLS FIRST, contact_id) WHERE (importance_override IS NULL)' },
    contact_facts_tags_idx: { table: 'contact_facts', definition: 'USING gin (tags_norm)' },
    contact_search_doc_trgm: { table: 'contact_search', definition: 'USING gin (doc gin_trgm_ops)' },
    contacts_email_domain_idx: { table: 'contacts', definition: "USING btree (split_part(lower(email), '@'::text, 2)) WHERE (email IS NOT NULL)" },
    contacts_email_idx: { table: 'contacts', definition: 'USING btree (lower(email)) WHERE (email IS NOT NULL)' },
    contacts_phone_ending_idx: { table: 'contacts', definition: 'USING btree (reverse(phone_digits) text_pattern_ops) WHERE (phone_digits IS NOT NULL)' },
    contacts_phone_idx: { table: 'contacts', definition: 'USING btree (phone_digits text_pattern_ops) WHERE (phone_digits IS NOT NULL)' },
  },
  foreignKeys: {
    contact_context_contact_id_fkey: { table: 'contact_context', definition: 'FOREIGN KEY (contact_id) REFERENCES contacts(id) ON DELETE CASCADE' },
    contact_facts_contact_id_fkey: { table: 'contact_facts', definition: 'FOREIGN KEY (contact_id) REFERENCES contacts(id) ON DELETE CASCADE' },
    contact_search_contact_id_fkey: { table: 'contact_search', definition: 'FOREIGN KEY (contact_id) REFERENCES contacts(id) ON DELETE CASCADE' },
  },
};

interface Saved {
  table: Table;
  name: string;
}

interface SavedState {
  indexes: Saved[];
  foreignKeys: Saved[];
}

/**
 * Whether this role may drop and build the contact tables' indexes and keys: only a table's owner
 * (or a member of the owning role, or a superuser) may. On a shared server the role in
 * DATABASE_URL is often granted reads and writes alone, the tables being an administrator's; its
 * syncs must work all the same, with the indexes left as they are.
 */
async function ownsContactTables(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ owns: boolean | null }>`
    SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) AS owns FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(${TABLES}::text[]) AND c.relkind = 'r'`.execute(db);
  return rows[0]?.owns === true;
}

/**
 * Drops the contact tables' secondary indexes and foreign keys (those in REBUILDABLE), remembering
 * which. Nothing is dropped by a role that could not build them again (see ownsContactTables): the
 * import then writes with its indexes in place, slower but complete.
 */
export async function dropIndexesForImport(db: Kysely<Database>): Promise<number> {
  // Readers (a question asked while the first sync starts) take their tables one at a time too:
  // waiting for one table while holding another would deadlock with them. So every table is
  // taken at once or not at all, and the attempt repeated after a pause.
  for (let attempt = 1; ; attempt++) {
    try {
      return await dropIndexesOnce(db);
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03' || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, Math.min(20 * attempt, 200)));
    }
  }
}

async function dropIndexesOnce(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!(await ownsContactTables(trx))) return 0;
    await sql`LOCK TABLE ${sql.join(TABLES.map((t) => sql.table(t)))} IN ACCESS EXCLUSIVE MODE NOWAIT`.execute(trx);
    const { rows: indexes } = await sql<Saved>`
      SELECT t.relname AS table, c.relname AS name
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(${TABLES}::text[]) AND NOT i.indisunique
        AND c.relname = ANY(${Object.keys(REBUILDABLE.indexes)}::text[])
      ORDER BY c.relname`.execute(trx);
    const { rows: foreignKeys } = await sql<Saved>`
      SELECT t.relname AS table, k.conname AS name
      FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(${TABLES}::text[]) AND k.contype = 'f'
        AND k.conname = ANY(${Object.keys(REBUILDABLE.foreignKeys)}::text[])
      ORDER BY k.conname`.execute(trx);
    if (indexes.length + foreignKeys.length === 0) return 0;
    // Merged with what an earlier killed import saved (its indexes and keys are already gone).
    const before = await savedState(trx);
    const merge = (old: Saved[], now: Saved[]) => [...old.filter((o) => !now.some((n) => n.name === o.name)), ...now];
    const state: SavedState = { indexes: merge(before.indexes, indexes), foreignKeys: merge(before.foreignKeys, foreignKeys) };
    await saveState(trx, state);
    for (const k of foreignKeys) await sql`ALTER TABLE ${sql.table(k.table)} DROP CONSTRAINT ${sql.id(k.name)}`.execute(trx);
    for (const r of indexes) await sql`DROP INDEX ${sql.id(r.name)}`.execute(trx);
    return indexes.length;
  });
}

export interface IndexesRestored {
  /** Secondary indexes built. */
  built: number;
  /** The tables a first import filled, whose planner statistics are now due (see analyzeTables); none when nothing was waiting. */
  filled: string[];
}

/**
 * Builds every index and foreign key a first import dropped (none when nothing was dropped; the
 * indexes not until the brain holds `indexesFrom` contacts). Each build is its own statement, so
 * should one be interrupted, the rest are still built by the next call. The tables' statistics are
 * left to the caller (analyzeTables), which can refresh them while it does something else.
 *
 * On PostgreSQL the work goes in two lanes, one connection each: the trigram index alone takes
 * about as long as everything else together, so its table has a lane to itself and the other
 * tables follow one another in the second. (With a lane per table, the trigram build shared the
 * cores with three others and finished last: 4.1 s instead of 2.4 s at 100,000 contacts on 2 cores.)
 */
export async function buildIndexesAfterImport(db: Kysely<Database>, log: Logger, o: { indexesFrom?: number } = {}): Promise<IndexesRestored> {
  const state = await savedState(db, log);
  if (state.indexes.length + state.foreignKeys.length === 0) {
    // Only names this version does not know: nothing to build, and nothing to warn of again.
    if (state.unknown) await db.deleteFrom('sync_state').where('key', '=', SAVED_KEY).execute();
    return { built: 0, filled: [] };
  }
  const started = Date.now();
  const indexesFrom = o.indexesFrom ?? INDEXES_FROM_CONTACTS;
  // Counts no further than it needs to.
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT 1 FROM contacts LIMIT ${indexesFrom}) c`.execute(db);
  const waiting = rows[0]!.n < indexesFrom ? state.indexes : [];
  const saved = { indexes: state.indexes.filter((i) => !waiting.includes(i)), foreignKeys: state.foreignKeys };
  // A small brain's later passes: nothing to build yet, and nothing to analyse on that account.
  if (saved.indexes.length + saved.foreignKeys.length === 0) return { built: 0, filled: [] };
  if (!(await ownsContactTables(db))) {
    // An owner's import left them to build (a small brain grown past the threshold, or a killed
    // import); this role cannot. Syncs and searches work without them, searches more slowly.
    log.warn(
      `${saved.indexes.length} search indexes and ${saved.foreignKeys.length} foreign keys wait for the contact tables' owner to build them ` +
        '(this database role may read and write the tables but not index them): run `medtainer-mcp sync` once with the owner\'s DATABASE_URL',
    );
    return { built: 0, filled: [] };
  }
  const tables = TABLES.filter((t) => [...saved.indexes, ...saved.foreignKeys].some((i) => i.table === t));
  let built = 0;
  const restoreTable = async (table: string) => {
    // IF NOT EXISTS: an index built before an interruption is not built twice.
    for (const index of saved.indexes.filter((i) => i.table === table)) {
      const definition = sql.raw(REBUILDABLE.indexes[index.name]!.definition);
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(index.name)} ON ${sql.table(table)} ${definition}`.execute(db);
      built += 1;
    }
    for (const key of saved.foreignKeys.filter((k) => k.table === table)) await addForeignKey(db, key);
  };
  const slow = (t: string) => saved.indexes.some((i) => i.table === t && /gin_trgm_ops/.test(REBUILDABLE.indexes[i.name]!.definition));
  const lanes = [tables.filter(slow), tables.filter((t) => !slow(t))].filter((lane) => lane.length > 0);
  const failures: unknown[] = [];
  await Promise.all(
    lanes.map(async (lane) => {
      // A table that fails does not keep the next ones in its lane from being restored.
      for (const table of lane) await restoreTable(table).catch((err: unknown) => failures.push(err));
    }),
  );
  for (const extra of failures.slice(1)) log.warn('could not restore an index or key after the import', { error: (extra as Error).message });
  if (failures.length) throw failures[0];
  if (waiting.length) await saveState(db, { indexes: waiting, foreignKeys: [] });
  else await db.deleteFrom('sync_state').where('key', '=', SAVED_KEY).execute();
  log.debug(
    `built ${built} indexes and ${saved.foreignKeys.length} foreign keys after the import in ${Date.now() - started} ms` +
      (waiting.length ? `; ${waiting.length} indexes wait until the brain holds ${indexesFrom} contacts` : ''),
  );
  // Tables that lost no index were filled all the same.
  return { built, filled: [...TABLES] };
}

/**
 * Refreshes the planner's statistics of the given tables, each on its own connection (~2 s of
 * database CPU after 100,000 contacts, most of it for contacts). New indexes start without
 * statistics, and an expression index has its own.
 */
export async function analyzeTables(db: Kysely<Database>, tables: readonly string[]): Promise<void> {
  await Promise.all(tables.map((t) => sql`ANALYZE ${sql.table(t)}`.execute(db)));
}

/**
 * Adds a saved foreign key back, unless an interrupted earlier call already did. Rows whose
 * contact is gone (only a hard delete while the key was away can leave them) are removed first,
 * as the key's ON DELETE CASCADE would have done; the key's own check then proves the rest.
 */
async function addForeignKey(db: Kysely<Database>, key: Saved): Promise<void> {
  const exists = await sql`SELECT 1 FROM pg_constraint WHERE conname = ${key.name} AND conrelid = ${key.table}::regclass`.execute(db);
  if (exists.rows.length > 0) return;
  const add = sql`ALTER TABLE ${sql.table(key.table)} ADD CONSTRAINT ${sql.id(key.name)} ${sql.raw(REBUILDABLE.foreignKeys[key.name]!.definition)}`;
  try {
    await add.execute(db);
  } catch (err) {
    if ((err as { code?: string }).code !== '23503') throw err;
    await sql`DELETE FROM ${sql.table(key.table)} d WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = d.contact_id)`.execute(db);
    await add.execute(db);
  }
}

async function saveState(db: Kysely<Database>, state: SavedState): Promise<void> {
  await db
    .insertInto('sync_state')
    .values({ key: SAVED_KEY, value: JSON.stringify(state) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: sql`now()` }))
    .execute();
}

/**
 * The names saved by dropIndexesForImport, each with its table as REBUILDABLE says (earlier
 * versions also saved the catalog's definitions: only the names are read). A name this version
 * does not know (an index a later migration removed, or anything else written there) is left out.
 */
async function savedState(db: Kysely<Database>, log?: Logger): Promise<SavedState & { unknown: number }> {
  const row = await db.selectFrom('sync_state').select('value').where('key', '=', SAVED_KEY).executeTakeFirst();
  const value = row?.value as { indexes?: unknown; foreignKeys?: unknown } | undefined;
  let unknown = 0;
  const known = (list: unknown, of: Record<string, Rebuildable>): Saved[] =>
    (Array.isArray(list) ? list : []).flatMap((i: { name?: unknown }) => {
      const name = typeof i?.name === 'string' ? i.name : null;
      const entry = name !== null && Object.hasOwn(of, name) ? of[name]! : null;
      if (!entry) unknown += 1;
      if (!entry) log?.warn(`left out index or key ${JSON.stringify(String(name)).slice(0, 80)} saved for building after an import: this version does not know it`);
      return entry ? [{ table: entry.table, name: name! }] : [];
    });
  const indexes = known(value?.indexes, REBUILDABLE.indexes);
  const foreignKeys = known(value?.foreignKeys, REBUILDABLE.foreignKeys);
  return { indexes, foreignKeys, unknown };
}
