import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { searchContacts } from '../../src/search/search-contacts.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

const known = new Set<string>(Object.values(KNOWN));

// Deletions as they happen in a living account: offset by additions, in bulk, undone, and a run
// that fails while confirming them.
describe.each(testEngines())('deletions over many syncs (%s)', (engine) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function setup(seed: number, opts: { now?: () => Date } = {}): Promise<{ fake: FakeGhl; app: App }> {
    const fake = await startFakeGhl({ contactCount: 300, seed, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    const app = syncApp(fake, t.target, { now: opts.now });
    cleanups.push(async () => fake.close(), t.drop, async () => app.close());
    return { fake, app };
  }
  const deletedAt = async (app: App, id: string) =>
    (await (await app.database()).db.selectFrom('contacts').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow()).deleted_at;

  it('a deletion offset by an addition between two syncs: once the addition is in, the counts differ, so the deletion is found', async () => {
    let now = Date.now();
    const { fake, app } = await setup(31, { now: () => new Date(now) });
    expect((await (await app.sync.start('cli', 'auto')).done).mode).toBe('full');
    const victim = fake.store.all().find((c) => !known.has(c.id))!;
    fake.store.deleteContact(victim.id);
    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'NewContact0000000031', firstName: 'Olga', lastName: 'Orsini', email: 'olga@example.com' });
    now += 15 * 60_000;
    const first = await (await app.sync.start('schedule', 'auto')).done;
    expect(first).toMatchObject({ status: 'succeeded', contacts_created: 1, remote_total: 300 });
    // The brain now holds 301 live contacts, GHL 300: the count check says a reconcile is due.
    now += 15 * 60_000;
    const second = await (await app.sync.start('schedule', 'auto')).done;
    expect(second.status).toBe('succeeded');
    const local = await (await app.database()).db.selectFrom('contacts').select(sql<number>`count(*)::int`.as('n')).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
    expect({ local: local.n, remote: second.remote_total, victimDeleted: (await deletedAt(app, victim.id)) !== null }).toEqual({ local: 300, remote: 300, victimDeleted: true });
  });

  it('a contact that comes back after being deleted is restored even when GHL stamps it earlier than the copy the brain kept', async () => {
    const { fake, app } = await setup(32);
    await (await app.sync.start('cli', 'full')).done;
    const victim = fake.store.all().find((c) => !known.has(c.id))!;
    const copy = { ...victim };
    fake.store.deleteContact(victim.id);
    expect(await (await app.sync.start('cli', 'full')).done).toMatchObject({ status: 'succeeded', contacts_deleted: 1 });
    // Restored in GHL with a dateUpdated a second before the one the brain stored.
    fake.store.addContact(copy);
    fake.store.updateContact(copy.id, { dateUpdated: copy.dateUpdated - 1_000 });
    const back = await (await app.sync.start('cli', 'full')).done;
    expect(back.status).toBe('succeeded');
    expect(await deletedAt(app, victim.id)).toBeNull();
  });

  it('a bulk deletion beyond one run\'s confirmations is finished by the next scheduled sync, not a day later', async () => {
    let now = Date.now();
    const fake = await startFakeGhl({ contactCount: 1_200, seed: 33, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    const app = syncApp(fake, t.target, { now: () => new Date(now) });
    cleanups.push(async () => fake.close(), t.drop, async () => app.close());
    expect((await (await app.sync.start('cli', 'auto')).done).mode).toBe('full');
    const doomed = fake.store.all().filter((c) => !known.has(c.id)).slice(0, 700).map((c) => c.id);
    for (const id of doomed) fake.store.deleteContact(id);
    now += 15 * 60_000;
    const first = await (await app.sync.start('schedule', 'auto')).done;
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', contacts_deleted: 500 });
    expect(first.errors).toEqual([expect.stringMatching(/200 possibly deleted contacts are left to confirm on the next full sync/)]);
    // GHL says 500, the brain 700: the next 15-minute sync should confirm the other 200.
    now += 15 * 60_000;
    const next = await (await app.sync.start('schedule', 'auto')).done;
    expect({ mode: next.mode, deleted: next.contacts_deleted }).toEqual({ mode: 'full', deleted: 200 });
  });

  it('a run that fails while confirming deletions stops asking GoHighLevel once it has failed', async () => {
    const fake = await startFakeGhl({ contactCount: 400, seed: 71, rateLimit: { max: 10_000 }, latencyMs: 20 });
    const t = await createTestTarget(engine);
    const app = syncApp(fake, t.target);
    cleanups.push(async () => fake.close(), t.drop, async () => app.close());
    await (await app.sync.start('cli', 'full')).done;
    const doomed = fake.store.all().filter((c) => !known.has(c.id)).slice(0, 200).map((c) => c.id);
    for (const id of doomed) fake.store.deleteContact(id);
    // The first confirmation is refused outright (401 is not retried): the run fails.
    fake.fault({ times: 1, method: 'GET', pathPrefix: '/contacts/', status: 401, body: '{"statusCode":401,"message":"Invalid JWT"}' });
    const run = await (await app.sync.start('tool', 'full')).done;
    expect(run).toMatchObject({ status: 'failed', contacts_deleted: 0 });
    const atEnd = fake.stats.requests;
    await sleep(1_500);
    // At most the lookups already on their way when it failed (10 at a time); before, the other ~180 followed.
    expect(fake.stats.requests - atEnd).toBeLessThanOrEqual(10);
  });

  it('a 404 that is not GoHighLevel saying "no such contact" (a route miss, a proxy\'s page) confirms no deletion', async () => {
    const { fake, app } = await setup(33);
    await (await app.sync.start('cli', 'full')).done;
    const victim = fake.store.all().find((c) => !known.has(c.id))!;
    fake.store.deleteContact(victim.id);
    const misses = [
      `{"statusCode":404,"message":"Cannot GET /contacts/${victim.id}","error":"Not Found"}`,
      '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>',
    ];
    for (const body of misses) {
      fake.fault({ times: 1, method: 'GET', pathPrefix: '/contacts/', status: 404, body });
      const run = await (await app.sync.start('cli', 'full')).done;
      fake.clearFaults();
      expect(run).toMatchObject({ status: 'failed', contacts_deleted: 0 });
      expect(run.error).toContain('404');
      expect(await deletedAt(app, victim.id)).toBeNull();
    }
    // GHL's own "not found" confirms it.
    expect(await (await app.sync.start('cli', 'full')).done).toMatchObject({ status: 'succeeded', contacts_deleted: 1 });
    expect(await deletedAt(app, victim.id)).not.toBeNull();
  });

  it('a gap a full pass ended with (GHL counting a record the brain cannot hold) does not make every sync a full pass', async () => {
    let now = Date.now();
    const { fake, app } = await setup(35, { now: () => new Date(now) });
    // An id the client refuses (it would make the deletion check's GET another path): GHL counts it, the brain cannot hold it.
    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: '.', email: 'dot@example.com' });
    const full = await (await app.sync.start('cli', 'auto')).done;
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', remote_total: 301 });
    now += 15 * 60_000;
    const next = await (await app.sync.start('schedule', 'auto')).done;
    expect(next).toMatchObject({ status: 'succeeded', mode: 'incremental', api_requests: 2 });
  });

  it('a contact whose dateUpdated went backwards in GHL is brought in line by the daily full pass', async () => {
    let now = Date.now();
    const { fake, app } = await setup(34, { now: () => new Date(now) });
    await (await app.sync.start('cli', 'full')).done;
    const c = fake.store.all().find((x) => !known.has(x.id))!;
    // GHL corrects its clock: the contact's new company comes with an earlier stamp than the stored copy.
    fake.store.updateContact(c.id, { companyName: 'Clock Corrected LLC', dateUpdated: c.dateUpdated - 60_000 });
    now += 25 * 3600_000;
    const run = await (await app.sync.start('schedule', 'auto')).done;
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full' });
    const row = await (await app.database()).db.selectFrom('contacts').select('company_name').where('id', '=', c.id).executeTakeFirstOrThrow();
    expect({ company: row.company_name, updated: run.contacts_updated }).toEqual({ company: 'Clock Corrected LLC', updated: 1 });
  });

  it('with such a gap, a deletion offset by an addition is still found by the next syncs', async () => {
    let now = Date.now();
    const { fake, app } = await setup(36, { now: () => new Date(now) });
    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: '.', email: 'dot@example.com' });
    expect(await (await app.sync.start('cli', 'auto')).done).toMatchObject({ status: 'succeeded', mode: 'full', remote_total: 301 });
    const victim = fake.store.all().find((c) => !known.has(c.id) && c.id !== '.')!;
    fake.store.deleteContact(victim.id);
    fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'NewContact0000000036', firstName: 'Olga', lastName: 'Orsini', email: 'olga@example.com' });
    now += 15 * 60_000;
    expect(await (await app.sync.start('schedule', 'auto')).done).toMatchObject({ status: 'succeeded', contacts_created: 1 });
    now += 15 * 60_000;
    expect((await (await app.sync.start('schedule', 'auto')).done).status).toBe('succeeded');
    expect(await deletedAt(app, victim.id)).not.toBeNull();
  });
});
