import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import { dropIndexesForImport } from '../../src/db/import-indexes.repository.js';
import { type FakeGhl, KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { createLogger } from '../../src/logger.js';
import { searchContacts } from '../../src/search/search-contacts.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

/** Every index of the contact tables, as the catalog defines it. */
async function contactIndexes(db: Kysely<Database>): Promise<Array<{ name: string; definition: string }>> {
  const { rows } = await sql<{ name: string; definition: string }>`
    SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename IN ('contacts', 'contact_context', 'contact_search', 'contact_facts')
    ORDER BY indexname`.execute(db);
  return rows;
}

describe.each(testEngines())('indexes of a first import (%s)', (engine) => {
  let fake: FakeGhl;
  let drop: () => Promise<void>;
  let app: App;
  let logLines: string[];

  beforeEach(async () => {
    fake = await startFakeGhl({ contactCount: 700, seed: 21, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    drop = t.drop;
    logLines = [];
    app = syncApp(fake, t.target, { log: createLogger({ level: 'debug', write: (l) => logLines.push(l) }) });
  });
  afterEach(async () => {
    await app.close();
    await fake.close();
    await drop();
  });

  it('are built once the contacts are in, exactly as the migrations define them', async () => {
    const db = (await app.database()).db;
    const before = await contactIndexes(db);
    expect(before.map((i) => i.name)).toEqual(expect.arrayContaining(['contact_search_doc_trgm', 'contact_facts_rank_idx', 'contacts_email_idx', 'contacts_pkey']));
    const run = await (await app.sync.start('cli', 'full')).done;
    expect(run).toMatchObject({ status: 'succeeded', contacts_created: 700 });
    expect(await contactIndexes(db)).toEqual(before);
    // Every index but the four primary keys was dropped and built again.
    expect(logLines.join('')).toMatch(new RegExp(`built ${before.length - 4} indexes after the import`));
    expect(await db.selectFrom('sync_state').select('key').where('key', '=', 'indexes_built_after_import').execute()).toEqual([]);
    // The planner has statistics for every filled table and for the expression index on emails.
    const { rows: analysed } = await sql<{ name: string }>`
      SELECT DISTINCT tablename AS name FROM pg_stats WHERE schemaname = current_schema()
        AND tablename IN ('contacts', 'contact_context', 'contact_search', 'contact_facts', 'contacts_email_idx') ORDER BY 1`.execute(db);
    expect(analysed.map((r) => r.name)).toEqual(['contact_context', 'contact_facts', 'contact_search', 'contacts', 'contacts_email_idx']);
    const found = await searchContacts(db, { name: 'rachel', company: 'fresh headies' }, { now: new Date(), limit: 5 });
    expect(found.hits[0]).toMatchObject({ id: KNOWN.rachel });

    // Later syncs leave the indexes alone.
    logLines.length = 0;
    fake.store.updateContact(KNOWN.rachel, { tags: ['vip'] });
    expect(await (await app.sync.start('cli', 'full')).done).toMatchObject({ status: 'succeeded', contacts_updated: 1 });
    expect(logLines.join('')).not.toMatch(/indexes after the import/);
  });

  it('are built again when the first import fails', async () => {
    const db = (await app.database()).db;
    const before = await contactIndexes(db);
    fake.fault({ times: 50, pathPrefix: '/contacts/search', status: 500 });
    const run = await (await app.sync.start('cli', 'full')).done;
    expect(run.status).toBe('failed');
    expect(await contactIndexes(db)).toEqual(before);
  });

  it('left missing by a killed import are built by the next run', async () => {
    const db = (await app.database()).db;
    const before = await contactIndexes(db);
    expect((await (await app.sync.start('cli', 'full')).done).status).toBe('succeeded');
    // What a process killed mid-import leaves: some contacts, the indexes gone, their definitions saved.
    expect(await dropIndexesForImport(db)).toBe(before.length - 4);
    expect((await contactIndexes(db)).map((i) => i.name)).toEqual(['contact_context_pkey', 'contact_facts_pkey', 'contact_search_pkey', 'contacts_pkey']);
    logLines.length = 0;
    fake.store.updateContact(KNOWN.michael, { tags: ['reorder'] });
    const run = await (await app.sync.start('schedule', 'auto')).done;
    expect(run).toMatchObject({ status: 'succeeded', contacts_updated: 1 });
    expect(await contactIndexes(db)).toEqual(before);
    expect(logLines.join('')).toMatch(new RegExp(`built ${before.length - 4} indexes after the import`));
  });
});
