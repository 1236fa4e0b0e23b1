import { describe, expect, it } from 'vitest';
import { describe as say, parseQuery } from '../../src/search/parse-query.js';
import { oneSlipAway, swapsOf } from '../../src/search/corrections.js';
import { editDistance, soundex } from '../../src/search/phonetic.js';
import { normalizeText, phoneDigits } from '../../src/search/normalize.js';
import { startOfToday, startOfWeek } from '../../src/search/time-words.js';

const now = new Date(2026, 10, 25, 15, 30); // Wednesday, server time

describe('parseQuery', () => {
  it.each([
    ['show me rachel from fresh headies', 'name or nickname like "rachel", company like "fresh headies", sorted by relevance'],
    ["who's at fresh headies?", 'company like "fresh headies", sorted by relevance'],
    ['my most important contacts', 'sorted by importance'],
    ['recent leads', 'type=lead, sorted by date added'],
    ['contacts added this week', 'added this week (since Monday), sorted by date added'],
    ['leads without email', 'type=lead, without email, sorted by importance'],
    ["who haven't I contacted in 30 days?", 'no activity for 30 days, sorted by importance'],
    ['contacts in the cannabis industry', 'cannabis industry (company names and tags), sorted by importance'],
    ['who needs follow-up?', 'no activity for 30 days, importance ≥ 7, sorted by importance'],
    ['customers without a phone number', 'type=customer, without phone, sorted by importance'],
    ['contacts I have not talked to in 2 weeks', 'no activity for 14 days, sorted by importance'],
    ['customers tagged vip', 'type=customer, tag=vip, sorted by importance'],
    // Counts in words, "for over", "last week", "this month", a tag followed by more of the sentence.
    ["who haven't we talked to in a month", 'no activity for 30 days, sorted by importance'],
    ["who haven't I contacted in two weeks", 'no activity for 14 days, sorted by importance'],
    ['not contacted for over 60 days', 'no activity for 60 days, sorted by importance'],
    ['contacts added last week', 'added in the last week, sorted by date added'],
    ['new leads this month', 'type=lead, added this month (since the 1st), sorted by date added'],
    ['tagged VIP leads', 'type=lead, tag=vip, sorted by importance'],
    ['contacts added yesterday', 'added yesterday, sorted by date added'],
    ['silent for the past month', 'no activity for 30 days, sorted by importance'],
    ['no activity in the last month', 'no activity for 30 days, sorted by importance'],
    ["who haven't I contacted since last week", 'no activity for 7 days, sorted by importance'],
    // An email domain with the word introducing it; dotted names are not domains.
    ['anyone from mysteryco.com', 'email at mysteryco.com, sorted by relevance'],
    ["who's at uk.co.uk?", 'email at uk.co.uk, sorted by relevance'],
    ['jo.kim', 'name or nickname like "jo kim", sorted by relevance'],
    ['node.js', 'name or nickname like "node js", sorted by relevance'],
    ["who haven't I heard from mysteryco.com in 30 days", 'email at mysteryco.com, no activity for 30 days, sorted by relevance'],
    ['leads with mysteryco.com email', 'email at mysteryco.com, type=lead, with email, sorted by relevance'],
    ['anyone from emeraldcup.farm', 'email at emeraldcup.farm, sorted by relevance'],
    ["who's at freshheadies.com.", 'email at freshheadies.com, sorted by relevance'],
    ['who works at freshheadies.com', 'email at freshheadies.com, sorted by relevance'],
    // A quoted tag is the whole quote.
    ["tagged 'facebook leads'", 'tag=facebook leads, sorted by importance'],
    ['tagged “facebook leads”', 'tag=facebook leads, sorted by importance'],
    ['silent since last month', 'no activity for 30 days, sorted by importance'],
    ['dispensaries', 'cannabis industry (company names and tags), sorted by importance'],
    ["who's at Kush Kings?", 'company like "kush kings", sorted by relevance'],
    ['cannabis contacts from denver', 'company like "denver", cannabis industry (company names and tags), sorted by relevance'],
    ['leads from dispensaries', 'type=lead, cannabis industry (company names and tags), sorted by importance'],
    ['contacts in the edibles industry', 'cannabis industry (company names and tags), sorted by importance'],
    ['extraction companies', 'cannabis industry (company names and tags), sorted by importance'],
    ['grow businesses', 'cannabis industry (company names and tags), sorted by importance'],
    ['head shops', 'cannabis industry (company names and tags), sorted by importance'],
    ['pre-rolls', 'cannabis industry (company names and tags), sorted by importance'],
    ['emerald triangle contacts', 'cannabis industry (company names and tags), sorted by importance'],
    ['leads from head shops', 'type=lead, cannabis industry (company names and tags), sorted by importance'],
    ['mary jane companies', 'cannabis industry (company names and tags), sorted by importance'],
    // A word before the industry word is not part of it.
    ['show me cannabis companies', 'cannabis industry (company names and tags), sorted by importance'],
    ['our cbd brands', 'cannabis industry (company names and tags), sorted by importance'],
    ['find hemp companies', 'cannabis industry (company names and tags), sorted by importance'],
    // Also a person's name: the industry only when framed as one.
    ['mary jane', 'name or nickname like "mary jane", sorted by relevance'],
    ["who's at Golden State Extracts?", 'company like "golden state extracts", sorted by relevance'],
    // A calendar period after a silence is how long the silence is, not when contacts were added.
    ["who haven't I contacted this week", 'no activity this week (since Monday), sorted by importance'],
    ["who haven't I contacted this month?", 'no activity this month (since the 1st), sorted by importance'],
    ["leads we haven't talked to today", 'type=lead, no activity today, sorted by importance'],
    ['no activity since monday', 'no activity since Monday (2026-11-23), sorted by importance'],
    ['customers silent since yesterday', 'type=customer, no activity since yesterday, sorted by importance'],
    // Hours, years, this year, since a weekday.
    ['contacts added in the last 24 hours', 'added in the last 24 hours, sorted by date added'],
    ['contacts added in the last 48 hours', 'added in the last 48 hours, sorted by date added'],
    ['not contacted in 36 hours', 'no activity for 36 hours, sorted by importance'],
    ['not contacted in 48 hours', 'no activity for 2 days, sorted by importance'],
    ['leads added in the past 2 years', 'type=lead, added in the last 2 years, sorted by date added'],
    ["who haven't I contacted in a year", 'no activity for 365 days, sorted by importance'],
    ['customers added this year', 'type=customer, added this year (since 1 January), sorted by date added'],
    ['contacts added since monday', 'added since Monday (2026-11-23), sorted by date added'],
    ['new leads since wednesday', 'type=lead, added since Wednesday (2026-11-18), sorted by date added'],
    // "from" before a period introduces it; left alone it is no name.
    ['leads from the past 3 months', 'type=lead, added in the last 3 months, sorted by date added'],
    ['contacts within the last 2 weeks', 'added in the last 2 weeks, sorted by date added'],
    ['leads from this week', 'type=lead, added this week (since Monday), sorted by date added'],
    ['customers from yesterday', 'type=customer, added yesterday, sorted by date added'],
    // Days, months and years by the calendar.
    ['leads added on monday', 'type=lead, added on Monday (2026-11-23), sorted by date added'],
    ['contacts added last friday', 'added on Friday (2026-11-20), sorted by date added'],
    ['leads from last tuesday', 'type=lead, added on Tuesday (2026-11-24), sorted by date added'],
    ['new leads since nov 1', 'type=lead, added since 2026-11-01, sorted by date added'],
    ['who did I add on 11/20?', 'added on 2026-11-20, sorted by date added'],
    ['added on November 3rd, 2025', 'added on 2025-11-03, sorted by date added'],
    ['added 3rd of november', 'added on 2026-11-03, sorted by date added'],
    ['added 2026-10-31', 'added on 2026-10-31, sorted by date added'],
    // Written other ways: year first with slashes or dots, day first with dots, an ISO time (its day).
    ['added since 2026/11/01', 'added since 2026-11-01, sorted by date added'],
    ['added on 2026.10.31', 'added on 2026-10-31, sorted by date added'],
    ['leads since 1.11.2026', 'type=lead, added since 2026-11-01, sorted by date added'],
    ['added between 1.10.2026 and 15.10.2026', 'added between 2026-10-01 and 2026-10-15, sorted by date added'],
    ['added on 10.31.2026', 'added on 2026-10-31, sorted by date added'],
    ['added since 2026-11-01T09:30:00Z', 'added since 2026-11-01, sorted by date added'],
    ['customers added after 2026-11-01T09:30:00.000+01:00', 'type=customer, added after 2026-11-01, sorted by date added'],
    ['customers added in october', 'type=customer, added in October 2026, sorted by date added'],
    // A month not yet come this year is last year's; so is a day.
    ['added in december', 'added in December 2025, sorted by date added'],
    ['added dec 25', 'added on 2025-12-25, sorted by date added'],
    ['customers added in 2025', 'type=customer, added in 2025, sorted by date added'],
    ['added between oct 15 and oct 1', 'added between 2026-10-01 and 2026-10-15, sorted by date added'],
    ['leads from nov 1 to nov 15', 'type=lead, added between 2026-11-01 and 2026-11-15, sorted by date added'],
    ['added before march', 'added before March 2026, sorted by date added'],
    ['added after 11/20', 'added after 2026-11-20, sorted by date added'],
    ["haven't contacted since nov 1", 'no activity since 2026-11-01, sorted by importance'],
    ["who haven't I heard from in october", 'no activity since October 2026, sorted by importance'],
    // Questions as owners ask them: a count, other silence verbs, working at, "but", neither detail, whom to call.
    ["how many leads do I have?", "type=lead, sorted by importance"],
    ["how many contacts do I have", "sorted by importance"],
    ["the number of customers", "type=customer, sorted by importance"],
    ["leads I haven't contacted", "type=lead, no activity for 30 days, sorted by importance"],
    ["leads I haven't called in 2 weeks", "type=lead, no activity for 14 days, sorted by importance"],
    ["customers I haven't emailed in a month", "type=customer, no activity for 30 days, sorted by importance"],
    ["contacts with no activity", "no activity for 30 days, sorted by importance"],
    ["leads I haven't touched this month", "type=lead, no activity this month (since the 1st), sorted by importance"],
    ["who works at urban apothecary", 'company like "urban apothecary", sorted by relevance'],
    ["who do we know at kush kings", 'company like "kush kings", sorted by relevance'],
    ["leads with a phone but no email", "type=lead, without email, with phone, sorted by importance"],
    ["contacts with no email or phone", "without email, without phone, sorted by importance"],
    ["who should I call today?", "no activity for 30 days, importance ≥ 7, sorted by importance"],
    // Month names are also names and companies: a date only where a date is said.
    ['may chen', 'name or nickname like "may chen", sorted by relevance'],
    ['leads from may', 'company like "may", type=lead, sorted by relevance'],
    ["who's at april farms", 'company like "april farms", sorted by relevance'],
    ['added on feb 30', 'name or nickname like "added feb 30", sorted by relevance'],
    // How people ask for follow-ups: the asking words and the day of the follow-up are no name or added date.
    ['who should I follow up with?', 'no activity for 30 days, importance ≥ 7, sorted by importance'],
    ['who do I need to follow up with today', 'no activity for 30 days, importance ≥ 7, sorted by importance'],
    ['who needs follow-up this week?', 'no activity for 30 days, importance ≥ 7, sorted by importance'],
    ['follow-ups due this week', 'no activity for 30 days, importance ≥ 7, sorted by importance'],
    ['follow up with rachel', 'name or nickname like "rachel", no activity for 30 days, importance ≥ 7, sorted by importance'],
    // "add" as well as "added".
    ['who did I add this week?', 'added this week (since Monday), sorted by date added'],
    ['who did I add in the last 3 days', 'added in the last 3 days, sorted by date added'],
    // A count of how many to show is no name; "420" stays the industry word.
    ['my 5 most important leads', 'type=lead, sorted by importance'],
    ['top 10 customers', 'type=customer, sorted by importance'],
    ['my top 3 contacts', 'sorted by importance'],
    ['10 most recent customers', 'type=customer, sorted by date added'],
    ['420 contacts', 'cannabis industry (company names and tags), sorted by importance'],
    ['top shelf', 'name or nickname like "top shelf", sorted by relevance'],
    // "cold leads" have gone quiet; "cold spring farms" is a name.
    ['cold leads', 'type=lead, no activity for 30 days, sorted by importance'],
    ['stale customers', 'type=customer, no activity for 30 days, sorted by importance'],
    ['cold spring farms', 'name or nickname like "cold spring farms", sorted by relevance'],
    // Activity in a period: who was talked to, not who was added; the latest activity first.
    ['who did I talk to this week?', 'active this week (since Monday), sorted by latest activity'],
    ['who have I contacted in the last 7 days', 'active in the last 7 days, sorted by latest activity'],
    ['contacts active this month', 'active this month (since the 1st), sorted by latest activity'],
    ['leads I spoke with since monday', 'type=lead, active since Monday (2026-11-23), sorted by latest activity'],
    ['customers I emailed yesterday', 'type=customer, active since yesterday, sorted by latest activity'],
    ['contacts with activity since nov 1', 'active since 2026-11-01, sorted by latest activity'],
    ['talked to within 2 weeks', 'active in the last 2 weeks, sorted by latest activity'],
    // No period said: the usual 30 days, said in the interpretation.
    ['active leads', 'type=lead, active in the last 30 days, sorted by latest activity'],
    ["who's been active", 'active in the last 30 days, sorted by latest activity'],
    ['recently contacted customers', 'type=customer, active in the last 30 days, sorted by latest activity'],
    ['my most important active leads', 'type=lead, active in the last 30 days, sorted by importance'],
    ['active wellness', 'name or nickname like "active wellness", sorted by relevance'],
    // A negation wins, however the activity is said.
    ["who didn't I talk to this week", 'no activity this week (since Monday), sorted by importance'],
    ["leads I haven't spoke with since monday", 'type=lead, no activity since Monday (2026-11-23), sorted by importance'],
    ['leads we have not yet talked to this week', 'type=lead, no activity this week (since Monday), sorted by importance'],
    ['leads not active this month', 'type=lead, no activity this month (since the 1st), sorted by importance'],
    ["customers who aren't active", 'type=customer, no activity for 30 days, sorted by importance'],
    ["leads I didn't call", 'type=lead, no activity for 30 days, sorted by importance'],
    // The best, the top and an importance floor: filters and an order, not names.
    ['best customers', 'type=customer, sorted by importance'],
    ['my top customers', 'type=customer, sorted by importance'],
    ['importance 9 or higher', 'importance ≥ 9, sorted by importance'],
    ['importance at least 8', 'importance ≥ 8, sorted by importance'],
    ['leads with importance above 7', 'type=lead, importance ≥ 8, sorted by importance'],
    ['priority 8+', 'importance ≥ 8, sorted by importance'],
    ['best buy', 'name or nickname like "best buy", sorted by relevance'],
    ['top accounts', 'sorted by importance'],
    ['our biggest accounts', 'sorted by importance'],
    ['show me the best ones', 'sorted by importance'],
    // A surname "Best" or "Top" before a type is a name.
    ['john best leads', 'name or nickname like "john best", type=lead, sorted by relevance'],
    ['tom top customers', 'name or nickname like "tom top", type=customer, sorted by relevance'],
    // A company ending in "active" after "at" is the company.
    ["who's at stay active", 'company like "stay active", sorted by relevance'],
    ['who works at fully engaged', 'company like "fully engaged", sorted by relevance'],
    // A type between "active" and the period.
    ['active customers this week', 'type=customer, active this week (since Monday), sorted by latest activity'],
    ['active leads in the last 7 days', 'type=lead, active in the last 7 days, sorted by latest activity'],
    // Talking said with no period: the usual 30 days.
    ['who did I talk to?', 'active in the last 30 days, sorted by latest activity'],
    ['which customers have we spoken with', 'type=customer, active in the last 30 days, sorted by latest activity'],
    ["who haven't I talked to", 'no activity for 30 days, sorted by importance'],
    // A ceiling is not a floor.
    ['importance 5 or lower', 'name or nickname like "importance 5 lower", sorted by relevance'],
    // A question about someone: the asking words are no part of the name.
    ['what do we know about fresh headies', 'name or nickname like "fresh headies", sorted by relevance'],
    ['everything on rachel baker', 'name or nickname like "rachel baker", sorted by relevance'],
    ['pull up rachel from fresh headies', 'name or nickname like "rachel", company like "fresh headies", sorted by relevance'],
    ["what's the latest on fresh headies?", 'name or nickname like "fresh headies", sorted by relevance'],
  ])('%s → %s', (query, interpretation) => {
    expect(say(parseQuery(query, now))).toBe(interpretation);
  });

  it('reads emails and phone numbers in any format', () => {
    expect(parseQuery('Rachel@FreshHeadies.com', now)).toEqual({ email: 'rachel@freshheadies.com' });
    for (const p of ['(707) 555-0142', '707.555.0142', '+1 707 555 0142', '17075550142']) expect(parseQuery(p, now)).toEqual({ phone: '7075550142' });
  });

  it('turns time words into instants in the server time zone', () => {
    expect(parseQuery('contacts added today', now).addedSince).toEqual(new Date(2026, 10, 25, 0, 0));
    expect(parseQuery('added this week', now).addedSince).toEqual(new Date(2026, 10, 23, 0, 0));
    expect(parseQuery('added in the last 3 days', now).addedSince).toEqual(new Date(now.getTime() - 3 * 86_400_000));
    expect(startOfWeek(new Date(2026, 10, 29, 23, 59))).toEqual(new Date(2026, 10, 23)); // Sunday belongs to the week that began Monday
    expect(startOfToday(now)).toEqual(new Date(2026, 10, 25));
  });

  it('reads a silence over a calendar period as no activity since the period began', () => {
    const silentSince = (q: string) => {
      const r = parseQuery(q, now);
      expect(r.addedSince, q).toBeUndefined();
      expect(r.name, q).toBeUndefined();
      return r.silentSince;
    };
    expect(silentSince("who haven't I contacted this week")).toEqual(new Date(2026, 10, 23));
    expect(silentSince("who haven't I contacted this month")).toEqual(new Date(2026, 10, 1));
    expect(silentSince("who haven't i contacted today")).toEqual(new Date(2026, 10, 25));
    expect(silentSince('no activity since monday')).toEqual(new Date(2026, 10, 23));
    expect(silentSince('inactive this year')).toEqual(new Date(2026, 0, 1));
  });

  it('reads activity in a period as activity since its start, never as an added date or a name', () => {
    const active = (q: string) => {
      const r = parseQuery(q, now);
      expect([r.addedSince, r.name, r.silentForDays, r.silentSince], q).toEqual([undefined, undefined, undefined, undefined]);
      return r.activeSince;
    };
    expect(active('who did I talk to this week?')).toEqual(new Date(2026, 10, 23));
    expect(active('who have I contacted in the last 7 days')).toEqual(new Date(now.getTime() - 7 * 86_400_000));
    expect(active('contacts active this month')).toEqual(new Date(2026, 10, 1));
    expect(active('active leads')).toEqual(new Date(now.getTime() - 30 * 86_400_000));
    expect(active('leads I spoke with since monday')).toEqual(new Date(2026, 10, 23));
    expect(active('contacts I called today')).toEqual(new Date(2026, 10, 25));
  });

  it('reads a calendar day, month or year as the local days it covers', () => {
    const added = (q: string) => {
      const r = parseQuery(q, now);
      expect(r.name, q).toBeUndefined();
      return [r.addedSince, r.addedBefore];
    };
    expect(added('added on monday')).toEqual([new Date(2026, 10, 23), new Date(2026, 10, 24)]);
    expect(added('added in october')).toEqual([new Date(2026, 9, 1), new Date(2026, 10, 1)]);
    expect(added('added in 2025')).toEqual([new Date(2025, 0, 1), new Date(2026, 0, 1)]);
    expect(added('added since nov 1')).toEqual([new Date(2026, 10, 1), undefined]);
    expect(added('added after nov 20')).toEqual([new Date(2026, 10, 21), undefined]);
    expect(added('added before 11/20')).toEqual([undefined, new Date(2026, 10, 20)]);
    expect(added('added between 10/1 and 10/15')).toEqual([new Date(2026, 9, 1), new Date(2026, 9, 16)]);
    // The day a clock change falls on is 25 hours long; its end is the next local midnight.
    expect(added('added on 2026-11-01')[1]).toEqual(new Date(2026, 10, 2));
    expect(parseQuery('no activity since 11/15', now).silentSince).toEqual(new Date(2026, 10, 15));
  });

  it('reads hours, years, this year and since a weekday', () => {
    const hour = 3_600_000;
    expect(parseQuery('added in the last 24 hours', now).addedSince).toEqual(new Date(now.getTime() - 24 * hour));
    expect(parseQuery('added in the last hour', now).addedSince).toEqual(new Date(now.getTime() - hour));
    expect(parseQuery('added in the past 2 years', now).addedSince).toEqual(new Date(now.getTime() - 730 * 24 * hour));
    expect(parseQuery('added this year', now).addedSince).toEqual(new Date(2026, 0, 1));
    // The last such day before today (Wednesday): "since wednesday" is a week back, today being "today".
    expect(parseQuery('added since tuesday', now).addedSince).toEqual(new Date(2026, 10, 24));
    expect(parseQuery('added since monday', now).addedSince).toEqual(new Date(2026, 10, 23));
    expect(parseQuery('added since sunday', now).addedSince).toEqual(new Date(2026, 10, 22));
    expect(parseQuery('added since thursday', now).addedSince).toEqual(new Date(2026, 10, 19));
    expect(parseQuery('added since wednesday', now).addedSince).toEqual(new Date(2026, 10, 18));
    const sinceYesterday = parseQuery('added since yesterday', now);
    expect([sinceYesterday.addedSince, sinceYesterday.addedBefore]).toEqual([new Date(2026, 10, 24), undefined]);
    // A count too large for any date is every contact, not a time before year 1.
    expect(parseQuery('added in the last 9999 years', now).addedSince!.getFullYear()).toBeGreaterThan(1800);
  });

  it('leaves no lone "from" or "at" as a name', () => {
    for (const q of ['leads from the past 3 months', 'leads from this month']) {
      const r = parseQuery(q, now);
      expect([r.type, r.name, r.company], q).toEqual(['lead', undefined, undefined]);
    }
    expect(parseQuery('leads at', now).name).toBeUndefined();
    // Still a company's introduction.
    expect(parseQuery('rachel from fresh headies', now)).toMatchObject({ name: 'rachel', company: 'fresh headies' });
  });
});

describe('text helpers', () => {
  it('normalises accents, case and punctuation', () => {
    expect(normalizeText("René LEFÈVRE-O'Brien")).toBe('rene lefevre obrien');
    // Letters with no decomposition are written as typed on an English keyboard, not dropped.
    expect(normalizeText('Łukasz Wałęsa, Søren Ærø, Straße, Đorđe, Þór')).toBe('lukasz walesa soren aero strasse dorde thor');
    // Other scripts keep their letters, lower-cased, their marks dropped as accents are.
    expect(normalizeText('Иван ПЕТРОВ, 王伟 / Σωκράτης')).toBe('иван петров 王伟 σωκρατης');
    // Modifier letters written as apostrophes go as the apostrophe does.
    expect(normalizeText('Oʼneil of Hawaiʻi')).toBe('oneil of hawaii');
    // Emoji and symbols are no words.
    expect(normalizeText('Zoë 🌿 & Co')).toBe('zoe co');
    expect(phoneDigits('+1 (555) 010-2000')).toBe('5550102000');
    expect(phoneDigits('+1 (707) 555-0177 x3')).toBe('7075550177');
    expect(phoneDigits('707-555-0199 ext. 12')).toBe('7075550199');
    expect(phoneDigits('707 555 0199 #4410')).toBe('7075550199');
    expect(phoneDigits('12')).toBeNull();
  });

  it('sounds and spells alike', () => {
    expect(soundex('johnson')).toBe(soundex('jonsen'));
    expect(soundex('michael')).toBe(soundex('micheal'));
    expect(editDistance('micheal', 'michael')).toBe(1);
    expect(editDistance('jonsen', 'johnson')).toBe(2);
  });

  it('lists the words one slip away: two neighbouring letters swapped, or one letter fewer', () => {
    expect(swapsOf('nacny')).toEqual(['ancny', 'ncany', 'nancy', 'nacyn']);
    expect(swapsOf('dre')).toEqual(['rde', 'der']);
    // Swapping a doubled letter changes nothing.
    expect(swapsOf('anna')).toEqual(['nana', 'anan']);
    expect(oneSlipAway('nancyy')).toContain('nancy');
    expect(oneSlipAway('nnacy')).toContain('nancy');
    expect(oneSlipAway('nancyy')).not.toContain('nancyy');
    // Three letters lose none: two-letter words would match nearly anything.
    expect(oneSlipAway('dre')).toEqual(['rde', 'der']);
    // Letters, not UTF-16 units: 𠮷 is two.
    expect(swapsOf('𠮷野')).toEqual(['野𠮷']);
  });
});
