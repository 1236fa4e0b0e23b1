import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { createGhlClient } from '../../src/ghl/client.js';
import { silentLogger } from '../../src/logger.js';
import { CHAIN_PAGES_HELD, PAGES_READ_AHEAD, traverseV2 } from '../../src/sync/fetch-v2.js';
import { SyncPass } from '../../src/sync/pass.js';
import { testConfig } from '../helpers/deps.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/** Resolves once the fake has had no new request for `quietMs`. */
async function requestsSettled(fake: FakeGhl, quietMs = 300): Promise<number> {
  for (let last = -1; ; ) {
    await new Promise((r) => setTimeout(r, quietMs));
    if (fake.stats.requests === last) return last;
    last = fake.stats.requests;
  }
}

describe('contact pages read ahead of the writer', () => {
  let fake: FakeGhl;
  let tdb: TestDatabase;

  beforeAll(async () => {
    // Three chunks of GHL's 10,000-record page window (41 pages): the chain reads each chunk's first page and the last of each full one.
    fake = await startFakeGhl({ contactCount: 20_500, seed: 5, opportunityCount: 0, rateLimit: { max: 10_000 } });
    tdb = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await fake?.close();
    await tdb?.dispose();
  });

  it('stay bounded while the writer is held up, then every contact is stored once', async () => {
    const config = testConfig({ GOHIGHLEVEL_API_KEY: fake.tokens.v2, GOHIGHLEVEL_LOCATION_ID: fake.locationId, GOHIGHLEVEL_BASE_URL: fake.url });
    const ghl = createGhlClient(config.ghl, silentLogger);
    if (ghl?.version !== 'v2') throw new Error('expected a v2 client');
    const pass = new SyncPass(tdb.handle.db, ghl, 1, silentLogger, new AbortController().signal, { recordCreations: false, onProgress: () => {} });
    let release!: () => void;
    pass.writeAfter(new Promise<void>((resolve) => (release = resolve)));

    const traversal = traverseV2(pass, ghl, 'dateAdded', null, 3);
    // Nothing can be written: reading stops at the chain's held pages plus the ordinary read-ahead.
    expect(await requestsSettled(fake)).toBe(CHAIN_PAGES_HELD + PAGES_READ_AHEAD);
    expect(pass.counters.fetched).toBe(0);

    release();
    await traversal;
    await pass.drain();
    await pass.flushBulkWrites();
    expect(fake.stats.requests).toBe(41);
    expect(pass.counters).toMatchObject({ fetched: 20_500, created: 20_500, updated: 0, unchanged: 0 });
    const { count } = await tdb.handle.db.selectFrom('contacts').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(20_500);
  });

  it('end with the first failure once every page started has settled, none of them left unhandled', async () => {
    const config = testConfig({ GOHIGHLEVEL_API_KEY: fake.tokens.v2, GOHIGHLEVEL_LOCATION_ID: fake.locationId, GOHIGHLEVEL_BASE_URL: fake.url });
    const ghl = createGhlClient(config.ghl, silentLogger, { retries: 0 });
    if (ghl?.version !== 'v2') throw new Error('expected a v2 client');
    const pass = new SyncPass(tdb.handle.db, ghl, 2, silentLogger, new AbortController().signal, { recordCreations: false, onProgress: () => {} });
    // The chain's second page (the first chunk's last) takes a while; every other request after
    // the first fails, so ordinary pages fail while the chain is still reading.
    fake.resetStats();
    fake.fault({ times: 1, skip: 1, pathPrefix: '/contacts/search', hangMs: 1_500 }, { times: 1_000, skip: 1, pathPrefix: '/contacts/search', status: 500 });
    try {
      await expect(traverseV2(pass, ghl, 'dateAdded', null, 3)).rejects.toThrow(/POST \/contacts\/search with 500/);
      await pass.drain();
      // Pages not yet read when the failure came were never asked for.
      expect(fake.stats.requests).toBeLessThan(1 + CHAIN_PAGES_HELD + PAGES_READ_AHEAD);
    } finally {
      fake.clearFaults();
    }
  });
});
