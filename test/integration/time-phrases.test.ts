import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Brain, buildBrain } from '../helpers/messy-brain.js';
import { testEngines } from '../helpers/test-db.js';

// Time phrases the owner uses, read through search_contacts: each finds what its structured
// equivalent finds, and none leaves a word behind as a name.
const NOW = new Date('2026-11-25T15:00:00Z'); // a Wednesday

describe.each(testEngines())('time phrases in a search (%s)', (engine) => {
  let b: Brain;
  beforeAll(async () => {
    b = await buildBrain(engine, NOW);
  });
  afterAll(async () => {
    await b?.close();
  });
  const search = (args: Record<string, unknown>) => b.search(args);
  const localMidnight = (d: Date) => {
    const m = new Date(d);
    m.setHours(0, 0, 0, 0);
    return m;
  };

  it('"who haven\'t I contacted this week / this month" finds who has been silent since the period began', async () => {
    const monday = localMidnight(NOW);
    monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7));
    const first = localMidnight(NOW);
    first.setDate(1);
    const db = (await b.app.database()).db;
    const silentSince = async (at: Date) =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts WHERE deleted_at IS NULL AND (last_activity_at IS NULL OR last_activity_at < ${at}::timestamptz)`.execute(db)).rows[0]!.n;
    for (const [query, at, label] of [
      ["who haven't I contacted this week", monday, 'no activity this week (since Monday)'],
      ["who haven't I contacted this month", first, 'no activity this month (since the 1st)'],
      ['no activity since monday', monday, 'no activity since Monday'],
    ] as const) {
      const out = await search({ query, limit: 1 });
      expect(out.interpretation, query).not.toMatch(/name or nickname|added/);
      expect(out.interpretation, query).toContain(label);
      expect(out.total, query).toBe(await silentSince(at));
      expect(out.total, query).toBeGreaterThan(0);
    }
    // A structured count of days given with the phrase is the one used.
    expect((await search({ query: "who haven't I contacted this week", not_contacted_within_days: 60 })).total).toBe((await search({ not_contacted_within_days: 60 })).total);
  });

  it('"leads from the past 3 months" finds every lead added in the last 3 months', async () => {
    const from = await search({ query: 'leads from the past 3 months' });
    expect(from.interpretation).not.toMatch(/name or nickname/);
    expect(from.total).toBe((await search({ query: 'leads added in the last 3 months' })).total);
    expect(from.total).toBe((await search({ type: 'lead', added_within_days: 90 })).total);
    expect(from.total).toBeGreaterThan(0);
  });

  it('understands hours, this year and since a weekday', async () => {
    expect((await search({ query: 'contacts added in the last 24 hours' })).total).toBe((await search({ added_within_days: 1 })).total);
    expect((await search({ query: 'contacts added in the last 48 hours' })).total).toBe((await search({ added_within_days: 2 })).total);
    const jan1 = localMidnight(NOW);
    jan1.setMonth(0, 1);
    const thisYear = await search({ query: 'customers added this year' });
    expect(thisYear.interpretation).not.toMatch(/name or nickname/);
    expect(thisYear.total).toBe(b.all.filter((c) => c.type === 'customer' && c.dateAdded >= jan1.getTime()).length);
    expect(thisYear.total).toBeGreaterThan(0);
    // On a Wednesday, since Monday is this week.
    const sinceMonday = await search({ query: 'contacts added since monday' });
    expect(sinceMonday.interpretation).not.toMatch(/name or nickname/);
    expect(sinceMonday.total).toBe((await search({ query: 'contacts added this week' })).total);
    expect(sinceMonday.total).toBeGreaterThan(0);
  });

  it.each([
    ["who's been quiet this month", 'quiet this month'],
    ['who went cold this week', 'cold this week'],
    ['who has gone quiet this month', 'quiet this month'],
    ['contacts gone cold this week', 'cold this week'],
    ['who has gone quiet for 30 days', 'quiet for 30 days'],
  ])('"%s" finds what "%s" finds (the verb is no name)', async (phrase, plain) => {
    const said = await search({ query: phrase });
    const base = await search({ query: plain });
    expect(base.total).toBeGreaterThan(0);
    expect(said.interpretation).not.toMatch(/name or nickname/);
    expect(said.total).toBe(base.total);
  });
});
