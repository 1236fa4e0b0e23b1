import { describe, expect, it } from 'vitest';
import { describe as say, parseQuery } from '../../src/search/parse-query.js';

const now = new Date(2026, 10, 25, 15, 30); // Wednesday 25 November 2026, server time
const local = (y: number, m: number, d: number) => new Date(y, m, d).toISOString();

/** The added-date window a question was read as; nothing of it may be left over as a name. */
function added(q: string, at = now): [string | undefined, string | undefined] {
  const r = parseQuery(q, at);
  expect(r.name, q).toBeUndefined();
  expect(r.company, q).toBeUndefined();
  return [r.addedSince?.toISOString(), r.addedBefore?.toISOString()];
}

describe('periods said relative to today', () => {
  it('"N days / weeks / months / years ago" is that whole day, Monday-to-Sunday week, month or year', () => {
    expect(added('who did I add 3 days ago')).toEqual([local(2026, 10, 22), local(2026, 10, 23)]);
    expect(say(parseQuery('who did I add 3 days ago', now))).toBe('added on 2026-11-22 (3 days ago), sorted by date added');
    // 11 November is a Wednesday: its week began on Monday the 9th.
    expect(added('leads added 2 weeks ago')).toEqual([local(2026, 10, 9), local(2026, 10, 16)]);
    expect(added('added a week ago')).toEqual([local(2026, 10, 16), local(2026, 10, 23)]);
    expect(added('customers added two months ago')).toEqual([local(2026, 8, 1), local(2026, 9, 1)]);
    expect(added('added 1 year ago')).toEqual([local(2025, 0, 1), local(2026, 0, 1)]);
    // Across the New Year: a month ago in January is last December.
    expect(added('added a month ago', new Date(2027, 0, 10, 12))).toEqual([local(2026, 11, 1), local(2027, 0, 1)]);
    // No word before it is needed, and "from" is no company's introduction here.
    expect(added('leads 3 days ago')).toEqual([local(2026, 10, 22), local(2026, 10, 23)]);
    expect(added('leads from 3 days ago')).toEqual([local(2026, 10, 22), local(2026, 10, 23)]);
    expect(added('added between 5 days ago and 2 days ago')).toEqual([local(2026, 10, 20), local(2026, 10, 24)]);
  });

  it('"over the weekend" is the last Saturday and Sunday that have begun', () => {
    const weekend = [local(2026, 10, 21), local(2026, 10, 23)];
    expect(added('who did I add over the weekend')).toEqual(weekend);
    expect(added('leads from the weekend')).toEqual(weekend);
    expect(added('new customers last weekend')).toEqual(weekend);
    expect(say(parseQuery('leads over the weekend', now))).toBe('type=lead, added over the weekend of 2026-11-21, sorted by date added');
    // Said on a Sunday: "the weekend" is this one, "last weekend" the one before.
    const sunday = new Date(2026, 10, 29, 18);
    expect(added('added this weekend', sunday)).toEqual([local(2026, 10, 28), local(2026, 10, 30)]);
    expect(added('added last weekend', sunday)).toEqual(weekend);
    expect(parseQuery("haven't heard from since the weekend", now).silentSince?.toISOString()).toBe(local(2026, 10, 21));
  });

  it('quarters: this one, the last one, and Q1-Q4 with or without a year', () => {
    expect(added('contacts added this quarter')).toEqual([local(2026, 9, 1), undefined]);
    expect(added('leads this quarter')).toEqual([local(2026, 9, 1), undefined]);
    expect(added('customers added last quarter')).toEqual([local(2026, 6, 1), local(2026, 9, 1)]);
    expect(say(parseQuery('customers added last quarter', now))).toBe('type=customer, added in Q3 2026, sorted by date added');
    expect(added('leads from q1')).toEqual([local(2026, 0, 1), local(2026, 3, 1)]);
    expect(added('added in q4 2025')).toEqual([local(2025, 9, 1), local(2026, 0, 1)]);
    // A quarter not begun yet this year is last year's; the quarter before the first is last year's fourth.
    expect(added('added in q3', new Date(2026, 1, 10, 12))).toEqual([local(2025, 6, 1), local(2025, 9, 1)]);
    expect(added('added last quarter', new Date(2026, 1, 10, 12))).toEqual([local(2025, 9, 1), local(2026, 0, 1)]);
  });

  it('a range whose ends are periods said from today takes each end whole, in either order', () => {
    // Wednesday 25 November 2026: this week began on Monday the 23rd, last week on the 16th.
    expect(added('added between last quarter and this quarter')).toEqual([local(2026, 6, 1), local(2027, 0, 1)]);
    expect(added('customers added from last quarter to this quarter')).toEqual([local(2026, 6, 1), local(2027, 0, 1)]);
    expect(added('leads added between last month and this month')).toEqual([local(2026, 9, 1), local(2026, 11, 1)]);
    expect(say(parseQuery('leads added between last month and this month', now))).toBe(
      'type=lead, added between October 2026 (last month) and November 2026 (this month), sorted by date added',
    );
    expect(added('between last week and today')).toEqual([local(2026, 10, 16), local(2026, 10, 26)]);
    expect(added('who did I add from yesterday to today')).toEqual([local(2026, 10, 24), local(2026, 10, 26)]);
    expect(added('added between last year and this year')).toEqual([local(2025, 0, 1), local(2027, 0, 1)]);
    expect(added('contacts from october to this week')).toEqual([local(2026, 9, 1), local(2026, 10, 30)]);
    // Said the other way round, each end still means what it says from today.
    expect(added('added from this month to last month')).toEqual([local(2026, 9, 1), local(2026, 11, 1)]);
    expect(added('added between 2 days ago and 5 days ago')).toEqual([local(2026, 10, 20), local(2026, 10, 24)]);
    expect(added('added between today and yesterday')).toEqual([local(2026, 10, 24), local(2026, 10, 26)]);
    // Alone, those periods keep their own readings.
    expect(added('leads added this month')).toEqual([local(2026, 10, 1), undefined]);
    expect(say(parseQuery('added last month', now))).toBe('added in the last month, sorted by date added');
  });

  it('a month alone after "from" is still a company ("from may")', () => {
    expect(parseQuery('leads from may', now).company).toBe('may');
  });
});

describe('a silence said with "ago"', () => {
  it.each(["haven't contacted since 2 weeks ago", 'silent since 2 weeks ago', 'not heard from in 2 weeks ago'])('%s', (q) => {
    const r = parseQuery(q, now);
    expect([r.silentForDays, r.name, r.addedSince], q).toEqual([14, undefined, undefined]);
  });
});

describe('"30+ days" and its other spellings', () => {
  it.each(['not contacted in 30+ days', "haven't talked to in 30+ days", 'no activity for 30 days or more', 'silent 30 or more days', 'not contacted in 30 plus days'])('%s', (q) => {
    const r = parseQuery(q, now);
    expect(r.silentForDays, q).toBe(30);
    expect(r.name, q).toBeUndefined();
  });
});

describe('the detail asked for is not part of the name', () => {
  it.each([
    ["rachel's phone number", 'rachel', undefined],
    ["what's rachel's email?", 'rachel', undefined],
    ['the email address for rachel', 'rachel', undefined],
    ['phone number of rachel from fresh headies', 'rachel', 'fresh headies'],
    ["rachel's cell", 'rachel', undefined],
  ])('%s', (q, name, company) => {
    const r = parseQuery(q, now);
    expect([r.name, r.company]).toEqual([name, company]);
  });

  it('a company named with such a word keeps it', () => {
    expect(parseQuery("who's at phone depot", now).company).toBe('phone depot');
    expect(parseQuery("who's at mike's phone repair", now).company).toBe('mikes phone repair');
    expect(parseQuery('leads with phone numbers', now)).toMatchObject({ type: 'lead', hasPhone: true });
  });
});

describe('a relative period does not take words from a name, a company or a tag', () => {
  it.each([
    ["who's at weekend supply", undefined, 'weekend supply'],
    ['wendy at weekend supply', 'wendy', 'weekend supply'],
    ['rachel from weekend supply', 'rachel', 'weekend supply'],
    ["who's at q1 labs", undefined, 'q1 labs'],
    ['quinn from q1 labs', 'quinn', 'q1 labs'],
    ["who's at last quarter coffee", undefined, 'last quarter coffee'],
    ["who's at 3 days ago records", undefined, '3 days ago records'],
    ['weekend supply', 'weekend supply', undefined],
    ['weekend', 'weekend', undefined],
    ['q4-promo leads', 'q4 promo', undefined],
  ])('%s', (q, name, company) => {
    const r = parseQuery(q, now);
    expect([r.name, r.company, r.addedSince], q).toEqual([name, company, undefined]);
  });

  it.each(['weekend', 'q4', 'q4-promo', 'weekend-warriors'])('tagged %s', (tag) => {
    const r = parseQuery(`tagged ${tag}`, now);
    expect([r.tag, r.name, r.addedSince]).toEqual([tag, undefined, undefined]);
  });
});

describe('the other ways a relative period is said leave no word behind as a name', () => {
  const weekend = [local(2026, 10, 21), local(2026, 10, 23)];
  it.each([
    ['added in the last quarter', [local(2026, 6, 1), local(2026, 9, 1)]],
    ['who did I add in the past quarter', [local(2026, 6, 1), local(2026, 9, 1)]],
    ['added over the past weekend', weekend],
    ['added this past weekend', weekend],
    ['added during the last weekend', weekend],
    ['added about 3 days ago', [local(2026, 10, 22), local(2026, 10, 23)]],
    ['added in this quarter', [local(2026, 9, 1), undefined]],
    ['added more than 30 days ago', [undefined, local(2026, 9, 27)]],
    ['added 30+ days ago', [undefined, local(2026, 9, 27)]],
    ['added less than 3 days ago', [local(2026, 10, 23), undefined]],
  ])('%s', (q, window) => {
    expect(added(q)).toEqual(window);
  });
});
