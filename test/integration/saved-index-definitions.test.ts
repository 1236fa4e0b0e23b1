import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndexesAfterImport } from '../../src/db/import-indexes.repository.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { openTestDatabase, type TestDatabase, testEngines } from '../helpers/test-db.js';

// sync_state is written by every role that may sync (SELECT, INSERT, UPDATE, DELETE on the
// tables); what the owner's sync reads back from it must not run as SQL of that role's choosing.
describe.each(testEngines())('index and key definitions saved in sync_state (%s)', (engine) => {
  let tdb: TestDatabase | null = null;
  afterEach(async () => {
    await tdb?.dispose();
    tdb = null;
  });

  const plant = async (state: unknown) =>
    sql`INSERT INTO sync_state (key, value) VALUES ('indexes_built_after_import', ${JSON.stringify(state)}::jsonb)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(tdb!.handle.db);
  const ran = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'ran_as'`.execute(tdb!.handle.db)).rows[0]!.n > 0;

  it('are not run as statements of their own: a saved foreign key carrying a second statement', async () => {
    tdb = await openTestDatabase(engine);
    await plant({
      indexes: [],
      foreignKeys: [{ table: 'contact_context', name: 'contact_context_extra_fk', definition: 'FOREIGN KEY (contact_id) REFERENCES contacts(id); CREATE TABLE ran_as AS SELECT current_user AS who; --' }],
    });
    await buildIndexesAfterImport(tdb.handle.db, silentLogger).catch(() => {});
    expect(await ran()).toBe(false);
  });

  it('are not run as statements of their own: a saved index carrying a second statement', async () => {
    tdb = await openTestDatabase(engine);
    await plant({
      indexes: [{ table: 'contacts', name: 'contacts_extra_idx', definition: 'CREATE INDEX contacts_extra_idx ON public.contacts USING btree (id); CREATE TABLE ran_as AS SELECT current_user AS who; --' }],
      foreignKeys: [],
    });
    await buildIndexesAfterImport(tdb.handle.db, silentLogger, { indexesFrom: 0 }).catch(() => {});
    expect(await ran()).toBe(false);
  });

  it('a known name is built from the definition the program holds, whatever text was saved with it; an unknown one is dropped from the list', async () => {
    tdb = await openTestDatabase(engine);
    const db = tdb.handle.db;
    const definition = async () =>
      (await sql<{ d: string | null }>`SELECT pg_get_indexdef(to_regclass('contacts_email_idx')) AS d`.execute(db)).rows[0]!.d;
    const migrated = await definition();
    await sql`DROP INDEX contacts_email_idx`.execute(db);
    await plant({
      indexes: [
        { table: 'contacts', name: 'contacts_email_idx', definition: 'CREATE INDEX contacts_email_idx ON contacts USING btree (id); CREATE TABLE ran_as AS SELECT 1; --' },
        { table: 'contacts', name: 'someone_elses_idx', definition: 'CREATE INDEX someone_elses_idx ON contacts (id)' },
      ],
      foreignKeys: [],
    });
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    await buildIndexesAfterImport(db, log, { indexesFrom: 0 });
    expect(await ran()).toBe(false);
    expect(await definition()).toBe(migrated);
    expect((await sql`SELECT 1 FROM pg_class WHERE relname = 'someone_elses_idx'`.execute(db)).rows).toEqual([]);
    expect(lines.join('')).toMatch(/left out index or key "someone_elses_idx" .*this version does not know it/);
    expect((await sql`SELECT 1 FROM sync_state WHERE key = 'indexes_built_after_import'`.execute(db)).rows).toEqual([]);
  });
});
