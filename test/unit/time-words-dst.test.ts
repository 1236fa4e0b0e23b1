// A zone with DST changes, set before any date is made: "yesterday" and "since <weekday>" are
// local calendar days, which next to a change are 23 or 25 hours long.
process.env.TZ = 'America/Los_Angeles';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/search/parse-query.js';

const iso = (r: { addedSince?: Date; addedBefore?: Date }) => ({ since: r.addedSince?.toISOString(), before: r.addedBefore?.toISOString() });

describe('local calendar days next to a DST change', () => {
  it('"yesterday" is the whole of the day before, when it had 25 hours', () => {
    // Monday 2 Nov 2026; Sunday 1 Nov began 00:00 PDT (07:00Z) and ended 00:00 PST (08:00Z).
    expect(iso(parseQuery('contacts added yesterday', new Date('2026-11-02T15:00:00Z')))).toEqual({ since: '2026-11-01T07:00:00.000Z', before: '2026-11-02T08:00:00.000Z' });
  });

  it('"yesterday" is the whole of the day before, when it had 23 hours', () => {
    // Monday 9 Mar 2026; Sunday 8 Mar began 00:00 PST (08:00Z) and ended 00:00 PDT (07:00Z).
    expect(iso(parseQuery('contacts added yesterday', new Date('2026-03-09T15:00:00Z')))).toEqual({ since: '2026-03-08T08:00:00.000Z', before: '2026-03-09T07:00:00.000Z' });
  });

  it('"since <weekday>" and "this year" begin at local midnight across a change', () => {
    // Wednesday 4 Nov 2026 (PST); the Friday before was in PDT.
    const now = new Date('2026-11-04T20:00:00Z');
    expect(parseQuery('added since friday', now).addedSince?.toISOString()).toBe('2026-10-30T07:00:00.000Z');
    expect(parseQuery('added since monday', now).addedSince?.toISOString()).toBe('2026-11-02T08:00:00.000Z');
    expect(parseQuery('no activity since friday', now).silentSince?.toISOString()).toBe('2026-10-30T07:00:00.000Z');
    expect(parseQuery('added this year', now).addedSince?.toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });
});
