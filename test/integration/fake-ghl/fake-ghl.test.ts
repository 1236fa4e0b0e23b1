import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, generateContacts, KNOWN, startFakeGhl } from '../../../src/fake-ghl/index.js';

const v2 = (fake: FakeGhl, path: string, init: RequestInit = {}, token = fake.tokens.v2) =>
  fetch(`${fake.url}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, Version: '2021-07-28', 'Content-Type': 'application/json', ...(init.headers as object) } });
const j = async (r: Promise<Response>): Promise<any> => (await r).json();
const search = (fake: FakeGhl, body: Record<string, unknown>) => v2(fake, '/contacts/search', { method: 'POST', body: JSON.stringify({ locationId: fake.locationId, ...body }) });

describe('the fake GoHighLevel', () => {
  let fake: FakeGhl;
  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 1_234, seed: 7, opportunityCount: 250 });
  });
  afterAll(() => fake.close());

  it('checks the token, the Version header and the location', async () => {
    expect((await search(fake, { pageLimit: 1 })).status).toBe(200);
    const bad = await v2(fake, '/contacts/search', { method: 'POST', body: '{}' }, 'pit-wrong');
    expect(bad.status).toBe(401);
    expect((await j(Promise.resolve(bad))).message).toBe('Invalid JWT');
    const noVersion = await fetch(`${fake.url}/contacts/search`, { method: 'POST', headers: { Authorization: `Bearer ${fake.tokens.v2}` }, body: '{}' });
    expect((await j(Promise.resolve(noVersion))).message).toBe('version header was not found.');
    const other = await search(fake, { pageLimit: 1, locationId: 'SomeOtherLocation' });
    expect(other.status).toBe(403);
    expect((await fetch(`${fake.url}/nowhere`, { headers: { Authorization: `Bearer ${fake.tokens.v2}`, Version: 'v3' } })).status).toBe(404);
  });

  it('pages v2 search by page number and by searchAfter, each contact once', async () => {
    const ids = new Set<string>();
    for (let page = 1; page <= 3; page++) {
      const body = await j(search(fake, { pageLimit: 500, page, sort: [{ field: 'dateAdded', direction: 'asc' }] }));
      expect(body.total).toBe(1_234);
      for (const c of body.contacts) ids.add(c.id);
    }
    expect(ids.size).toBe(1_234);
    const viaCursor = new Set<string>();
    let after: unknown;
    for (;;) {
      const body = await j(search(fake, { pageLimit: 300, sort: [{ field: 'dateUpdated', direction: 'asc' }], ...(after ? { searchAfter: after } : {}) }));
      if (body.contacts.length === 0) break;
      for (const c of body.contacts) viaCursor.add(c.id);
      after = body.contacts.at(-1).searchAfter;
    }
    expect(viaCursor.size).toBe(1_234);
  });

  it('refuses pages beyond the 10,000-record window and oversized pages', async () => {
    expect((await search(fake, { pageLimit: 500, page: 21 })).status).toBe(422);
    expect((await search(fake, { pageLimit: 501 })).status).toBe(422);
  });

  it('filters by dateUpdated range with ISO strings or epoch ms, and excludes by id', async () => {
    const all = generateContacts({ count: 1_234, seed: 7, locationId: fake.locationId, now: Date.now() });
    const cut = [...all].sort((a, b) => a.dateUpdated - b.dateUpdated)[1_000]!.dateUpdated;
    const expected = all.filter((c) => c.dateUpdated >= cut).length;
    const iso = await j(search(fake, { pageLimit: 1, filters: [{ field: 'dateUpdated', operator: 'range', value: { gte: new Date(cut).toISOString() } }] }));
    const ms = await j(search(fake, { pageLimit: 1, filters: [{ field: 'dateUpdated', operator: 'range', value: { gte: cut } }] }));
    expect(iso.total).toBeGreaterThan(200);
    expect(iso.total).toBe(ms.total);
    expect(iso.total).toBeGreaterThanOrEqual(expected - 2);
    const without = await j(search(fake, { pageLimit: 1, filters: [{ field: 'id', operator: 'not_eq', value: KNOWN.rachel }] }));
    expect(without.total).toBe(1_233);
  });

  it('pages v1 contacts with startAfter/startAfterId, newest first, with meta', async () => {
    const ids: string[] = [];
    let url = `${fake.v1Url}/contacts/?limit=100`;
    let first = true;
    for (;;) {
      const body = await j(fetch(url, { headers: { Authorization: `Bearer ${fake.tokens.v1}` } }));
      if (first) expect(body.meta).toMatchObject({ total: 1_234, currentPage: 1, nextPage: 2, prevPage: null });
      first = false;
      ids.push(...body.contacts.map((c: { id: string }) => c.id));
      if (!body.meta.nextPageUrl) break;
      expect(body.meta.nextPageUrl).toMatch(/^http:\/\//);
      url = `${fake.v1Url}/contacts/?limit=100&startAfter=${body.meta.startAfter}&startAfterId=${body.meta.startAfterId}`;
    }
    expect(ids.length).toBe(1_234);
    expect(new Set(ids).size).toBe(1_234);
  });

  it('answers 429 with the rate-limit headers after max requests', async () => {
    const limited = await startFakeGhl({ contactCount: 10, rateLimit: { max: 3, intervalMs: 60_000 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await search(limited, { pageLimit: 1 })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const r = await search(limited, { pageLimit: 1 });
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(r.headers.get('x-ratelimit-max')).toBe('3');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      limited.configure({ rateLimit: { retryAfter: false } });
      expect((await search(limited, { pageLimit: 1 })).headers.get('retry-after')).toBeNull();
      expect(limited.stats.rateLimited).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('injects faults and hides very recent writes from search', async () => {
    fake.fault({ times: 2, pathPrefix: '/contacts/search', status: 503 });
    expect((await search(fake, { pageLimit: 1 })).status).toBe(503);
    expect((await search(fake, { pageLimit: 1 })).status).toBe(503);
    expect((await search(fake, { pageLimit: 1 })).status).toBe(200);
    fake.configure({ indexLagMs: 60_000 });
    fake.store.updateContact(KNOWN.rene, { companyName: 'Maison Lefèvre & Fils' });
    const hidden = await j(search(fake, { pageLimit: 1 }));
    expect(hidden.total).toBe(1_233);
    fake.configure({ indexLagMs: 0 });
  });

  it('pages opportunities past the first page, per pipeline', async () => {
    let total = 0;
    for (const p of fake.store.pipelines) {
      let cursor = '';
      for (;;) {
        const body = await j(v2(fake, `/opportunities/search?location_id=${fake.locationId}&pipeline_id=${p.id}&limit=100${cursor}`));
        total += body.opportunities.length;
        if (!body.meta.nextPageUrl) break;
        cursor = `&startAfter=${body.meta.startAfter}&startAfterId=${body.meta.startAfterId}`;
      }
    }
    expect(total).toBe(250);
  });

  it('generates the same location for the same seed, with distinct ids at 100,000', () => {
    const a = generateContacts({ count: 300, seed: 3, now: 1_700_000_000_000 });
    const b = generateContacts({ count: 300, seed: 3, now: 1_700_000_000_000 });
    expect(a).toEqual(b);
    const big = generateContacts({ count: 100_000, seed: 1 });
    expect(new Set(big.map((c) => c.id)).size).toBe(100_000);
    expect(big.every((c) => c.id.length === 20)).toBe(true);
  });
});
