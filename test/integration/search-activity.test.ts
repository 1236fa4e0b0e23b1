import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOfMonth, startOfWeek } from '../../src/search/time-words.js';
import { type Brain, buildBrain, DAY } from '../helpers/messy-brain.js';
import { testEngines } from '../helpers/test-db.js';

// Who was active in a period: "who did I talk to this week?", "active leads". A Wednesday.
const NOW = new Date('2026-11-25T15:00:00Z');

describe.each(testEngines())('activity within a period (%s)', (engine) => {
  let b: Brain;
  beforeAll(async () => {
    b = await buildBrain(engine, NOW);
  });
  afterAll(async () => {
    await b?.close();
  });

  /** How many current contacts (of a type) had activity at or after `since`: what the brain holds, counted directly. */
  const activeSince = async (since: Date, type?: string): Promise<number> => {
    const db = (await b.app.database()).db;
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM contacts
      WHERE deleted_at IS NULL AND last_activity_at >= ${since}::timestamptz AND (${type ?? null}::text IS NULL OR type = ${type ?? null})`.execute(db);
    return Number(rows[0]!.n);
  };

  it('reads "talked to this week", "contacted in the last 7 days", "active this month", "spoke with since monday" as activity since then', async () => {
    const cases: Array<[string, Date, string | undefined, RegExp]> = [
      ['who did I talk to this week?', startOfWeek(NOW), undefined, /^active this week \(since Monday\), sorted by latest activity$/],
      ['who have I contacted in the last 7 days', new Date(NOW.getTime() - 7 * DAY), undefined, /^active in the last 7 days, sorted by latest activity$/],
      ['contacts active this month', startOfMonth(NOW), undefined, /^active this month \(since the 1st\), sorted by latest activity$/],
      // Said on a Wednesday: Monday this week.
      ['leads I spoke with since monday', startOfWeek(NOW), 'lead', /^type=lead, active since Monday \(\d{4}-\d\d-\d\d\), sorted by latest activity$/],
    ];
    for (const [query, since, type, interpretation] of cases) {
      const out = await b.search({ query, limit: 100 });
      expect(out.interpretation, query).toMatch(interpretation);
      const expected = await activeSince(since, type);
      expect(expected, query).toBeGreaterThan(0);
      expect(out.total, query).toBe(expected);
      // The latest activity first, each within the period.
      const times = (out.contacts as unknown as Array<{ last_activity_at: string | null }>).map((c) => Date.parse(c.last_activity_at!));
      expect(times.every((t) => t >= since.getTime()), query).toBe(true);
      expect([...times].sort((x, y) => y - x), query).toEqual(times);
    }
  });

  it('reads "active leads" as leads active in the last 30 days, and says so', async () => {
    const out = await b.search({ query: 'active leads' });
    expect(out.interpretation).toBe('type=lead, active in the last 30 days, sorted by latest activity');
    const expected = await activeSince(new Date(NOW.getTime() - 30 * DAY), 'lead');
    expect(expected).toBeGreaterThan(0);
    expect(out.total).toBe(expected);
  });

  it('keeps a negation a silence: "haven\'t contacted in 30 days", "haven\'t called in 2 weeks", "no activity", "didn\'t talk to this week"', async () => {
    const same: Array<[string, Record<string, unknown>]> = [
      ["who haven't I contacted in 30 days", { not_contacted_within_days: 30 }],
      ["leads I haven't called in 2 weeks", { type: 'lead', not_contacted_within_days: 14 }],
      ['contacts with no activity', { not_contacted_within_days: 30 }],
    ];
    for (const [query, fields] of same) {
      const out = await b.search({ query });
      expect(out.interpretation, query).not.toMatch(/active|name or nickname/);
      expect(out.total, query).toBe((await b.search(fields)).total);
    }
    // Everyone not active this week: the rest of the brain.
    const talked = await b.search({ query: 'who did I talk to this week?' });
    const silent = await b.search({ query: "who didn't I talk to this week?" });
    expect(silent.interpretation).toBe('no activity this week (since Monday), sorted by importance');
    expect(silent.total + talked.total).toBe(b.all.length);
  });
});
