import { AGO_PERIOD, CALENDAR_DATE, type CalendarRange, calendarRange, RANGE_END, RELATIVE_PERIOD_ALONE, saidFromToday, WEEKDAYS } from './calendar-dates.js';
import { INDUSTRY_PHRASES, industryOf } from './lexicon.js';
import { normalizeText, phoneDigits } from './normalize.js';
import { daysAgo, localMidnight, startOfMonth, startOfQuarter, startOfToday, startOfWeek } from './time-words.js';
import { localDate } from '../local-date.js';

/** 'activity': the latest activity first (who was talked to most recently). */
export type SortOrder = 'relevance' | 'importance' | 'recent' | 'silence' | 'activity';

/** What a search asks for, whether it came from plain English or from structured fields. */
export interface SearchRequest {
  name?: string;
  company?: string;
  email?: string;
  /** "freshheadies.com": everyone whose email is at that domain. */
  emailDomain?: string;
  phone?: string;
  tag?: string;
  type?: 'lead' | 'customer';
  industry?: string;
  minImportance?: number;
  addedSince?: Date;
  /** With addedSince: added before this time ("yesterday" ends where today begins). */
  addedBefore?: Date;
  addedSinceLabel?: string;
  silentForDays?: number;
  /** No activity since this instant ("this week": since Monday 00:00); silentForDays, when given, wins. */
  silentSince?: Date;
  silentSinceLabel?: string;
  /** Some activity since this instant ("who did I talk to this week", "active leads"). */
  activeSince?: Date;
  activeSinceLabel?: string;
  hasEmail?: boolean;
  hasPhone?: boolean;
  sort?: SortOrder;
}

const STOP_WORDS = new Set(
  ('who whos is are was the a an my me i we our us show find list get give see all any contact contacts people person folks ' +
    'please with for of to do does did have has had that there here what which some everyone everybody anyone someone ' +
    'and or but in on about named called by look up lookup search me? them those these who\'s whats tell info details').split(' '),
);

/** How many: digits, or the words people write ("a month", "two weeks"). */
const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fourteen: 14, fifteen: 15, twenty: 20, thirty: 30, sixty: 60, ninety: 90,
};
const COUNT = `(\\d{1,4}|${Object.keys(NUMBER_WORDS).join('|')})`;
const UNIT = '(hours?|days?|weeks?|months?|years?)';
/** The words before a tag: "tagged vip", "with the tag vip". */
export const TAG_INTRO = '\\b(?:tagged|tag|with the tag|labell?ed)';
/** "for over", "more than", "at least" before a count. */
const AT_LEAST = '(?: (?:over|more than|at least))?';
/** " 30 days", " the last 2 weeks", " the past month", " last week": a count, or one unit after last/past (see howLong). */
const HOW_LONG = `(?:(?: the)? (?:last|past) (?:${COUNT} ?)?| ${COUNT} ?)${UNIT}`;
/** A calendar period, begun at a local midnight: " this week", " today", " since monday", " since yesterday" (see periodStart). */
const PERIOD = ` (?:(this week|this month|this quarter|this year|today)|since (yesterday|${WEEKDAYS.join('|')}))`;
/** "haven't I contacted", "no activity", "not heard from anyone in": what a silence is said with, before how long. */
const SILENCE_VERB = '(?:contacted|talked to|talked with|spoken to|spoken with|spoke to|spoke with|heard from|reached out to|reached|called|phoned|emailed|e-mailed|texted|messaged|touched|followed up with|met with)';
/** The same verbs as said after "did": "who did I talk to", "who didn't I call". */
const DID_VERB = '(?:contact|talk to|talk with|speak to|speak with|hear from|reach out to|reach|call|phone|email|e-mail|text|message|touch|follow up with|meet with|meet)';
/** "didn't I", "did we not": a negation said with "did", which takes the verb's plain form. */
const DID_NOT = "(?:didn'?t(?: i| we)?|did not(?: i| we)?|did (?:i|we) not)";
const NOT_CONTACTED = `\\b(?:(?:haven'?t|have not|hasn'?t|has not|not|no|without|never)(?: (?:i|we|been|yet|ever))* (?:${SILENCE_VERB}|contact|activity)|${DID_NOT} ${DID_VERB})(?: with| from)?(?: (?:them|anyone|in|for|since|within))*`;
/** A silence said with no time ("leads I haven't contacted", "no activity"): the usual 30 days. */
const NOT_CONTACTED_AT_ALL = `\\b(?:(?:haven'?t|have not|hasn'?t|has not|not|never)(?: (?:i|we|been|yet|ever))* ${SILENCE_VERB}|${DID_NOT} ${DID_VERB})(?: (?:them|anyone|yet))?\\b|\\bno (?:recent )?activity\\b`;
/** "quiet", "gone quiet", "been silent", "went cold": the verb goes with it, or it would be searched as a name. */
const SILENT = "\\b(?:(?:gone|went|been|going|gotten|got|grown) )?(?:silent|inactive|quiet|dormant|cold)";

/**
 * Activity said without a negation: "talked to", "did I call", "been in touch with", "active",
 * "any activity". Before a period it is who was active in it. A negation just before it (one the
 * silence rules did not read, "not active this week") makes it a silence: see activeOrSilent.
 */
const ACTIVE = `\\b(?:(?:i'?ve|we'?ve|been) )?(?:did (?:i|we) ${DID_VERB}|${SILENCE_VERB}|in touch with|interacted with|active|engaged|(?:any |some )?activity)`;
/** The words a type or "contacts" is said with, after "active" or "best". */
const WHO = '(?:leads?|prospects?|customers?|clients?|buyers?|contacts?|accounts?|people|ones)';
/** "active customers this week", "engaged leads in the last 7 days": a type said between the activity and its period. */
const ACTIVE_TYPE_BEFORE_PERIOD = new RegExp(` (active|engaged) (${WHO})(?= (?:this|today|since|in|over|during|within|yesterday|lately|recently)\\b)`, 'g');
/**
 * "who did I talk to", "who have we spoken with": talking, said so that it cannot be a name ("called"
 * alone can: "a shop called …"). At the end of a question, with no period: the usual 30 days.
 */
const TALKED_TO = "\\b(?:did (?:i|we) (?:talk|speak) (?:to|with)|did (?:i|we) (?:hear from|meet with)|(?:have (?:i|we)|i'?ve|we'?ve) (?:talked|spoken) (?:to|with)|(?:have (?:i|we)|i'?ve|we'?ve) (?:heard from|met with))";
/** When no period is said ("active leads", "who have I talked to lately"): the usual 30 days. */
const ACTIVE_DAYS = 30;

/** What being added is said with ("added", "who did I add", "joined", "signed up", "new"), before a time. */
const ADDED = '(?:added|add|created|joined|signed up|new)';
/** The words before a date an added-date filter is said with ("added on", "new since", "before", "between"). */
const DATE_INTRO = `(?:${ADDED}(?: (?:on|in|during|since|from|after|before|between))?|on|in|during|since|from|after|before|between)`;

/** A contact's detail asked for by name ("rachel's cell", "the email address of …"). */
const DETAIL =
  '(?:(?:cell|mobile|work|home|office) )?(?:phone numbers?|phones?|numbers?|cell|mobile|e-?mails?(?: address(?:es)?)?|(?:mailing |street )?address|contact (?:info|information|details)|info|details|company)';

/** Who needs following up: important (7 or more) and silent for 30 days, most important first. */
function followUp(r: SearchRequest): void {
  Object.assign(r, { minImportance: r.minImportance ?? 7, silentForDays: r.silentForDays ?? 30, sort: 'importance' });
}

interface Rule {
  pattern: RegExp;
  /** Reads the match into `r`; returns { understood } when it understood less than the whole match. */
  apply(m: RegExpMatchArray, r: SearchRequest, now: Date): unknown;
}

// Order matters: longer phrases first, each removes what it understood from the text.
const RULES: Rule[] = [
  // "who should I follow up with today?", "who do I need to follow up with this week": the asking
  // words and the day the follow-up happens are part of the request, not a name or an added date.
  { pattern: /(?:\b(?:should|must|do|can) (?:i|we) )?(?:\b(?:need|needs|needing) (?:a |to )?follow ?-?ups?\b|\bfollow ?-?ups? (?:needed|due)\b|\bto follow ?-?up\b|\bfollow ?-?up\b)(?: with)?(?: (?:today|this week|now|soon))?/, apply: (_m, r) => followUp(r) },
  // "who should I call today?", "who do I need to reach out to this week": the same question.
  { pattern: /\b(?:should|must|do|can|could) (?:i|we) (?:need to )?(?:call|ring|phone|reach out to|contact|check in with|get back to)\b(?: (?:today|this week|now|soon|next|first))?/, apply: (_m, r) => followUp(r) },
  // "what do we know about fresh headies", "tell me about rachel", "everything on kush kings",
  // "pull up rachel": asking about a contact; the words before it are no part of its name.
  { pattern: /^ (?:(?:can|could|would) you |please )*(?:what (?:do|does|did) (?:we|i|you) (?:know|have)(?: (?:about|on))?|what(?:'s| is) (?:the )?(?:latest|story|deal|status) (?:on|with)|(?:tell|show) (?:me|us) (?:more |everything |all )?about|(?:everything|anything|all) (?:(?:we|i) (?:know|have) )?(?:on|about)|(?:pull|bring|look|open) up(?: (?:everything|all|info|details) (?:on|about|for))?|(?:info|information|details|background) (?:on|about))\b/, apply: () => undefined },
  // "how many leads do I have?": the count is the answer's total; the words are no name.
  { pattern: /\bhow many\b|\b(?:the )?number of(?= (?:my |our )?(?:leads?|prospects?|customers?|clients?|buyers?|contacts?|people)\b)/, apply: () => undefined },
  // "who works at acme", "who do we know at kush kings": the verb goes with the company's "at".
  { pattern: /\b(?:works|working|worked|knows?)(?= (?:at|over at) )/, apply: () => undefined },
  // An order asked for in words: "leads by importance", "customers sorted by date added", "by last contact".
  { pattern: /\b(?:(?:sorted|ordered|ranked|listed) )?by (?:importance|priority|how important(?: they are)?)\b/, apply: (_m, r) => (r.sort = 'importance') },
  { pattern: /\b(?:(?:sorted|ordered|listed) )?by (?:date(?: added)?|when (?:they were |i )?added|newest(?: first)?)\b|\bnewest first\b/, apply: (_m, r) => (r.sort = 'recent') },
  { pattern: /\b(?:(?:sorted|ordered|listed) )?by (?:longest silence|last (?:contact|activity)|least recently contacted)\b|\blongest (?:silent|silence|quiet) first\b/, apply: (_m, r) => (r.sort = 'silence') },
  // "importance 9 or higher", "importance at least 8", "priority 8+": a floor on importance.
  // Before the date rules, which read "over 7" as nothing and would leave the number as a name.
  { pattern: /\b(?:min(?:imum)? )?(?:importance|priority)(?: (?:score|level|rating))?(?: (?:of|is)|:)?(?: ?(at least|no less than|>=|=>|≥|over|above|more than|greater than|higher than|>))? ?(\d{1,2})(?: ?\+| (?:or|and) (?:higher|more|above|up|greater|over|better))?(?![\w.])(?! (?:or|and) (?:lower|less|below|under|fewer|smaller|worse)\b)/, apply: importanceFloor },
  // "… since 2 weeks ago" is the same silence as "… for 2 weeks".
  { pattern: new RegExp(`${NOT_CONTACTED}${AT_LEAST}${HOW_LONG}(?: ago)?\\b`), apply: (m, r) => (r.silentForDays = howLong(m)) },
  { pattern: new RegExp(`${SILENT}(?: for| since)?${AT_LEAST}${HOW_LONG}(?: ago)?\\b`), apply: (m, r) => (r.silentForDays = howLong(m)) },
  // "who haven't I contacted this week", "no activity since monday": silent since the period began.
  // Before the added-date rules, which would otherwise take the period and leave the rest as a name.
  { pattern: new RegExp(`(?:${NOT_CONTACTED}|${SILENT})${PERIOD}\\b`), apply: (m, r, now) => silentSince(r, periodStart(m, now)) },
  // "haven't heard from since nov 1", "gone quiet since october": silent since that day began.
  { pattern: new RegExp(`(?:${NOT_CONTACTED}|${SILENT})(?: (?:since|after|in|during))? (${CALENDAR_DATE})\\b`), apply: silentSinceDate },
  { pattern: /\b(?:silent|inactive|dormant|gone quiet|gone cold)\b/, apply: (_m, r) => (r.silentForDays ??= 30) },
  { pattern: new RegExp(NOT_CONTACTED_AT_ALL), apply: (_m, r) => (r.silentForDays ??= 30) },
  // "who did I talk to this week?", "contacts active this month", "leads I spoke with since monday",
  // "who have I contacted in the last 7 days": active since then. After the silence rules (a
  // negation wins) and before the added-date rules, which would take the period and leave the
  // verb as a name.
  { pattern: new RegExp(`${ACTIVE}${PERIOD}\\b`), apply: (m, r, now) => activeOrSilent(m, r, periodStart(m, now)) },
  { pattern: new RegExp(`${ACTIVE}(?: (?:in|over|during|within|for))?(?: the| this)? (?:last|past) (?:${COUNT} ?)?${UNIT}\\b`), apply: (m, r, now) => activeFor(m, r, now, m[1], m[2]!) },
  { pattern: new RegExp(`${ACTIVE} within ${COUNT} ?${UNIT}\\b`), apply: (m, r, now) => activeFor(m, r, now, m[1]!, m[2]!) },
  { pattern: new RegExp(`${ACTIVE} yesterday\\b`), apply: (m, r, now) => activeOrSilent(m, r, { at: startOfYesterday(now), label: 'since yesterday' }) },
  { pattern: new RegExp(`${ACTIVE} (since|after) (${CALENDAR_DATE})\\b`), apply: activeSinceDate },
  // "active leads", "who's been active", "recently contacted customers", "who did I talk to lately".
  { pattern: new RegExp(`\\b(?:recently|lately) ${ACTIVE}|${ACTIVE} (?:recently|lately)\\b|(?<!\\b(?:at|from|with|for)\\b.*)\\b(?:been )?(?:active|engaged)(?= ${WHO}\\b| *$)|${TALKED_TO}(?= *$)`), apply: (m, r, now) => activeOrSilent(m, r, { at: daysAgo(now, ACTIVE_DAYS), label: `in the last ${ACTIVE_DAYS} days`, days: ACTIVE_DAYS }) },
  // "added between last month and this month", "leads from last quarter to today": a range, its
  // ends whole periods. Before the rules that read either end alone and leave "between" as a name.
  { pattern: new RegExp(`\\b((?:${ADDED} )?(?:between|from)) (${RANGE_END}) (?:and|to|through|until|till) (${RANGE_END})\\b`), apply: addedOnDate },
  // "added in the last 10 days", "new this past week", "contacts added last week" (the last seven
  // days), "leads from the past 3 months", "added in the last 24 hours".
  { pattern: new RegExp(`\\b${ADDED}?\\s*(?:in |over |during |from |since |within )?(?:the )?(?:last|past) (?:${COUNT} ?)?${UNIT}\\b`), apply: (m, r, now) => since(r, daysAgo(now, amount(m[1] ?? '1', m[2]!)), `added in the last ${m[1] ? `${m[1]} ${m[2]}` : m[2]}`) },
  // "added within 7 days", as the added_within_days field says it.
  { pattern: new RegExp(`\\b${ADDED} within ${COUNT} ?${UNIT}\\b`), apply: (m, r, now) => since(r, daysAgo(now, amount(m[1]!, m[2]!)), `added in the last ${m[1]} ${m[2]}`) },
  // "added this week", "new leads this month", "customers added this year", "added since monday".
  { pattern: new RegExp(`\\b(?:${ADDED} )?(?:(?:in|during) )?${PERIOD.trimStart()}\\b`), apply: (m, r, now) => addedIn(r, periodStart(m, now)) },
  // "added on monday", "new leads since nov 1", "who did I add on 11/20", "customers added in
  // 2025", "added between oct 1 and oct 15", "added before march".
  { pattern: new RegExp(`\\b(${DATE_INTRO}) (${CALENDAR_DATE})(?: (?:and|to|through|until|till) (${CALENDAR_DATE}))?\\b`), apply: addedOnDate },
  // "added more than 30 days ago" ("30+ days ago" reads so): on or before that day; "less than 3
  // days ago": after it. Not that day alone, with the rest left over as a name.
  { pattern: new RegExp(`\\b(?:${ADDED} )?(more than|over|at least|less than|under) (${AGO_PERIOD})`), apply: agoCompared },
  // "leads over the weekend", "customers 3 days ago", "new leads last quarter": a period said
  // relative to today needs no word before it to be when they were added (with one, "added about
  // 3 days ago", the words before it go with it). Not after a tag's introduction: "tagged weekend".
  { pattern: new RegExp(`(?<!${TAG_INTRO} )\\b(?:${ADDED} )?(?:(?:in|during|from|on) )?(?:(?:about|around|roughly|approximately) )?(${RELATIVE_PERIOD_ALONE})`), apply: (m, r, now) => addedDuring('in', m[1]!, undefined, r, now) },
  { pattern: new RegExp(`\\b(?:${ADDED} )?yesterday\\b`), apply: (_m, r, now) => since(r, startOfYesterday(now), 'added yesterday', startOfToday(now)) },
  // "no email or phone", "without a phone or email": neither.
  { pattern: /\b(?:without|no|missing|lacking|with no) (?:an? )?(?:e-?mails?(?: address(?:es)?)? (?:or|nor|and) (?:a )?(?:phone numbers?|phones?)|(?:phone numbers?|phones?) (?:or|nor|and) (?:an? )?e-?mails?(?: address(?:es)?)?)\b/, apply: (_m, r) => Object.assign(r, { hasEmail: false, hasPhone: false }) },
  { pattern: /\b(?:without|no|missing|lacking|with no) (?:an? )?e-?mails?(?: address(?:es)?)?\b/, apply: (_m, r) => (r.hasEmail = false) },
  { pattern: /\b(?:with|having|has) (?:an? )?e-?mails?(?: address(?:es)?)?\b/, apply: (_m, r) => (r.hasEmail = true) },
  { pattern: /\b(?:without|no|missing|lacking|with no) (?:a )?(?:phone numbers?|phones?|numbers?|mobiles?)\b/, apply: (_m, r) => (r.hasPhone = false) },
  { pattern: /\b(?:with|having|has) (?:a )?(?:phone numbers?|phones?|mobiles?)\b/, apply: (_m, r) => (r.hasPhone = true) },
  // "top 5 leads", "my 5 most important leads", "the 10 newest customers": how many to show (the
  // tool's limit says that), not a name to search for.
  { pattern: /\btop (?:\d{1,3}|three|five|ten|twenty)\b/, apply: (_m, r) => (r.sort ??= 'importance') },
  { pattern: /\b(?:\d{1,3}|three|five|ten|twenty)(?= (?:most|very|newest|latest|recent|biggest|best)\b)/, apply: () => undefined },
  // "best customers", "my top leads", "biggest accounts": the most important of them, not a name
  // ("top shelf", "best buds" stay names).
  // After a word that starts a request, not after a name ("john best leads" is John Best's).
  { pattern: new RegExp(`(?<=^ |\\b(?:my|our|the|me|all|show|list|find|get|give|are|who|\\d+) )(?:best|top|biggest|most valuable)(?: (?:accounts?|ones|people|contacts?)\\b|(?= ${WHO}\\b))`), apply: (_m, r) => (r.sort = 'importance') },
  // "cold leads", "stale customers": gone quiet, as "gone cold" is.
  { pattern: /\b(?:cold|stale|quiet|inactive|dormant)(?= (?:leads?|prospects?|customers?|clients?|buyers?|contacts?|accounts?)\b)/, apply: (_m, r) => (r.silentForDays ??= 30) },
  { pattern: /\b(?:most |very )?important\b|\btop (?:contacts|people|accounts)\b|\bkey (?:contacts|accounts)\b|\bpriority\b/, apply: (_m, r) => (r.sort = 'importance') },
  { pattern: /\b(?:most )?(?:recent|recently added|newest|latest|new)\b/, apply: (_m, r) => (r.sort ??= 'recent') },
  // A quoted tag is the whole quote. Otherwise the tag ends where the sentence goes on: "tagged vip
  // leads" is the tag vip, and leads (readQuery tries the longer tag when no contact has the short one).
  { pattern: new RegExp(`${TAG_INTRO} ["']([a-z0-9][a-z0-9 _-]{0,40})["']`), apply: (m, r) => (r.tag = m[1]!.trim()) },
  { pattern: new RegExp(`${TAG_INTRO} ([a-z0-9][a-z0-9 _-]{0,40}?)(?=$| (?:and|who|in|from|at|with|without|added|that|leads?|prospects?|customers?|clients?|buyers?|contacts?|people)\\b)`), apply: (m, r) => (r.tag = m[1]!.trim()) },
  { pattern: /\bleads?\b|\bprospects?\b/, apply: (_m, r) => (r.type = 'lead') },
  { pattern: /\bcustomers?\b|\bclients?\b|\bbuyers?\b/, apply: (_m, r) => (r.type = 'customer') },
  // "rachel's phone number", "the email for rachel": which of the contact's details is wanted,
  // not part of the name (the answer shows them all).
  // Only where the detail ends the question or says whose it is: "Mike's Phone Repair" is a name.
  { pattern: new RegExp(`'s ${DETAIL}(?= *$| (?:for|of|please)\\b)`), apply: () => undefined },
  { pattern: new RegExp(`(?:^| )(?:what(?:'s| is| are) )?(?:the )?${DETAIL} (?:for|of) `), apply: () => undefined },
  { pattern: /\b(?:in |from )?(?:the )?(?:([a-z0-9-]+) )?([a-z0-9-]+)( industry| industries| business(?:es)?| trades?| space| sectors?| compan(?:y|ies)| shops?| stores?| brands?)\b/, apply: industryFramed },
];

/**
 * "<industry> companies", "in the edibles business", "mary jane brands". The words before the
 * framing word may be a two-word industry ("mary jane") or another word and an industry word
 * ("show me cannabis companies"): then only the industry word and its frame were understood.
 */
function industryFramed(m: RegExpMatchArray, r: SearchRequest): { understood: string } | undefined {
  const [, before, word, frame] = m as unknown as [string, string | undefined, string, string];
  const pair = before ? industryOf(`${before} ${word}`, { framed: true }) : null;
  if (pair) {
    r.industry = pair;
    return undefined;
  }
  const single = industryOf(word, { framed: true });
  if (!single) return undo();
  r.industry = single;
  return before ? { understood: `${word}${frame}` } : undefined;
}

/**
 * A domain on its own ("who's at freshheadies.com?"): any domain after a word introducing it
 * ("from emeraldcup.farm"); a bare dotted word only with a common top-level domain, so "jo.kim",
 * "john.smith" or "node.js" stay names.
 */
const INTRODUCED_DOMAIN = /(?:^|\s)(?:from|at|with|of|@)\s*((?:[a-z0-9][a-z0-9-]*\.)+[a-z]{2,24})(?=$|[\s?!,;]|\.(?:\s|$))/i;
const BARE_DOMAIN = /(?:^|\s)((?:[a-z0-9][a-z0-9-]*\.)+(?:com|net|org|edu|gov|io|co|us|biz|info|me|ca|uk|au|nz|ie|de|fr|es|it|nl|mx|in|ai|app|dev|shop|store|online|site))(?=$|[\s?!,;]|\.(?:\s|$))/i;
/** Words that introduced the domain, left behind once it is read: not a name. */
const DOMAIN_INTRO = /\s(?:(?:works|working)\s+)?(?:from|at|with|of|@)(?=\s)/g;

/** The words that introduce a company: "rachel from fresh headies", "who's at …". */
const COMPANY_INTRO = 'from|at|works at|working at|with|of';
const COMPANY_INTRO_WORD = new RegExp(`\\s(?:${COMPANY_INTRO})\\s`);
const AT_COMPANY = new RegExp(`(?:^|\\s)(?:who(?:'s| is| are)?\\s+)?(?:(.*?)\\s+)?(?:${COMPANY_INTRO})\\s+(.+)$`);

class Undo extends Error {}
function undo(): never {
  throw new Undo();
}

/** Days in a HOW_LONG match: its count (one when only "last week" says it) and unit. */
function howLong(m: RegExpMatchArray): number {
  return amount(m[1] ?? m[2] ?? '1', m[3]!);
}

/** Further back than any time the brain holds (none before 1900), and a year every database reads: "9999 years" is all of them. */
const MAX_DAYS = 200 * 365;

/** Days in a count of units: a month is 30 days, a year 365, an hour a 24th of a day. */
function amount(n: string, unit: string): number {
  const k = NUMBER_WORDS[n] ?? Number(n);
  const days = unit.startsWith('hour') ? k / 24 : unit.startsWith('week') ? k * 7 : unit.startsWith('month') ? k * 30 : unit.startsWith('year') ? k * 365 : k;
  return Math.min(days, MAX_DAYS);
}

interface Period {
  at: Date;
  /** "this week (since Monday)", "since Monday (2026-11-23)": said after "added" or "no activity". */
  label: string;
}

/** Where a PERIOD match begins, in the server's time zone: its first group is "this …" or "today", its second what follows "since". */
function periodStart(m: RegExpMatchArray, now: Date): Period {
  const [, current, since] = m as unknown as [string, string | undefined, string | undefined];
  if (current === 'this week') return { at: startOfWeek(now), label: 'this week (since Monday)' };
  if (current === 'this month') return { at: startOfMonth(now), label: 'this month (since the 1st)' };
  if (current === 'this quarter') return { at: startOfQuarter(now), label: `this quarter (since ${localDate(startOfQuarter(now))})` };
  if (current === 'this year') return { at: startOfYear(now), label: 'this year (since 1 January)' };
  if (current === 'today') return { at: startOfToday(now), label: 'today' };
  if (since === 'yesterday') return { at: startOfYesterday(now), label: 'since yesterday' };
  const at = lastWeekday(now, WEEKDAYS.indexOf(since!));
  return { at, label: `since ${since![0]!.toUpperCase()}${since!.slice(1)} (${localDate(at)})` };
}

/** Midnight at the start of yesterday: the day before may have had 23 or 25 hours (a DST change), so not 24 h before today's. */
function startOfYesterday(now: Date): Date {
  return localMidnight(now.getFullYear(), now.getMonth(), now.getDate() - 1);
}

/** 1 January, 00:00, in the server's time zone. */
function startOfYear(now: Date): Date {
  return localMidnight(now.getFullYear(), 0, 1);
}

/**
 * Midnight starting the last such weekday before today: said on a Wednesday, "since monday" is
 * two days back and "since wednesday" a week back (today would be "today").
 */
function lastWeekday(now: Date, weekday: number): Date {
  return localMidnight(now.getFullYear(), now.getMonth(), now.getDate() - ((now.getDay() - weekday + 7) % 7 || 7));
}

/** Reads an added-date rule's match: its intro says whether the date is the period, its start or its end. */
function addedOnDate(m: RegExpMatchArray, r: SearchRequest, now: Date): void {
  const [, intro, first, second] = m as unknown as [string, string, string, string | undefined];
  addedDuring(intro, first, second, r, now);
}

/** An added-date filter from the words introducing it ("added on", "since", "between"), its date and a range's end. */
function addedDuring(intro: string, first: string, second: string | undefined, r: SearchRequest, now: Date): void {
  const word = intro.split(' ').at(-1)!;
  let a = calendarRange(first, now);
  let b = second === undefined ? null : calendarRange(second, now);
  if (!a || (second !== undefined && !b)) return undo();
  // "from may" or "from april farms" is more likely a company than a month: after "from", a
  // month needs a day or a year ("from october 2026").
  if (word === 'from' && !b && a.span === 'month' && !/\d/.test(first)) return undo();
  if (b) {
    // "between … and …", "from … to …": both days whole. The end, read on its own, is its last
    // occurrence, which may be a year before the start ("between nov 1 and nov 30" mid-November,
    // "between dec 20 and jan 5" in January): it is the first that follows the start, unless that
    // makes a range of most of a year ("oct 15 to oct 1" was said the other way round). A start
    // without a year before an end with one is the last before that end. Otherwise the two were
    // said the other way round.
    if (b.start < a.start) {
      const after = calendarRange(second!, now, { onOrAfter: a.start }) ?? b;
      // An end that stays put whatever it follows has its year; a start said from today keeps its days.
      if (after.start.getTime() === b.start.getTime()) a = saidFromToday(first) ? a : (calendarRange(first, b.start) ?? a);
      else if (after.end.getTime() - a.start.getTime() <= HALF_YEAR_MS) b = after;
    }
    if (b.start < a.start) [a, b] = [b, a];
    return since(r, a.start, `added between ${a.label} and ${b.label}`, b.end);
  }
  // "from" is the period itself ("leads from last tuesday"), as "on" and "in" are.
  if (word === 'since') return since(r, a.start, `added since ${a.label}`);
  if (word === 'after') return since(r, a.end, `added after ${a.label}`);
  if (word === 'before') {
    r.addedBefore = a.start;
    r.addedSinceLabel = `added before ${a.label}`;
    r.sort ??= 'recent';
    return;
  }
  if (word === 'between') return undo();
  since(r, a.start, `added ${onOrIn(a)}`, a.end);
}

const HALF_YEAR_MS = 183 * 86_400_000;

const onOrIn = (range: CalendarRange) => `${range.span === 'day' ? 'on' : range.span === 'weekend' ? 'over' : 'in'} ${range.label}`;

/**
 * "no activity since nov 1": silent since that day began. "haven't contacted in october" reads
 * the same way from October's first day: the brain keeps each contact's last activity, not every
 * one, so "none during October" is as near as it can answer (and the interpretation says so).
 */
function silentSinceDate(m: RegExpMatchArray, r: SearchRequest, now: Date): void {
  const range = calendarRange(m[1]!, now);
  const word = m[0].slice(0, m[0].length - m[1]!.length).trim().split(' ').at(-1);
  if (!range || !['since', 'after', 'in', 'during'].includes(word!)) return undo();
  silentSince(r, word === 'after' ? { at: range.end, label: `after ${range.label}` } : { at: range.start, label: `since ${range.label}` });
}

/** "more than 30 days ago": added on or before that day; "less than 3 days ago": after it. */
function agoCompared(m: RegExpMatchArray, r: SearchRequest, now: Date): void {
  const range = calendarRange(m[2]!, now);
  if (!range) return undo();
  if (m[1] === 'less than' || m[1] === 'under') return since(r, range.end, `added after ${range.label}`);
  r.addedBefore = range.end;
  r.addedSinceLabel = `added ${range.span === 'day' ? 'on or before' : 'in or before'} ${range.label}`;
  r.sort ??= 'recent';
}

function addedIn(r: SearchRequest, p: Period): void {
  since(r, p.at, `added ${p.label}`);
}

function silentSince(r: SearchRequest, p: Period): void {
  r.silentSince = p.at;
  r.silentSinceLabel = `no activity ${p.label}`;
}

/**
 * A negation just before an activity phrase that the silence rules do not read ("not active this
 * week", "isn't engaged"): where it begins in the text, or -1.
 */
const NEGATION_BEFORE = /\b(?:(?:haven|hasn|hadn|didn|don|doesn|isn|aren|wasn|weren|won|can|couldn)'?t|not|no|never|no longer|without)(?: (?:i|we|they|been|yet|ever|even|really))* $/;

function negationBefore(m: RegExpMatchArray): number {
  const before = m.input!.slice(0, m.index);
  const neg = NEGATION_BEFORE.exec(before);
  return neg ? neg.index : -1;
}

/**
 * Active since the period began, sorted by latest activity; or, after a negation, silent since
 * then (a silence said in `days` when the period is a count of days): the negation wins.
 */
function activeOrSilent(m: RegExpMatchArray, r: SearchRequest, p: Period & { days?: number }): { understood: string } | undefined {
  const negated = negationBefore(m);
  if (negated < 0) {
    r.activeSince = p.at;
    r.activeSinceLabel = `active ${p.label}`;
    r.sort ??= 'activity';
    return undefined;
  }
  if (p.days !== undefined) r.silentForDays ??= p.days;
  else silentSince(r, p);
  return { understood: m.input!.slice(negated, m.index! + m[0].length) };
}

/** "talked to in the last 7 days", "active within 2 weeks": a count of units back from now. */
function activeFor(m: RegExpMatchArray, r: SearchRequest, now: Date, count: string | undefined, unit: string): { understood: string } | undefined {
  const days = amount(count ?? '1', unit);
  return activeOrSilent(m, r, { at: daysAgo(now, days), label: `in the last ${count ? `${count} ${unit}` : unit}`, days });
}

/** "talked to since nov 1": active since that day began; "after nov 1": since it ended. */
function activeSinceDate(m: RegExpMatchArray, r: SearchRequest, now: Date): { understood: string } | undefined {
  const [, word, date] = m as unknown as [string, string, string];
  const range = calendarRange(date, now);
  if (!range) return undo();
  return activeOrSilent(m, r, word === 'after' ? { at: range.end, label: `after ${range.label}` } : { at: range.start, label: `since ${range.label}` });
}

/** "importance 9 or higher", "importance above 7" (that is, 8 or more): the floor, within 1–10. */
function importanceFloor(m: RegExpMatchArray, r: SearchRequest): void {
  const [, compare, n] = m as unknown as [string, string | undefined, string];
  const strictly = compare !== undefined && /^(?:over|above|more than|greater than|higher than|>)$/.test(compare);
  r.minImportance = Math.min(10, Math.max(1, Number(n) + (strictly ? 1 : 0)));
  r.sort ??= 'importance';
}

function since(r: SearchRequest, at: Date, label: string, before?: Date): void {
  r.addedSince = at;
  if (before) r.addedBefore = before;
  r.addedSinceLabel = label;
  r.sort ??= 'recent';
}

/**
 * Reads a plain-English request ("rachel from fresh headies", "recent leads without email",
 * "who haven't I contacted in 30 days?") into a SearchRequest. What no rule claims is treated as
 * a name, or as a company when introduced by "at" / "from" / "works at".
 */
/**
 * Dates written in ways CALENDAR_DATE does not read, written as it reads them (year-month-day):
 * "2026/11/01" and "2026.11.01" (year first), "1.11.2026" (day first, as where dates are written
 * with dots, unless only month first makes a date of it), and an ISO time ("2026-11-01T09:30:00Z")
 * as its day. Left as they were, their full stops and slashes went and the numbers read as a name.
 */
function asCalendarDates(text: string): string {
  return text
    .replace(/\b(\d{4}-\d{1,2}-\d{1,2})t\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?(?![\w:+-])/gi, '$1')
    .replace(/\b(\d{4})([/.])(\d{1,2})\2(\d{1,2})\b/g, '$1-$3-$4')
    .replace(/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g, (_m, a: string, b: string, year: string) => (Number(b) > 12 && Number(a) <= 12 ? `${year}-${a}-${b}` : `${year}-${b}-${a}`));
}

export function parseQuery(query: string, now: Date): SearchRequest {
  const r: SearchRequest = {};
  let raw = query.trim();
  const email = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i.exec(raw);
  if (email) {
    r.email = email[0].toLowerCase().replace(/[.,;:!?)]+$/, '');
    return r;
  }
  const digits = phoneDigits(raw.replace(/[^\d+() .-]/g, ' ').trim());
  if (digits && /^[\s\d+().-]+$/.test(raw)) {
    r.phone = digits;
    return r;
  }
  raw = asCalendarDates(raw);
  const domain = INTRODUCED_DOMAIN.exec(raw) ?? BARE_DOMAIN.exec(raw);
  if (domain) r.emailDomain = domain[1]!.toLowerCase();
  // The domain alone is taken out: the words around it may still be understood ("haven't heard
  // from … in 30 days", "with … email"); what introduced it is dropped after the rules.
  let text = ` ${(domain ? raw.replace(domain[1]!, ' ') : raw).toLowerCase().replace(/[‘’`]/g, "'").replace(/[“”]/g, '"').replace(/[?!.,;]+/g, ' ').replace(/\s+/g, ' ')} `;
  // "30+ days", "30 or more days", "30 days or more", "30 plus days": at least that long.
  text = text.replace(new RegExp(` (\\d{1,4})(?: ?\\+| or more| plus) ${UNIT}(?: or more)?(?= )| (\\d{1,4}) ${UNIT} or more(?= )`, 'g'), (_m, n, unit, n2, unit2) => ` over ${n ?? n2} ${unit ?? unit2}`);
  // "active customers this week": the type goes first, so the activity rules read "active this week".
  text = text.replace(ACTIVE_TYPE_BEFORE_PERIOD, ' $2 $1');
  for (const rule of RULES) {
    const m = text.match(rule.pattern);
    if (!m) continue;
    try {
      // Most rules return whatever their assignment gives; only an object says what was understood.
      const result = rule.apply(m, r, now) as { understood?: unknown } | undefined;
      text = text.replace(typeof result?.understood === 'string' ? result.understood : m[0], ' ');
    } catch (err) {
      if (!(err instanceof Undo)) throw err;
    }
  }
  if (r.emailDomain) text = ` ${text.replace(DOMAIN_INTRO, ' ').trim()} `;
  // A lone industry word ("dispensaries", "cannabis contacts") is the industry, not a name; but
  // not after "at" / "from", where it is part of a company's name ("who's at Kush Kings?").
  const beforeCompany = text.split(COMPANY_INTRO_WORD)[0]!;
  for (const phrase of INDUSTRY_PHRASES) {
    if (!r.industry && beforeCompany.includes(` ${phrase} `)) {
      r.industry = industryOf(phrase)!;
      text = text.replace(` ${phrase} `, ' ');
    }
  }
  for (const w of beforeCompany.split(/\s+/).filter(Boolean)) {
    const industry = industryOf(w);
    if (industry && !r.industry) {
      r.industry = industry;
      text = text.replace(` ${w} `, ' ');
    }
  }
  const at = AT_COMPANY.exec(text.trim());
  if (at) {
    const name = meaningful(at[1] ?? '');
    const company = meaningful(at[2] ?? '', false);
    if (company) {
      // "leads from dispensaries": only industry words after "from" name the industry, not a company.
      const whole = industryOf(company);
      const industries = whole ? [whole] : company.split(' ').map((w) => industryOf(w));
      if (!r.industry && industries.every(Boolean)) r.industry = industries[0]!;
      else r.company = company;
      if (name) r.name = name;
      return r;
    }
  }
  const name = meaningful(text);
  if (name) r.name = name;
  return r;
}

/**
 * Words that only join a phrase to what follows ("leads from this week"): left alone, with the
 * rest understood, they are no name. Not stop words: "rachel from fresh headies" needs its "from".
 */
const CONNECTIVES = new Set(['from', 'at', 'with', 'since', 'within', 'during', 'over']);

/** The text normalised, stop words left out ("show me rachel" → "rachel"); undefined when nothing (or only a connective) is left. */
export function meaningful(text: string, dropStopWords = true): string | undefined {
  const words = normalizeText(text)
    .split(' ')
    .filter((w) => w && !(dropStopWords && STOP_WORDS.has(w)));
  if (dropStopWords && words.every((w) => CONNECTIVES.has(w))) return undefined;
  return words.length ? words.join(' ') : undefined;
}

/** "30 days", or "36 hours" for a count given in hours that is no whole number of days. */
function daysOrHours(days: number): string {
  return Number.isInteger(days) ? `${days} days` : `${Math.round(days * 24)} hours`;
}

const SORT_WORDS: Record<SortOrder, string> = {
  relevance: 'sorted by relevance',
  importance: 'sorted by importance',
  recent: 'sorted by date added',
  silence: 'sorted by longest silence',
  activity: 'sorted by latest activity',
};

/** The request in words, e.g. `type=lead, added this week (since Monday), sorted by date added`. */
export function describe(r: SearchRequest): string {
  const parts: string[] = [];
  if (r.email) parts.push(`email=${r.email}`);
  if (r.emailDomain) parts.push(`email at ${r.emailDomain}`);
  if (r.phone) parts.push(`phone digits=${r.phone}`);
  if (r.name) parts.push(`name or nickname like "${r.name}"`);
  if (r.company) parts.push(`company like "${r.company}"`);
  if (r.type) parts.push(`type=${r.type}`);
  if (r.tag) parts.push(`tag=${r.tag}`);
  if (r.industry) parts.push(`${r.industry} industry (company names and tags)`);
  if (r.addedSinceLabel) parts.push(r.addedSinceLabel);
  else if (r.addedSince) parts.push(`added since ${r.addedSince.toISOString()}`);
  if (r.silentForDays !== undefined) parts.push(`no activity for ${daysOrHours(r.silentForDays)}`);
  else if (r.silentSinceLabel) parts.push(r.silentSinceLabel);
  else if (r.silentSince) parts.push(`no activity since ${r.silentSince.toISOString()}`);
  if (r.activeSinceLabel) parts.push(r.activeSinceLabel);
  else if (r.activeSince) parts.push(`active since ${r.activeSince.toISOString()}`);
  if (r.minImportance !== undefined) parts.push(`importance ≥ ${r.minImportance}`);
  if (r.hasEmail !== undefined) parts.push(r.hasEmail ? 'with email' : 'without email');
  if (r.hasPhone !== undefined) parts.push(r.hasPhone ? 'with phone' : 'without phone');
  const sort = r.sort ?? (r.name || r.company || r.email || r.phone || r.emailDomain ? 'relevance' : 'importance');
  parts.push(SORT_WORDS[sort]);
  return parts.join(', ');
}
