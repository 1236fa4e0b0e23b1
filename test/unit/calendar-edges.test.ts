// A zone whose clock change skips midnight itself (Chile moves from 24:00 to 01:00 on the first
// Sunday of September), set before any date is made: that Sunday begins at 01:00.
process.env.TZ = 'America/Santiago';
import { describe, expect, it } from 'vitest';
import { parseOpportunity } from '../../src/ghl/parse-opportunity.js';
import { parseQuery } from '../../src/search/parse-query.js';

const added = (q: string, now: Date) => {
  const r = parseQuery(q, now);
  expect(r.name, q).toBeUndefined();
  return [r.addedSince?.toISOString(), r.addedBefore?.toISOString()];
};

describe('calendar days on the day a clock change skips midnight', () => {
  // Sunday 6 September 2026, noon in Santiago (-03 since 01:00; Saturday was -04).
  const now = new Date('2026-09-06T15:00:00Z');

  it('other days still begin at their own midnight', () => {
    // Monday 31 August 00:00 -04 is 04:00Z; the 1st and Friday likewise.
    expect(added('added this week', now)).toEqual(['2026-08-31T04:00:00.000Z', undefined]);
    expect(added('added this month', now)).toEqual(['2026-09-01T04:00:00.000Z', undefined]);
    expect(added('added yesterday', now)).toEqual(['2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z']);
    expect(added('added since friday', now)).toEqual(['2026-09-04T04:00:00.000Z', undefined]);
    expect(added('added on friday', now)).toEqual(['2026-09-04T04:00:00.000Z', '2026-09-05T04:00:00.000Z']);
    expect(parseQuery('no activity this week', now).silentSince?.toISOString()).toBe('2026-08-31T04:00:00.000Z');
    // Today itself begins at 01:00 -03, the first moment it has.
    expect(added('added today', now)).toEqual(['2026-09-06T04:00:00.000Z', undefined]);
  });
});

describe('a range of days said without years', () => {
  it('ends at the first such day after its start, across a month or the New Year', () => {
    const midNovember = new Date(2026, 10, 15, 12);
    expect(added('added between nov 1 and nov 30', midNovember)).toEqual([new Date(2026, 10, 1).toISOString(), new Date(2026, 11, 1).toISOString()]);
    expect(added('added between oct 1 and oct 15', new Date(2026, 9, 10, 12))).toEqual([new Date(2026, 9, 1).toISOString(), new Date(2026, 9, 16).toISOString()]);
    expect(added('added between october and december', midNovember)).toEqual([new Date(2026, 9, 1).toISOString(), new Date(2027, 0, 1).toISOString()]);
    const earlyJanuary = new Date(2027, 0, 3, 12);
    expect(added('added between dec 20 and jan 5', earlyJanuary)).toEqual([new Date(2026, 11, 20).toISOString(), new Date(2027, 0, 6).toISOString()]);
    // A start without a year before an end with one; two dates with years said the other way round.
    expect(added('added between nov 1 and nov 30 2025', midNovember)).toEqual([new Date(2025, 10, 1).toISOString(), new Date(2025, 11, 1).toISOString()]);
    expect(added('added between 11/30/2025 and 11/1/2025', midNovember)).toEqual([new Date(2025, 10, 1).toISOString(), new Date(2025, 11, 1).toISOString()]);
  });

  it('reads "feb 29" as the last leap day, also in a year without one', () => {
    expect(added('added on feb 29', new Date(2027, 5, 1))).toEqual([new Date(2024, 1, 29).toISOString(), new Date(2024, 2, 1).toISOString()]);
    expect(added('added on 2/29', new Date(2028, 0, 10))).toEqual([new Date(2024, 1, 29).toISOString(), new Date(2024, 2, 1).toISOString()]);
    expect(parseQuery('added on feb 30', new Date(2027, 5, 1)).addedSince).toBeUndefined();
  });
});

describe('"within" a count of days', () => {
  it('reads as in the last that many days, as the structured fields say it', () => {
    const now = new Date(2026, 10, 25, 15, 30);
    expect(added('leads added within 7 days', now)).toEqual([new Date(now.getTime() - 7 * 86_400_000).toISOString(), undefined]);
    const r = parseQuery('not contacted within 30 days', now);
    expect([r.name, r.silentForDays]).toEqual([undefined, 30]);
  });
});

describe('an opportunity\'s times', () => {
  const times = (v: unknown) => {
    const p = parseOpportunity({ id: 'o1', pipelineId: 'p1', status: 'open', lastStageChangeAt: v, lastStatusChangeAt: v, createdAt: v });
    if (!p.ok) throw new Error(p.problem);
    return [p.value.lastStageChangeAt, p.value.lastStatusChangeAt, p.value.createdAt];
  };

  it('are read as a contact\'s are: zoneless text as UTC, epoch seconds as seconds', () => {
    expect(times('2026-05-01T10:00:00')).toEqual(Array(3).fill('2026-05-01T10:00:00.000Z'));
    expect(times(1751328000)).toEqual(Array(3).fill('2025-07-01T00:00:00.000Z'));
    expect(times('1751328000000')).toEqual(Array(3).fill('2025-07-01T00:00:00.000Z'));
  });

  it('leave out a time no database can hold', () => {
    expect(times(1_777_629_600_000_000)).toEqual([null, null, null]);
  });
});
