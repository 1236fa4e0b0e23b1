import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GhlClient } from '../../src/ghl/client.js';
import { silentLogger } from '../../src/logger.js';
import { SyncPass } from '../../src/sync/pass.js';
import { changed, ghlContact } from '../helpers/contacts.js';
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
    expect(pass.counters).toMatchObject({ fetched: 3, created: 2, updated: 1 });
    const rows = await tdb.handle.db.selectFrom('contacts').select(['id', 'last_name']).where('id', 'in', [copied.id, added.id]).orderBy('id').execute();
    expect(rows).toEqual([{ id: copied.id, last_name: 'Newer' }, { id: added.id, last_name: added.lastName }].sort((x, y) => (x.id < y.id ? -1 : 1)));
  });

  it('writes a page again when its connection was lost mid-page (the embedded database changing hands, a server restart)', async () => {
    let failures = 0;
    // The first statement of the page fails as a dropped connection fails it; its transaction is rolled back.
    const flaky = tdb.handle.db.withPlugin({
      transformQuery(args) {
        if (failures++ === 0) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const pass = new SyncPass(flaky, { locationId: 'LOC1' } as GhlClient, 1, silentLogger, new AbortController().signal, { recordCreations: false, onProgress: () => {} });
    const page = [ghlContact({ firstName: 'Retried' }), ghlContact({ firstName: 'Retried' })];
    await pass.write(page);
    expect(pass.counters).toMatchObject({ fetched: 2, created: 2 });
    const rows = await tdb.handle.db.selectFrom('contacts').select('id').where('id', 'in', page.map((c) => c.id)).execute();
    expect(rows).toHaveLength(2);
  });

  it('writes a small pass page by page, and a large one two pages at a time', async () => {
    // Small: the second page waits for the first (two writers extending a table leave spare pages).
    expect(await storedWhenSecondPageStarts(1_206)).toBe(2);
    // Large: both pages are written at once.
    expect(await storedWhenSecondPageStarts(100_000)).toBe(0);
  });
});
