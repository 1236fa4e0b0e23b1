import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { DatabaseTarget } from '../../src/config.js';
import { type FakeGhl, KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { searchContacts } from '../../src/search/search-contacts.js';
import { silentLogger } from '../../src/logger.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

async function counts(app: App) {
  const db = (await app.database()).db;
  const { rows } = await sql<{ live: number; deleted: number }>`
    SELECT count(*) FILTER (WHERE deleted_at IS NULL)::int AS live, count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted FROM contacts`.execute(db);
  return rows[0]!;
}

describe.each(testEngines())('the sync engine against the fake GHL (%s)', (engine) => {
  let fake: FakeGhl;
  let target: DatabaseTarget;
  let drop: () => Promise<void>;
  let app: App;

  beforeAll(async () => {
    // A generous burst limit keeps the pacer out of the way; the rate-limit tests set their own.
    fake = await startFakeGhl({ contactCount: 1_234, seed: 11, opportunityCount: 120, rateLimit: { max: 10_000 } });
    ({ target, drop } = await createTestTarget(engine));
    app = syncApp(fake, target);
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await drop?.();
  });
  afterEach(() => fake.clearFaults());

  it('copies every contact on the first (full) sync, then costs ≤ 2 requests when nothing changed', async () => {
    const first = await (await app.sync.start('tool', 'auto')).done;
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', contacts_fetched: 1_234, contacts_created: 1_234, contacts_updated: 0, contacts_deleted: 0 });
    // 3 contact pages of 500, GHL's count as the pass ends, the pipelines and one opportunity page per pipeline.
    expect(first.api_requests).toBe(3 + 1 + 1 + fake.store.pipelines.length);
    // The count held still while the pages were read: the gap it leaves (none) is kept.
    expect([first.remote_total, first.local_total]).toEqual([1_234, 1_234]);
    expect(await counts(app)).toEqual({ live: 1_234, deleted: 0 });

    fake.resetStats();
    const idle = await (await app.sync.start('schedule', 'auto')).done;
    expect(idle).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_created: 0, contacts_updated: 0, contacts_deleted: 0 });
    expect(idle.api_requests).toBeLessThanOrEqual(2);
    expect(fake.stats.requests).toBe(idle.api_requests);
    const db = (await app.database()).db;
    const history = await db.selectFrom('interaction_history').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(history.n).toBe(0);
  });

  it('brings in updates and additions, and deletes only what GHL confirms is gone', async () => {
    const db = (await app.database()).db;
    fake.store.updateContact(KNOWN.rachel, { phone: '+1 707-555-9999', tags: ['vip', 'wholesale', 'reorder'] });
    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'NewContact0000000001', firstName: 'Nadia', lastName: 'Novak', email: 'nadia@example.com' });
    const doomed = fake.store.all().filter((c) => !Object.values(KNOWN).includes(c.id as never)).slice(0, 2).map((c) => c.id);
    for (const id of doomed) fake.store.deleteContact(id);

    const run = await (await app.sync.start('tool', 'auto')).done;
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 1, contacts_updated: 1, contacts_deleted: 2 });
    expect(await counts(app)).toEqual({ live: 1_233, deleted: 2 });
    const rachel = await db.selectFrom('contacts').selectAll().where('id', '=', KNOWN.rachel).executeTakeFirstOrThrow();
    expect(rachel.tags).toEqual(['vip', 'wholesale', 'reorder']);
    const events = await db.selectFrom('interaction_history').select(['contact_id', 'kind', 'summary']).orderBy('id').execute();
    expect(events).toEqual(
      expect.arrayContaining([
        { contact_id: KNOWN.rachel, kind: 'updated', summary: 'Changed in GoHighLevel: dateUpdated, phone, tags' },
        { contact_id: 'NewContact0000000001', kind: 'created', summary: 'Added in GoHighLevel' },
        { contact_id: doomed[0], kind: 'deleted', summary: 'Deleted in GoHighLevel' },
      ]),
    );
    expect(events).toHaveLength(4);
  });

  it('never deletes on a failed run', async () => {
    const victim = fake.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!.id;
    fake.store.deleteContact(victim);
    // Page 2 of the full pass keeps failing: the pass is incomplete.
    fake.fault({ times: 50, pathPrefix: '/contacts/search', status: 500 });
    const run = await (await app.sync.start('tool', 'full')).done;
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/POST \/contacts\/search with 500/);
    expect(run.contacts_deleted).toBe(0);
    expect((await counts(app)).deleted).toBe(2);
    fake.clearFaults();
    const next = await (await app.sync.start('tool', 'full')).done;
    expect(next).toMatchObject({ status: 'succeeded', contacts_deleted: 1 });
  });

  it('rides out 429 storms (with and without Retry-After), 5xx bursts and slow answers', async () => {
    fake.store.updateContact(KNOWN.rene, { companyName: 'Maison Lefèvre et Fils' });
    // Five failures in a row on the same request (the client retries up to five times).
    fake.fault({ times: 2, pathPrefix: '/contacts/search', status: 429, headers: { 'Retry-After': '1' } });
    fake.fault({ times: 1, pathPrefix: '/contacts/search', status: 502 });
    fake.fault({ times: 2, pathPrefix: '/contacts/search', status: 429 });
    const run = await (await app.sync.start('tool', 'auto')).done;
    expect(run, run.error ?? '').toMatchObject({ status: 'succeeded', contacts_updated: 1 });
    expect(run.rate_limited).toBe(4);

    const slowApp = syncApp(fake, target, { timeoutMs: 300 });
    try {
      fake.fault({ times: 1, pathPrefix: '/contacts/search', hangMs: 1_000 });
      const slow = await (await slowApp.sync.start('tool', 'auto')).done;
      expect(slow.status).toBe('succeeded');
    } finally {
      await slowApp.close();
    }
  });

  it('retries an answer whose body stalls or breaks off after the headers, and fails a call GoHighLevel asks to wait an hour for', async () => {
    const slowApp = syncApp(fake, target, { timeoutMs: 500 });
    try {
      // Before, a stalled body hung the run for good (the timeout ended at the headers), and a
      // reset mid-body failed it.
      fake.fault({ times: 1, pathPrefix: '/contacts/search', brokenBody: 'stall' });
      fake.fault({ times: 1, pathPrefix: '/contacts/search', brokenBody: 'reset' });
      const run = await (await slowApp.sync.start('tool', 'full')).done;
      expect(run, run.error ?? '').toMatchObject({ status: 'succeeded', contacts_fetched: fake.store.all().length });
      expect(run.api_requests).toBeGreaterThan(2);

      // An hour's Retry-After: the run fails at once, saying when to try again, instead of waiting silently.
      fake.fault({ times: 1, pathPrefix: '/contacts/search', status: 429, headers: { 'Retry-After': '3600' } });
      const started = Date.now();
      const limited = await (await slowApp.sync.start('tool', 'auto')).done;
      expect(limited.status).toBe('failed');
      expect(limited.error).toMatch(/429/);
      expect(Date.now() - started).toBeLessThan(55_000);
    } finally {
      await slowApp.close();
    }
  });

  it('reports malformed records and syncs the rest', async () => {
    fake.store.updateContact(KNOWN.alexandra, { tags: ['retail', 'vip'] });
    fake.fault({ times: 1, pathPrefix: '/contacts/search', malformed: true });
    // A full pass: its first request is a listing page (an incremental one also asks for the count).
    const run = await (await app.sync.start('tool', 'full')).done;
    expect(run.status).toBe('succeeded');
    expect(run.errors).toEqual(expect.arrayContaining(['skipped a contact without a valid id (id: missing)', expect.stringMatching(/ignored email \(number/)]));
  });

  it('stores a contact whose text PostgreSQL cannot hold (a NUL, a broken surrogate) without it, says so, and syncs the rest', async () => {
    // JSON allows both as escapes; PostgreSQL's text and jsonb refuse them, which would fail the page.
    const rachel = fake.store.get(KNOWN.rachel)!;
    const original = { companyName: rachel.companyName, lastName: rachel.lastName };
    fake.store.updateContact(KNOWN.rachel, { companyName: 'Fresh\u0000 Headies', lastName: 'Ba\ud800ker' });
    const deal = fake.store.opportunities[0]!;
    const dealName = deal.name;
    deal.name = `${dealName}\u0000`;
    const run = await (await app.sync.start('tool', 'full')).done;
    expect(run.status).toBe('succeeded');
    expect(run.errors.join('\n')).not.toMatch(/opportunities were not refreshed/);
    const storedDeal = await (await app.database()).db.selectFrom('opportunities').select('name').where('id', '=', deal.id).executeTakeFirstOrThrow();
    expect(storedDeal.name).toBe(dealName);
    expect(run.errors).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`contact ${KNOWN.rachel}: .*cannot store`))]));
    const db = (await app.database()).db;
    const row = await db.selectFrom('contacts').select(['company_name', 'last_name', 'data']).where('id', '=', KNOWN.rachel).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ company_name: 'Fresh Headies', last_name: 'Ba\ufffdker' });
    expect(row.data).toMatchObject({ companyName: 'Fresh Headies', lastName: 'Ba\ufffdker' });
    const found = await searchContacts(db, { name: 'rachel', company: 'fresh headies' }, { now: new Date(), limit: 1 });
    expect(found.hits[0]).toMatchObject({ id: KNOWN.rachel });
    // Read the same way next time, so the contact counts as unchanged.
    expect(await (await app.sync.start('tool', 'full')).done).toMatchObject({ status: 'succeeded', contacts_updated: 0 });
    fake.store.updateContact(KNOWN.rachel, original);
    deal.name = dealName;
  });

  it('reads later pages ahead as bytes and checks them when writing: a malformed record is reported, a page that is not JSON fails the run and deletes nothing', async () => {
    // Pages 2 and 3 of a full pass are read ahead of the writer and parsed only when written.
    fake.fault({ times: 1, skip: 1, pathPrefix: '/contacts/search', malformed: true });
    const reported = await (await app.sync.start('tool', 'full')).done;
    expect(reported.status).toBe('succeeded');
    expect(reported.errors).toEqual(expect.arrayContaining(['skipped a contact without a valid id (id: missing)', expect.stringMatching(/ignored email \(number/)]));

    const victim = fake.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!.id;
    fake.store.deleteContact(victim);
    const before = await counts(app);
    fake.fault({ times: 1, skip: 2, pathPrefix: '/contacts/search', nonJson: true });
    const failed = await (await app.sync.start('tool', 'full')).done;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/POST \/contacts\/search/);
    expect(failed.contacts_deleted).toBe(0);
    expect(await counts(app)).toEqual(before);
    const next = await (await app.sync.start('tool', 'full')).done;
    expect(next).toMatchObject({ status: 'succeeded', contacts_deleted: 1 });
  });

  it('reads a large account\'s opportunities only after its contact pages, so they do not take the contact pass\'s rate budget', async () => {
    const big = await startFakeGhl({ contactCount: 1_234, seed: 12, opportunityCount: 80, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    // 1,234 contacts count as "large" here; the real threshold is 10,000.
    const bigApp = syncApp(big, t.target, { sync: { opportunitiesAlongsideUpTo: 1_000 } });
    try {
      const run = await (await bigApp.sync.start('cli', 'full')).done;
      expect(run).toMatchObject({ status: 'succeeded', contacts_created: 1_234 });
      const order = big.stats.sequence;
      const searches = order.flatMap((r, i) => (r === 'POST /contacts/search' ? [i] : []));
      // The three contact pages, then a one-contact search for GHL's count as the pass ends.
      expect(searches).toHaveLength(3 + 1);
      const lastContactPage = searches[2]!;
      const firstOpportunityRequest = order.findIndex((r) => r.includes('/opportunities'));
      expect(lastContactPage).toBeGreaterThan(0);
      expect(firstOpportunityRequest, order.join(', ')).toBeGreaterThan(lastContactPage);
      const db = (await bigApp.database()).db;
      const stored = await db.selectFrom('opportunities').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      expect(stored.n).toBe(big.store.opportunities.length);
    } finally {
      await bigApp.close();
      await big.close();
      await t.drop();
    }
  });

  it('writes a large pass in bulk: search documents gather in a big pending list, flushed into the index when the pass ends', async () => {
    const big = await startFakeGhl({ contactCount: 1_234, seed: 13, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    // 1,234 contacts count as "large" here; the real threshold is 10,000.
    const bigApp = syncApp(big, t.target, { sync: { bulkAbove: 1_000, indexesFrom: 1_000 } });
    try {
      const db = (await bigApp.database()).db;
      const pendingPages = async () => (await sql<{ n: number }>`SELECT gin_clean_pending_list('contact_search_doc_trgm'::regclass)::int AS n`.execute(db)).rows[0]!.n;
      // Sessions keep the list small, so a page of 500 documents is merged as soon as it is written.
      expect((await sql<{ v: string }>`SELECT current_setting('gin_pending_list_limit') AS v`.execute(db)).rows[0]!.v).toBe('256kB');
      const run = await (await bigApp.sync.start('cli', 'full')).done;
      expect(run).toMatchObject({ status: 'succeeded', contacts_created: 1_234 });
      // Nothing left waiting (without the flush the pass's 1,234 documents would still be there).
      expect(await pendingPages()).toBe(0);
      expect((await sql<{ v: string }>`SELECT current_setting('gin_pending_list_limit') AS v`.execute(db)).rows[0]!.v).toBe('256kB');
      const found = await searchContacts(db, { name: 'rachel', company: 'fresh headies' }, { now: new Date(), limit: 5 });
      expect(found.hits[0]).toMatchObject({ id: KNOWN.rachel });
    } finally {
      await bigApp.close();
      await big.close();
      await t.drop();
    }
  });

  it('stays incremental when GHL only added contacts: its count and the brain\'s agree once they are in', async () => {
    const small = await startFakeGhl({ contactCount: 300, seed: 14 });
    const t = await createTestTarget(engine);
    const smallApp = syncApp(small, t.target);
    try {
      expect((await (await smallApp.sync.start('cli', 'full')).done).status).toBe('succeeded');
      small.store.addContact({ ...small.store.get(KNOWN.michael)!, id: 'NewContact0000000002', firstName: 'Olga', lastName: 'Orsini', email: 'olga@example.com' });
      const run = await (await smallApp.sync.start('tool', 'auto')).done;
      // Counted before the pass wrote anything, plus the one it added: no reconciling full pass.
      expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_created: 1, remote_total: 301, api_requests: 2 });
    } finally {
      await smallApp.close();
      await small.close();
      await t.drop();
    }
  });

  it('asks for changes in GoHighLevel\'s time, so a machine clock running ahead of it misses nothing', async () => {
    // GHL's clock (its Date headers and its dateUpdated stamps) is 10 minutes behind this machine's,
    // twice the incremental overlap.
    const small = await startFakeGhl({ contactCount: 300, seed: 16, now: () => Date.now() - 10 * 60_000 });
    const t = await createTestTarget(engine);
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    const smallApp = syncApp(small, t.target, { log });
    try {
      expect((await (await smallApp.sync.start('cli', 'auto')).done).mode).toBe('full');
      const changed = small.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!;
      small.store.updateContact(changed.id, { companyName: 'Stamped By A Slow Clock LLC' });
      const run = await (await smallApp.sync.start('schedule', 'auto')).done;
      expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 1 });
      const db = (await smallApp.database()).db;
      expect((await db.selectFrom('contacts').select('company_name').where('id', '=', changed.id).executeTakeFirstOrThrow()).company_name).toBe('Stamped By A Slow Clock LLC');
      expect(warnings).toEqual([expect.stringMatching(/clock is 10 min ahead of GoHighLevel's/)]);
    } finally {
      await smallApp.close();
      await small.close();
      await t.drop();
    }
  });

  it('does not take a Date header running ahead for the time of the run (it would hide every change)', async () => {
    const small = await startFakeGhl({ contactCount: 300, seed: 18 });
    small.configure({ dateHeaderOffsetMs: 365 * 86_400_000 });
    const t = await createTestTarget(engine);
    const smallApp = syncApp(small, t.target);
    try {
      const first = await (await smallApp.sync.start('cli', 'auto')).done;
      expect(new Date(first.high_water_mark!).getTime()).toBeLessThanOrEqual(Date.now());
      const changed = small.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!;
      small.store.updateContact(changed.id, { companyName: 'Seen Despite The Proxy LLC' });
      const run = await (await smallApp.sync.start('schedule', 'auto')).done;
      expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 1 });
    } finally {
      await smallApp.close();
      await small.close();
      await t.drop();
    }
  });

  it('a large first import stopped early (its search indexes not built yet) ends without a spurious warning', async () => {
    const small = await startFakeGhl({ contactCount: 1_500, seed: 17, latencyMs: 300, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    // Bulk from 100 contacts; the indexes wait for 2,000, so none exists when it stops.
    const smallApp = syncApp(small, t.target, { log, sync: { bulkAbove: 100 } });
    try {
      const run = await smallApp.sync.start('cli', 'full');
      await new Promise<void>((resolve) => run.onProgress((p) => p.fetched > 0 && resolve()));
      await smallApp.sync.stop();
      expect(await run.done).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
      expect(warnings.filter((w) => !/^sync #\d+ failed/.test(w))).toEqual([]);
    } finally {
      await smallApp.close();
      await small.close();
      await t.drop();
    }
  });

  it('makes a full pass a day, which repairs what incremental syncs cannot see', async () => {
    const small = await startFakeGhl({ contactCount: 300, seed: 15 });
    const t = await createTestTarget(engine);
    let now = Date.now();
    const smallApp = syncApp(small, t.target, { now: () => new Date(now) });
    try {
      expect((await (await smallApp.sync.start('cli', 'auto')).done).mode).toBe('full');
      // A change stamped before the incremental window (a clock running ahead, a search index
      // lagging past the overlap); GHL's count and the brain's still agree.
      const missed = small.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!;
      small.store.updateContact(missed.id, { companyName: 'Renamed Quietly Inc', dateUpdated: missed.dateUpdated });
      const soon = await (await smallApp.sync.start('schedule', 'auto')).done;
      expect(soon).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 0 });
      now += 25 * 3600_000;
      const nextDay = await (await smallApp.sync.start('schedule', 'auto')).done;
      expect(nextDay).toMatchObject({ status: 'succeeded', mode: 'full', contacts_updated: 1, contacts_deleted: 0 });
      const db = (await smallApp.database()).db;
      expect((await db.selectFrom('contacts').select('company_name').where('id', '=', missed.id).executeTakeFirstOrThrow()).company_name).toBe('Renamed Quietly Inc');
    } finally {
      await smallApp.close();
      await small.close();
      await t.drop();
    }
  });

  it('stores a contact a full pass only found by reading it alone in the shape of a listed one, so the next pass finds nothing changed', async () => {
    const small = await startFakeGhl({ contactCount: 300, seed: 16 });
    const t = await createTestTarget(engine);
    const smallApp = syncApp(small, t.target);
    try {
      expect((await (await smallApp.sync.start('cli', 'full')).done).status).toBe('succeeded');
      const lagging = small.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!.id;
      // Just changed, so GHL's search index does not list it yet: the pass reads it by its id.
      small.configure({ indexLagMs: 60_000 });
      small.store.updateContact(lagging, { companyName: 'Lagging Labs' });
      const found = await (await smallApp.sync.start('cli', 'full')).done;
      expect(found).toMatchObject({ status: 'succeeded', contacts_updated: 1, contacts_deleted: 0 });
      small.configure({ indexLagMs: 0 });
      const again = await (await smallApp.sync.start('cli', 'full')).done;
      expect(again).toMatchObject({ status: 'succeeded', contacts_updated: 0, contacts_unchanged: 300 });
      const db = (await smallApp.database()).db;
      const history = await db.selectFrom('interaction_history').select(['kind', 'summary']).where('contact_id', '=', lagging).execute();
      expect(history).toEqual([{ kind: 'updated', summary: 'Changed in GoHighLevel: companyName, dateUpdated' }]);
    } finally {
      await smallApp.close();
      await small.close();
      await t.drop();
    }
  });

  it('keeps the contact sync (and the previous opportunity mirror) when opportunities cannot be read', async () => {
    const db = (await app.database()).db;
    expect((await (await app.sync.start('tool', 'full')).done).status).toBe('succeeded');
    const before = await db.selectFrom('opportunities').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(before.n).toBeGreaterThan(0);
    fake.store.updateContact(KNOWN.michael, { tags: ['reorder'] });
    // The opportunity read runs beside the contact pages; every retry of it fails.
    fake.fault({ times: 20, pathPrefix: '/opportunities/pipelines', status: 503 });
    const run = await (await app.sync.start('tool', 'full')).done;
    expect(run, run.error ?? '').toMatchObject({ status: 'succeeded', contacts_updated: 1 });
    expect(run.errors).toEqual([expect.stringMatching(/^opportunities were not refreshed: .*opportunities\/pipelines.*503/)]);
    const after = await db.selectFrom('opportunities').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('says so when the daily budget is gone, without retrying', async () => {
    fake.setDailyUsed(fake.tokens.v2, 200_000);
    fake.resetStats();
    try {
      const run = await (await app.sync.start('tool', 'auto')).done;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/daily GoHighLevel API budget/);
      // The changes and the count are asked at once; neither is retried.
      expect(fake.stats.requests).toBeLessThanOrEqual(2);
    } finally {
      fake.setDailyUsed(fake.tokens.v2, 0);
    }
  });

  it('fails with the variable to fix on a rejected token', async () => {
    const bad = syncApp(fake, target, { token: 'pit-11111111-2222-4333-8444-555555555555' });
    try {
      const run = await (await bad.sync.start('tool', 'auto')).done;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/401.*GOHIGHLEVEL_API_KEY/s);
      expect(run.error).not.toContain('pit-11111111');
    } finally {
      await bad.close();
    }
  });

  it('runs one sync at a time: a second process joins the first', async () => {
    // Two apps on one database; for the embedded engine, one on-disk directory shared by both.
    const dir = engine === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'medtainer-sync-')) : null;
    const shared: DatabaseTarget = dir ? { kind: 'pglite', dataDir: path.join(dir, 'brain') } : target;
    const mine = dir ? syncApp(fake, shared) : app;
    const other = syncApp(fake, shared);
    fake.configure({ latencyMs: 100 });
    try {
      await mine.database();
      await other.database();
      const [a, b] = await Promise.all([mine.sync.start('tool', 'full'), other.sync.start('schedule', 'full')]);
      expect(a.runId).toBe(b.runId);
      expect([a.joined, b.joined].sort()).toEqual([false, true]);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.status).toBe('succeeded');
      expect(rb.id).toBe(ra.id);
    } finally {
      fake.configure({ latencyMs: 0 });
      await other.close();
      if (dir) {
        await mine.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('when the process running the sync that a caller joined stops before it finishes, the caller\'s sync runs anyway', async () => {
    const dir = engine === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'medtainer-sync-')) : null;
    const t = dir ? null : await createTestTarget(engine);
    const shared: DatabaseTarget = dir ? { kind: 'pglite', dataDir: path.join(dir, 'brain') } : t!.target;
    const quitting = syncApp(fake, shared, { sync: { pollMs: 20 } });
    const staying = syncApp(fake, shared, { sync: { pollMs: 20 } });
    fake.configure({ latencyMs: 300 });
    try {
      await quitting.database();
      await staying.database();
      const first = await quitting.sync.start('startup', 'full');
      const joined = await staying.sync.start('tool', 'full');
      expect(joined).toMatchObject({ joined: true, runId: first.runId });
      await quitting.close(); // a duplicate server quitting mid-run
      expect(await first.done).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted: the process running it/) });
      const row = await joined.done;
      expect(row).toMatchObject({ status: 'succeeded', mode: 'full', trigger: 'tool', contacts_fetched: fake.store.all().length });
      expect(Number(row.id)).not.toBe(first.runId);
    } finally {
      fake.configure({ latencyMs: 0 });
      await quitting.close();
      await staying.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await t?.drop();
    }
  });
});

describe('v1 API (location key, cursor paging)', () => {
  it('syncs fully, then incrementally in one request when nothing changed', async () => {
    const fake = await startFakeGhl({ contactCount: 345, seed: 5, opportunityCount: 30 });
    const { target, drop } = await createTestTarget(testEngines().at(-1)!);
    const app = syncApp(fake, target, { version: 'v1' });
    try {
      const full = await (await app.sync.start('cli', 'auto')).done;
      expect(full).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 345 });
      expect(await counts(app)).toEqual({ live: 345, deleted: 0 });
      const db = (await app.database()).db;
      const opps = await db.selectFrom('opportunities').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      expect(opps.n).toBe(30);

      fake.resetStats();
      const idle = await (await app.sync.start('cli', 'auto')).done;
      expect(idle).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_created: 0, contacts_updated: 0 });
      expect(fake.stats.requests).toBe(1);

      fake.store.updateContact(KNOWN.rachel, { email: 'rachel.baker@freshheadies.com' });
      const gone = fake.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!.id;
      fake.store.deleteContact(gone);
      const changed = await (await app.sync.start('cli', 'auto')).done;
      expect(changed).toMatchObject({ status: 'succeeded', contacts_updated: 1, contacts_deleted: 1 });
    } finally {
      await app.close();
      await fake.close();
      await drop();
    }
  });
});
