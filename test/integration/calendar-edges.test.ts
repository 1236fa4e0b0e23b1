import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeContact } from '../../src/fake-ghl/index.js';
import { openConnectedApp } from '../helpers/connected-app.js';
import { textOf } from '../helpers/mcp-client.js';
import { type Brain, buildBrain, DAY } from '../helpers/messy-brain.js';
import { testEngines } from '../helpers/test-db.js';

// Sunday 15 November 2026, mid-month: the month's first days are behind, its last ones ahead.
const NOW = new Date('2026-11-15T17:00:00Z');

/** Contacts added on known local days this November, and one on the 30th of last November. */
function addedOnKnownDays(): FakeContact[] {
  const at = (y: number, m: number, d: number, h = 12) => new Date(y, m, d, h).getTime();
  const base: Omit<FakeContact, 'id' | 'firstName' | 'dateAdded'> = {
    locationId: 'FakeLocation00000001', lastName: 'Calendar', companyName: null, email: null, phone: null, type: 'lead', source: 'test',
    tags: [], dateUpdated: NOW.getTime() - DAY, lastActivity: null, customFields: [], address1: null, city: null, state: null,
    postalCode: null, country: 'US', website: null, dnd: false,
  };
  return [
    { ...base, id: 'CalNov03000000000001', firstName: 'Novembra', dateAdded: at(2026, 10, 3) },
    { ...base, id: 'CalNov10000000000002', firstName: 'Decima', dateAdded: at(2026, 10, 10) },
    { ...base, id: 'CalNov30lastyear0003', firstName: 'Oldia', dateAdded: at(2025, 10, 30) },
  ];
}

describe.each(testEngines())('calendar phrases at month and year edges (%s)', (engine) => {
  let b: Brain;
  beforeAll(async () => {
    b = await buildBrain(engine, NOW, addedOnKnownDays);
  });
  afterAll(async () => {
    await b?.close();
  });
  const search = (args: Record<string, unknown>) => b.search(args);
  const addedBetween = (from: Date, before: Date) => b.all.filter((c) => c.dateAdded >= from.getTime() && c.dateAdded < before.getTime()).length;

  it('"between nov 1 and nov 30", asked mid-November, is this November, not the year before it', async () => {
    const out = await search({ query: 'contacts added between nov 1 and nov 30', limit: 100 });
    expect(out.interpretation).toContain('added between 2026-11-01 and 2026-11-30');
    expect(out.total).toBe(addedBetween(new Date(2026, 10, 1), new Date(2026, 11, 1)));
    expect(out.contacts.map((c) => c.id)).toEqual(expect.arrayContaining(['CalNov03000000000001', 'CalNov10000000000002']));
    expect(out.contacts.map((c) => c.id)).not.toContain('CalNov30lastyear0003');
  });

  it('a range across New Year, asked in early January, runs from December into January', async () => {
    b.setNow(new Date(2027, 0, 3, 12));
    try {
      const out = await search({ query: 'leads added between dec 20 and jan 5' });
      expect(out.interpretation).toContain('added between 2026-12-20 and 2027-01-05');
    } finally {
      b.setNow(NOW);
    }
  });

  it.each([
    ['who did I add this week', 'contacts added this week'],
    ['who did I add today', 'contacts added today'],
    ['who did I add yesterday', 'contacts added yesterday'],
    ['who did I add in the last 3 days', 'contacts added in the last 3 days'],
    ['who signed up this week', 'contacts added this week'],
  ])('"%s" finds what "%s" finds ("add" is no name)', async (said, plain) => {
    const a = await search({ query: said });
    const p = await search({ query: plain });
    expect(a.interpretation).not.toMatch(/name or nickname/);
    expect(a.total).toBe(p.total);
  });
});

describe.each(testEngines())('pipeline digest with a deal time no database can hold (%s)', (engine) => {
  it('answers live, the odd time left out, and keeps the mirror refreshing', async () => {
    const now = new Date();
    const { app, mcp, fake, close } = await openConnectedApp(engine, { contactCount: 50, seed: 9, opportunityCount: 40 }, {
      now: () => now,
      // A microsecond epoch read as milliseconds: year 58300, which toISOString writes as "+058300-…".
      prepare: (f) => void (f.store.opportunities.find((o) => o.status === 'open')!.lastStageChangeAt = 1_777_629_600_000_000),
    });
    try {
      const res = await mcp.call('gohighlevel_pipeline_digest', { fresh: true });
      expect(res.isError, textOf(res)).toBeFalsy();
      const out = res.structuredContent as { totals: { open_count: number } };
      expect(out.totals.open_count).toBe(fake.store.opportunities.filter((o) => o.status === 'open').length);
      const run = await (await app.sync.start('tool', 'full')).done;
      expect(run.errors.filter((e) => /opportunities were not refreshed/.test(e))).toEqual([]);
    } finally {
      await close();
    }
  });
});
