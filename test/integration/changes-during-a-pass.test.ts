import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, type FakeGhlOptions, KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp, type SyncAppOptions } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

/** GHL changing while a sync reads it, and a first import that did not finish: what the next runs make of it. */
describe.each(testEngines())('changes while a sync reads, and imports finished later (%s)', (engine) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  let now = Date.parse('2026-11-24T15:00:00Z');
  async function setup(fo: FakeGhlOptions, ao: SyncAppOptions = {}): Promise<{ fake: FakeGhl; app: App }> {
    const fake = await startFakeGhl({ rateLimit: { max: 100_000 }, ...fo });
    const { target, drop } = await createTestTarget(engine);
    const app = syncApp(fake, target, { now: () => new Date(now), ...ao });
    cleanups.push(drop, async () => fake.close(), async () => app.close());
    return { fake, app };
  }
  const sync = async (app: App) => (await app.sync.start('schedule', 'auto')).done;
  const live = async (app: App) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts WHERE deleted_at IS NULL`.execute((await app.database()).db)).rows[0]!.n;
  const createdHistory = async (app: App) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM interaction_history WHERE kind = 'created'`.execute((await app.database()).db)).rows[0]!.n;
  const otherThanKnown = (fake: FakeGhl) => fake.store.all().filter((c) => !(Object.values(KNOWN) as string[]).includes(c.id));

  it('a contact added while a full pass reads leaves no false gap: the next sync is idle, and a later deletion is found', async () => {
    const { fake, app } = await setup({ contactCount: 1_234, seed: 5 });
    let added = false;
    fake.configure({
      beforeAnswer: (route, body) => {
        if (added || route !== 'POST /contacts/search' || (body as { page?: number }).page !== 2) return;
        added = true;
        fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'AddedDuringThePass01', firstName: 'Mid', lastName: 'Pass', email: 'mid@example.com' });
      },
    });
    const full = await sync(app);
    fake.configure({ beforeAnswer: undefined });
    expect(added).toBe(true);
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 1_235, errors: [] });
    // GHL's count as the pass ended; it moved while the pages were read, so no gap is kept.
    expect([full.remote_total, full.local_total]).toEqual([1_235, null]);

    now += 15 * 60_000;
    fake.resetStats();
    const idle = await sync(app);
    expect(idle).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    expect(idle.api_requests).toBeLessThanOrEqual(2);

    const gone = otherThanKnown(fake)[0]!.id;
    fake.store.deleteContact(gone);
    now += 15 * 60_000;
    const next = await sync(app);
    // The counts disagree (1,234 against 1,235), which the gap recorded before would have hidden.
    expect(next).toMatchObject({ status: 'succeeded', mode: 'full', contacts_deleted: 1 });
    expect(await live(app)).toBe(1_234);
  });

  it('finishing a first import that failed part-way records no contact as added in GoHighLevel; one added afterwards is', async () => {
    const { fake, app } = await setup({ contactCount: 1_234, seed: 3 });
    // The third page keeps failing: the first two are stored, then the run fails.
    fake.fault({ pathPrefix: '/contacts/search', skip: 2, times: 50, status: 500 });
    const failed = await sync(app);
    fake.clearFaults();
    expect(failed.status).toBe('failed');
    expect(await live(app)).toBeGreaterThan(0);
    expect(await live(app)).toBeLessThan(1_234);

    const resumed = await sync(app);
    expect(resumed).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(await live(app)).toBe(1_234);
    expect(await createdHistory(app)).toBe(0);

    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'AddedAfterTheImport1', firstName: 'Nadia', lastName: 'Novak', email: 'nadia@example.com' });
    now += 15 * 60_000;
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_created: 1 });
    expect(await createdHistory(app)).toBe(1);
  });

  it('a contact that changes again while the run reads is counted once, as updated', async () => {
    const { fake, app } = await setup({ contactCount: 900, seed: 8 });
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'full' });
    now += 15 * 60_000;
    // 600 contacts change: two pages of changes, read in order of change.
    const changed = otherThanKnown(fake).slice(0, 600);
    for (const c of changed) fake.store.updateContact(c.id, { tags: ['reorder'] });
    const first = changed[0]!.id;
    let again = false;
    fake.configure({
      beforeAnswer: (route, body) => {
        if (again || route !== 'POST /contacts/search' || !(body as { searchAfter?: unknown }).searchAfter) return;
        // As the second page is asked for, one already read on the first changes again: it moves to the end of the list.
        again = true;
        fake.store.updateContact(first, { tags: ['reorder', 'vip'] });
      },
    });
    const run = await sync(app);
    fake.configure({ beforeAnswer: undefined });
    expect(again).toBe(true);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 600, contacts_created: 0 });
    // Besides the 600, those the run reads again for safety (changed just before the previous run began).
    expect(run.contacts_fetched).toBe(600 + run.contacts_unchanged);
    const tags = (await sql<{ tags: string[] }>`SELECT tags FROM contacts WHERE id = ${first}`.execute((await app.database()).db)).rows[0]!.tags;
    expect(tags).toEqual(['reorder', 'vip']);
  });

  it('an incremental sync of more than a page loses no change when the list shifts and grows while it is read', async () => {
    const { fake, app } = await setup({ contactCount: 2_000, seed: 7, now: () => now });
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'full' });
    // A bulk edit in GHL (a workflow tagging 600 contacts) a minute later.
    now += 60_000;
    const bulk = fake.store.sorted('dateAdded').slice(0, 600).map((c) => c.id);
    for (const id of bulk) fake.store.updateContact(id, { tags: [...fake.store.get(id)!.tags, 'bulk-tag'] });

    // While the next sync reads its second page of changes, a contact it read on the first changes
    // again (it moves to the end of the list) and one unchanged for long is edited (it joins it).
    now += 15 * 60_000;
    let firstOfPage2: string | null = null;
    let again: string | null = null;
    fake.configure({
      beforeAnswer: (route, body) => {
        const b = body as { page?: number; searchAfter?: unknown; filters?: Array<{ field: string; value: { gte?: string } }> };
        const gte = b.filters?.find((f) => f.field === 'dateUpdated')?.value.gte;
        if (firstOfPage2 || route !== 'POST /contacts/search' || !gte || (b.page ?? 1) === 1 && !b.searchAfter) return;
        const list = fake.store.sorted('dateUpdated').filter((c) => c.dateUpdated >= Date.parse(gte));
        firstOfPage2 = list[500]!.id;
        again = list[0]!.id;
        now += 1_000;
        fake.store.updateContact(again, { city: 'Edited Again' });
        fake.store.updateContact(fake.store.sorted('dateUpdated')[0]!.id, { city: 'Edited Old' });
      },
    });
    const run = await sync(app);
    fake.configure({ beforeAnswer: undefined });
    expect(firstOfPage2).not.toBeNull();
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', errors: [], contacts_updated: 601 });
    const db = (await app.database()).db;
    const stored = async (id: string) => (await sql<{ tags: string[]; data: { city?: string } }>`SELECT tags, data FROM contacts WHERE id = ${id}`.execute(db)).rows[0]!;
    // The record numbered pages would have let slip between the first page and the second.
    expect((await stored(firstOfPage2!)).tags).toContain('bulk-tag');
    expect((await stored(again!)).data.city).toBe('Edited Again');
    const inBrain = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts WHERE 'bulk-tag' = ANY(tags)`.execute(db);
    expect(inBrain.rows[0]!.n).toBe(600);
  });

  it('stops chasing changes that keep coming while it reads; the next sync reads the rest', async () => {
    const { fake, app } = await setup({ contactCount: 8_000, seed: 12, now: () => now });
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'full' });
    now += 60_000;
    const queue = otherThanKnown(fake).map((c) => c.id);
    const change = (n: number) => {
      for (const id of queue.splice(0, n)) fake.store.updateContact(id, { tags: ['kept-coming'] });
    };
    change(600);
    now += 15 * 60_000;
    // Every page asked for after the first, another 500 change: the list never ends while it is read.
    let asked = 0;
    fake.configure({
      beforeAnswer: (route, body) => {
        if (route !== 'POST /contacts/search' || !(body as { searchAfter?: unknown }).searchAfter) return;
        asked += 1;
        now += 1_000;
        change(500);
      },
    });
    const run = await sync(app);
    fake.configure({ beforeAnswer: undefined });
    // Two pages held the 600 changes made before the run; ten more are read, then the run ends.
    expect(asked).toBe(11);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_fetched: 12 * 500 });
    now += 15 * 60_000;
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    const tagged = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts WHERE tags = '{kept-coming}'`.execute((await app.database()).db);
    expect(tagged.rows[0]!.n).toBe(600 + 11 * 500);
  });

  it('reads the changes with numbered pages when GHL gives no cursor', async () => {
    const { fake, app } = await setup({ contactCount: 1_500, seed: 6, now: () => now });
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'full' });
    now += 60_000;
    const bulk = fake.store.sorted('dateAdded').slice(0, 700).map((c) => c.id);
    for (const id of bulk) fake.store.updateContact(id, { tags: ['bulk-tag'] });
    now += 15 * 60_000;
    // The first page of changes as GHL would send it without the records' searchAfter.
    const answer = await fetch(`${fake.url}/contacts/search`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.tokens.v2}`, Version: '2021-07-28', 'content-type': 'application/json' },
      body: JSON.stringify({ locationId: fake.locationId, pageLimit: 500, page: 1, sort: [{ field: 'dateUpdated', direction: 'asc' }] }),
    });
    const page = (await answer.json()) as { contacts: Array<Record<string, unknown>> };
    for (const c of page.contacts) delete c.searchAfter;
    fake.fault({ times: 1, pathPrefix: '/contacts/search', status: 200, body: JSON.stringify(page) });
    const run = await sync(app);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 700 });
    const tagged = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts WHERE tags = '{bulk-tag}'`.execute((await app.database()).db);
    expect(tagged.rows[0]!.n).toBe(700);
  });

  /**
   * GHL deletes a contact already read and adds one while a first import reads its numbered pages:
   * every later record moves back a place, so the first of page 2 sits on page 1, read already. The
   * counts agree (one gone, one new), so only the new contact's dateAdded tells the list changed.
   */
  it('a first import re-reads the list when a deletion and an addition cancel out, and the next sync finds the deletion', async () => {
    const { fake, app } = await setup({ contactCount: 1_234, seed: 11, now: () => now });
    const order = fake.store.sorted('dateAdded').map((c) => c.id);
    const [readThenDeleted, slipped] = [order[0]!, order[500]!];
    let changed = false;
    fake.configure({
      beforeAnswer: (route, body) => {
        if (changed || route !== 'POST /contacts/search' || (body as { page?: number }).page !== 2) return;
        changed = true;
        now += 5_000;
        fake.store.deleteContact(readThenDeleted);
        fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'AddedDuringThePass02', firstName: 'Noor', lastName: 'Late', email: 'noor@example.com', dateAdded: now });
      },
    });
    const first = await sync(app);
    fake.configure({ beforeAnswer: undefined });
    expect(changed).toBe(true);
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', errors: [] });
    const ids = async () => (await sql<{ id: string }>`SELECT id FROM contacts WHERE deleted_at IS NULL`.execute((await app.database()).db)).rows.map((r) => r.id);
    // The list was read again, so the contact that slipped between two pages is here.
    expect(await ids()).toEqual(expect.arrayContaining([slipped, 'AddedDuringThePass02']));
    // GHL's count held still, but the brain holds one it no longer has: no gap is kept for it.
    expect(first.local_total).toBeNull();

    now += 15 * 60_000;
    const next = await sync(app);
    expect(next).toMatchObject({ status: 'succeeded', mode: 'full', contacts_deleted: 1 });
    expect(await live(app)).toBe(1_234);
    expect(await ids()).not.toContain(readThenDeleted);
  });

  it('a later full pass keeps no gap when a deletion of a contact already read is offset by an addition', async () => {
    const { fake, app } = await setup({ contactCount: 1_234, seed: 12, now: () => now });
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'full' });
    const readFirst = fake.store.sorted('dateAdded')[0]!.id;
    let step = 0;
    fake.configure({
      beforeAnswer: (route, body) => {
        if (route !== 'POST /contacts/search') return;
        const { page, pageLimit } = body as { page?: number; pageLimit?: number };
        // One is added as the last page is asked for (and read on it); once every page is read,
        // as GHL's count is asked, one read on the first page is deleted: nothing slips.
        if (step === 0 && page === 3) {
          step = 1;
          now += 5_000;
          fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'AddedDuringThePass03', firstName: 'Ivo', lastName: 'Late', email: 'ivo@example.com', dateAdded: now });
        } else if (step === 1 && pageLimit === 1) {
          step = 2;
          fake.store.deleteContact(readFirst);
        }
      },
    });
    now += 60 * 60_000;
    const full = await (await app.sync.start('cli', 'full')).done;
    fake.configure({ beforeAnswer: undefined });
    expect(step).toBe(2);
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 1, contacts_deleted: 0, remote_total: 1_234, errors: [] });
    // GHL's count held still (one added, one deleted), but the brain holds 1,235: no gap is kept.
    expect(full.local_total).toBeNull();

    now += 15 * 60_000;
    expect(await sync(app)).toMatchObject({ status: 'succeeded', mode: 'full', contacts_deleted: 1 });
    expect(await live(app)).toBe(1_234);
  });

  it('a contact GHL dates in the future, or a Date header behind GHL\'s clock, makes no full pass read the list twice', async () => {
    const { fake, app } = await setup({ contactCount: 700, seed: 13, now: () => now });
    const future = otherThanKnown(fake)[0]!.id;
    fake.store.updateContact(future, { dateAdded: now + 86_400_000 });
    const first = await sync(app);
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 700, errors: [], local_total: 700 });
    const requests = first.api_requests;

    // A proxy's Date header three minutes behind, and a contact added just before the pass.
    fake.configure({ dateHeaderOffsetMs: -180_000 });
    now += 60 * 60_000;
    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'AddedJustBefore00001', firstName: 'Pia', lastName: 'Early', email: 'pia@example.com', dateAdded: now - 30_000 });
    const full = await (await app.sync.start('cli', 'full')).done;
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 1, errors: [], local_total: 701 });
    expect(full.api_requests).toBe(requests);
  });

  it('v1: a contact deleted while a full pass reads is no missing contact, and the next sync is idle', async () => {
    const { fake, app } = await setup({ contactCount: 450, seed: 4 }, { version: 'v1' });
    let pages = 0;
    let deleted: string | null = null;
    fake.configure({
      beforeAnswer: (route) => {
        if (!/^GET \/v1\/contacts\/?$/.test(route) || ++pages !== 3) return;
        // One on a page not read yet (v1 lists the newest added first).
        deleted = fake.store.sorted('dateAdded').find((c) => !(Object.values(KNOWN) as string[]).includes(c.id))!.id;
        fake.store.deleteContact(deleted);
      },
    });
    const full = await sync(app);
    fake.configure({ beforeAnswer: undefined });
    expect(deleted).not.toBeNull();
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', contacts_created: 449, errors: [] });
    expect([full.remote_total, full.local_total]).toEqual([449, null]);

    now += 15 * 60_000;
    fake.resetStats();
    const idle = await sync(app);
    expect(idle).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_created: 0, contacts_updated: 0 });
  });
});
