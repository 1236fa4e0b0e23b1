import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GhlClient } from '../../src/ghl/client.js';
import { silentLogger } from '../../src/logger.js';
import { SyncPass } from '../../src/sync/pass.js';
import { changed, ghlContact } from '../helpers/contacts.js';
import { dropConnectionOnce } from '../helpers/flaky-db.js';
import { openTestDatabase, type TestDatabase, testEngines } from '../helpers/test-db.js';

describe.each(testEngines())('the writers of a pass (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await openTestDatabase(engine);
  });
  afterAll(async () => tdb?.dispose());

  /** What the pass had stored when the second of two queued pages began to be written. */
  async function storedWhenSecondPageStarts(remoteTotal: number): Promise<number> {
    const pass = new SyncPass(tdb.handle.db, { locationId: 'LOC1' } as GhlClient, 1, silentLogger, new AbortController().signal, {
      recordCreations: false,
      writeConcurrency: 2,
      onProgress: () => {},
    });
    pass.noteRemoteTotal(remoteTotal);
    let seen = -1;
    const first = pass.write([ghlContact(), ghlContact()]);
    const second = pass.writePage(() => {
      seen = pass.counters.created;
      return { contacts: [ghlContact()], problems: [] };
    });
    await Promise.all([first, second]);
    await pass.flushBulkWrites();
    expect(pass.counters.created).toBe(3);
    return seen;
  }

  it('merges a page COPY hands back (a contact it meets is stored already), reading the page again', async () => {
    const connect = tdb.handle.connectForCopy;
    // COPY FROM STDIN through the embedded engine's socket stops PGlite: it must never be offered there.
    if (engine === 'pglite') return expect(connect).toBeUndefined();
    const pass = new SyncPass(tdb.handle.db, { locationId: 'LOC1' } as GhlClient, 1, silentLogger, new AbortController().signal, {
      recordCreations: false,
      copyInto: connect,
      onProgress: () => {},
    });
    const copied = ghlContact({ firstName: 'Copied' });
    await pass.write([copied]);
    const newer = changed(copied, { lastName: 'Newer', dateUpdated: '2026-06-01T00:00:00.000Z' });
    const added = ghlContact({ firstName: 'Merged' });
    let reads = 0;
    await pass.writePage(() => {
      reads += 1;
      return { contacts: [newer, added], problems: [] };
    });
    expect(reads).toBe(2);
    // The contact listed again, newer, is one contact created in this run, not also one updated.
    expect(pass.counters).toMatchObject({ fetched: 2, created: 2, updated: 0 });
    const rows = await tdb.handle.db.selectFrom('contacts').select(['id', 'last_name']).where('id', 'in', [copied.id, added.id]).orderBy('id').execute();
    expect(rows).toEqual([{ id: copied.id, last_name: 'Newer' }, { id: added.id, last_name: added.lastName }].sort((x, y) => (x.id < y.id ? -1 : 1)));
  });

  it('writes a page again when its connection was lost mid-page (the embedded database changing hands, a server restart)', async () => {
    // The first statement of the page fails as a dropped connection fails it; its transaction is rolled back.
    const { db: flaky } = dropConnectionOnce(tdb.handle.db);
    const pass = new SyncPass(flaky, { locationId: 'LOC1' } as GhlClient, 1, silentLogger, new AbortController().signal, { recordCreations: false, onProgress: () => {} });
    const page = [ghlContact({ firstName: 'Retried' }), ghlContact({ firstName: 'Retried' })];
    await pass.write(page);
    expect(pass.counters).toMatchObject({ fetched: 2, created: 2 });
    const rows = await tdb.handle.db.selectFrom('contacts').select('id').where('id', 'in', page.map((c) => c.id)).execute();
    expect(rows).toHaveLength(2);
  });

  it('a page written again keeps its words for spelling correction (remembered only once committed)', async () => {
    // The connection drops after the page's words went to search_terms, before its commit.
    const { db: flaky, attempts } = dropConnectionOnce(tdb.handle.db, { insertInto: 'interaction_history' });
    const pass = new SyncPass(flaky, { locationId: 'LOC1' } as GhlClient, null as unknown as number, silentLogger, new AbortController().signal, { recordCreations: true, onProgress: () => {} });
    await pass.write([ghlContact({ firstName: 'Zyxqwerty', lastName: 'Plumbusson', companyName: 'Grumbleworks' })]);
    expect(attempts()).toBe(2);
    const terms = (await sql<{ term: string }>`SELECT term FROM search_terms WHERE term IN ('zyxqwerty', 'plumbusson', 'grumbleworks') ORDER BY term`.execute(tdb.handle.db)).rows.map((r) => r.term);
    expect(terms).toEqual(['grumbleworks', 'plumbusson', 'zyxqwerty']);
  });

  it.runIf(engine === 'postgres')('writes a page again when the server ended its session mid-statement (57P01, as a restart does), merged or copied', async () => {
    const admin = new pg.Client({ connectionString: (tdb.target as { url: string }).url });
    await admin.connect();
    try {
      for (const copyInto of [undefined, tdb.handle.connectForCopy]) {
        await admin.query('BEGIN');
        await admin.query('LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE'); // the page write waits here
        const pass = new SyncPass(tdb.handle.db, { locationId: 'LOC1' } as GhlClient, 1, silentLogger, new AbortController().signal, { recordCreations: false, copyInto, onProgress: () => {} });
        const contact = ghlContact({ firstName: copyInto ? 'Copied' : 'Merged' });
        const writing = pass.write([contact]).then(() => null, (err: unknown) => err as Error);
        let pid: number | undefined;
        for (let i = 0; i < 500 && !pid; i++) {
          pid = (await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)).rows[0]?.pid;
          if (!pid) await sleep(10);
        }
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await admin.query('COMMIT');
        expect(await writing, copyInto ? 'COPY' : 'merge').toBeNull();
        expect((await admin.query('SELECT count(*)::int AS n FROM contacts WHERE id = $1', [contact.id])).rows[0].n).toBe(1);
      }
    } finally {
      await admin.end();
    }
  });

  it('writes a small pass page by page, and a large one two pages at a time', async () => {
    // Small: the second page waits for the first (two writers extending a table leave spare pages).
    expect(await storedWhenSecondPageStarts(1_206)).toBe(2);
    // Large: both pages are written at once.
    expect(await storedWhenSecondPageStarts(100_000)).toBe(0);
  });
});
