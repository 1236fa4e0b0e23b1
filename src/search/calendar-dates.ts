import { localDate } from '../local-date.js';
import { localMidnight, startOfToday } from './time-words.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAMES = 'january|february|march|april|may|june|july|august|september|sept|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec';
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ORDINAL = '(?:st|nd|rd|th)?';
/** How many, in a relative period: digits or the words people write ("a week ago", "two months ago"). */
const AGO_COUNTS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };
const AGO = `(?:\\d{1,3}|${Object.keys(AGO_COUNTS).join('|')}) (?:days?|weeks?|months?|years?) ago`;
/** "the weekend", "last weekend", "this past weekend", "the past weekend". */
const WEEKEND_WHICH = '(?:the |this |last |past |this past |the past |the last )';
const WEEKEND = `(?:over |during )?${WEEKEND_WHICH}?weekend`;
const QUARTER_SAID = '(?:the )?(?:this|last|past|previous) quarter';
const QUARTER = `(?:${QUARTER_SAID}|q[1-4](?: \\d{4})?)`;
/**
 * What may follow a relative period: the end of the question or a word that goes on with it. A
 * name's next word ("Weekend Supply", "Q1 Labs", "Last Quarter Coffee", "3 Days Ago Records") or
 * a hyphen ("q4-promo") says the words are a name's, not a period.
 */
const PERIOD_ENDS =
  '(?=\\s*$|\\s(?:and|or|but|who|whom|that|which|with|without|from|at|in|on|for|to|by|sorted|ordered|listed|added|leads?|prospects?|customers?|clients?|buyers?|contacts?|people|please|tagged|no|not|missing|only|so|too|yet|still)\\b)';
/** Not the end of a hyphenated or possessive word ("spring-q4"). */
const NOT_MID_WORD = "(?<![-'])";
/**
 * Periods said relative to today, read as whole calendar periods: "3 days ago" (that day), "two
 * weeks ago" (that Monday-to-Sunday week), "a month ago" (that month), "over the weekend" (the last
 * Saturday and Sunday that have begun), "last quarter", "q3 2025".
 */
export const RELATIVE_PERIOD = `${NOT_MID_WORD}(?:${AGO}|${WEEKEND}|${QUARTER})${PERIOD_ENDS}`;
/**
 * A relative period said with no word before it that introduces a date: it must say it is one.
 * "weekend" or "q1" alone may be a tag or a name's ("tagged weekend", "Weekend Supply"); "over
 * the weekend", "last quarter" and "q3 2025" may not.
 */
export const RELATIVE_PERIOD_ALONE = `${NOT_MID_WORD}(?:${AGO}|(?:over |during )?${WEEKEND_WHICH}weekend|(?:over|during) weekend|${QUARTER_SAID}|q[1-4] \\d{4})${PERIOD_ENDS}`;
/** "3 days ago" and the like, alone: what "more than" or "less than" can go before. */
export const AGO_PERIOD = `${NOT_MID_WORD}${AGO}${PERIOD_ENDS}`;

/**
 * A day, a month or a year as people write one in a question (lower-case, commas and full stops
 * already gone): "2026-11-20", "11/20", "11/20/2025", "nov 3", "november 3rd 2025", "3rd of
 * november", "october", "october 2025", "monday", "last monday", "2025". Read by calendarRange.
 */
export const CALENDAR_DATE =
  `(?:\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?|(?:${MONTH_NAMES})(?: \\d{1,2}${ORDINAL})?(?: \\d{4})?` +
  `|\\d{1,2}${ORDINAL} (?:of )?(?:${MONTH_NAMES})(?: \\d{4})?|(?:last )?(?:${WEEKDAYS.join('|')})|\\d{4}|${RELATIVE_PERIOD})`;

/**
 * Either end of a range ("between last month and this month", "from last quarter to today"): a
 * CALENDAR_DATE, or a whole period said from today, which alone other rules read their own way
 * ("added this week" since Monday, "added last month" the last 30 days). Read by calendarRange.
 */
export const RANGE_END = `(?:${CALENDAR_DATE}|(?:this|last) (?:week|month|year)|today|yesterday)`;

export interface CalendarRange {
  /** Local midnight the period begins. */
  start: Date;
  /** Local midnight after it ends. */
  end: Date;
  /** "Monday (2026-11-30)", "2026-11-03", "October 2026", "2025": said after "added on" / "in" / "since". */
  label: string;
  /** A day is said after "on", a weekend after "over", the others after "in". */
  span: 'day' | 'week' | 'weekend' | 'month' | 'quarter' | 'year';
}

const monthIndex = (name: string) => MONTHS.findIndex((m) => m.startsWith(name.slice(0, 3)));
const capital = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/**
 * The local days a CALENDAR_DATE covers. A date without a year is its last occurrence that has
 * begun ("november" in November is this month; "dec 25" on 1 December is last year's; "feb 29" the
 * last leap day), a weekday the last one before today ("since monday" agrees). With `onOrAfter`
 * (the end of a range, read after its start) such a date is instead its first occurrence that
 * begins on or after that day: "between nov 1 and nov 30" is one November, "between dec 20 and
 * jan 5" runs into January. Null for a date no calendar has (Feb 30, 13/13) or a year the brain
 * cannot hold.
 */
export function calendarRange(text: string, now: Date, o: { onOrAfter?: Date } = {}): CalendarRange | null {
  const today = startOfToday(now);
  const from = o.onOrAfter ? startOfToday(o.onOrAfter) : null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text))) return day(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if ((m = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?$/.exec(text))) {
    // Month first, as in the US; "20/11" can only be day first.
    let [month, date] = [Number(m[1]), Number(m[2])];
    if (month > 12 && date <= 12) [month, date] = [date, month];
    const year = m[3] === undefined ? undefined : m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return year === undefined ? lastDay(month - 1, date) : day(year, month - 1, date);
  }
  if ((m = new RegExp(`^(${MONTH_NAMES})(?: (\\d{1,2})${ORDINAL})?(?: (\\d{4}))?$`).exec(text)) || (m = new RegExp(`^()(\\d{1,2})${ORDINAL} (?:of )?(${MONTH_NAMES})(?: (\\d{4}))?$`).exec(text))) {
    const [monthName, date, year] = m[1] ? [m[1], m[2], m[3]] : [m[3]!, m[2], m[4]];
    const month = monthIndex(monthName!);
    if (date === undefined) return year === undefined ? lastMonth(month) : monthOf(Number(year), month);
    return year === undefined ? lastDay(month, Number(date)) : day(Number(year), month, Number(date));
  }
  if ((m = new RegExp(`^(?:last )?(${WEEKDAYS.join('|')})$`).exec(text))) {
    const weekday = WEEKDAYS.indexOf(m[1]!);
    const start = from
      ? localMidnight(from.getFullYear(), from.getMonth(), from.getDate() + ((weekday - from.getDay() + 7) % 7))
      : localMidnight(today.getFullYear(), today.getMonth(), today.getDate() - ((today.getDay() - weekday + 7) % 7 || 7));
    return { ...dayRange(start), label: `${capital(m[1]!)} (${localDate(start)})` };
  }
  const relative = relativePeriod(text, today);
  if (relative !== undefined) return relative;
  if ((m = /^(\d{4})$/.exec(text))) {
    const year = Number(m[1]);
    if (!plausibleYear(year)) return null;
    return { start: localMidnight(year, 0, 1), end: localMidnight(year + 1, 0, 1), label: String(year), span: 'year' };
  }
  return null;

  function day(year: number, month: number, date: number): CalendarRange | null {
    const start = localMidnight(year, month, date);
    // new Date rolls Feb 30 over into March: such a date is no date.
    if (!plausibleYear(year) || start.getMonth() !== month || start.getDate() !== date) return null;
    return { ...dayRange(start), label: localDate(start) };
  }
  function lastDay(month: number, date: number): CalendarRange | null {
    // Eight years hold a leap day whichever the year (1900 and 2100 have none).
    for (let i = 0; i <= 8; i++) {
      const found = from ? day(from.getFullYear() + i, month, date) : day(today.getFullYear() - i, month, date);
      if (found && (from ? found.start >= from : found.start <= today)) return found;
    }
    return null;
  }
  function lastMonth(month: number): CalendarRange {
    if (from) return monthOf(month >= from.getMonth() ? from.getFullYear() : from.getFullYear() + 1, month);
    return monthOf(month <= today.getMonth() ? today.getFullYear() : today.getFullYear() - 1, month);
  }
}

function dayRange(start: Date): { start: Date; end: Date; span: 'day' } {
  return { start, end: localMidnight(start.getFullYear(), start.getMonth(), start.getDate() + 1), span: 'day' };
}

function monthOf(year: number, month: number): CalendarRange {
  return { start: localMidnight(year, month, 1), end: localMidnight(year, month + 1, 1), label: `${capital(MONTHS[month]!)} ${year}`, span: 'month' };
}

/** The brain holds no time before 1900 (see parse-contact). */
function plausibleYear(year: number): boolean {
  return year >= 1900 && year <= 9999;
}

/** Whether a date is said from today ("last month", "3 days ago"): its days do not depend on a range's other end. */
export function saidFromToday(text: string): boolean {
  // Which day it is read on changes its days, never whether it is one.
  return relativePeriod(text, ANY_DAY) !== undefined;
}
const ANY_DAY = new Date(2000, 0, 1);

/** A RELATIVE_PERIOD's days (undefined when the text is none); the same whatever a range began with. */
function relativePeriod(text: string, today: Date): CalendarRange | null | undefined {
  const [y, mo, d] = [today.getFullYear(), today.getMonth(), today.getDate()];
  let m: RegExpExecArray | null;
  if ((m = /^(\w+) (day|week|month|year)s? ago$/.exec(text))) {
    const n = AGO_COUNTS[m[1]!] ?? Number(m[1]);
    if (!Number.isInteger(n)) return undefined;
    const said = `${m[1]} ${m[2]}${n === 1 ? '' : 's'} ago`;
    if (m[2] === 'day') {
      const start = localMidnight(y, mo, d - n);
      return { ...dayRange(start), label: `${localDate(start)} (${said})` };
    }
    if (m[2] === 'week') {
      const day = localMidnight(y, mo, d - 7 * n);
      const monday = localMidnight(day.getFullYear(), day.getMonth(), day.getDate() - ((day.getDay() + 6) % 7));
      return { start: monday, end: localMidnight(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7), label: `the week of Monday ${localDate(monday)} (${said})`, span: 'week' };
    }
    if (m[2] === 'month') {
      const first = new Date(y, mo - n, 1);
      const month = monthOf(first.getFullYear(), first.getMonth());
      return { ...month, label: `${month.label} (${said})` };
    }
    const year = y - n;
    if (!plausibleYear(year)) return null;
    return { start: localMidnight(year, 0, 1), end: localMidnight(year + 1, 0, 1), label: `${year} (${said})`, span: 'year' };
  }
  // A RANGE_END's own periods, whole: this or last Monday-to-Sunday week, calendar month or year.
  if (text === 'today' || text === 'yesterday') {
    const start = localMidnight(y, mo, d - (text === 'today' ? 0 : 1));
    return { ...dayRange(start), label: `${localDate(start)} (${text})` };
  }
  if ((m = /^(this|last) (week|month|year)$/.exec(text))) {
    const back = m[1] === 'last' ? 1 : 0;
    if (m[2] === 'week') {
      const monday = localMidnight(y, mo, d - ((today.getDay() + 6) % 7) - 7 * back);
      return { start: monday, end: localMidnight(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7), label: `the week of Monday ${localDate(monday)} (${text})`, span: 'week' };
    }
    if (m[2] === 'month') {
      const first = new Date(y, mo - back, 1);
      const month = monthOf(first.getFullYear(), first.getMonth());
      return { ...month, label: `${month.label} (${text})` };
    }
    return { start: localMidnight(y - back, 0, 1), end: localMidnight(y - back + 1, 0, 1), label: `${y - back} (${text})`, span: 'year' };
  }
  if ((m = new RegExp(`^(?:over |during )?(${WEEKEND_WHICH})?weekend$`).exec(text))) {
    // The last Saturday that has begun (today, on a Saturday); "last weekend" said during a
    // weekend is the one before ("this past weekend" is the one that has passed, too).
    const inWeekend = today.getDay() === 6 || today.getDay() === 0;
    const back = ((today.getDay() + 1) % 7) + (inWeekend && /(?:last|past) $/.test(m[1] ?? '') ? 7 : 0);
    const saturday = localMidnight(y, mo, d - back);
    return { start: saturday, end: localMidnight(saturday.getFullYear(), saturday.getMonth(), saturday.getDate() + 2), label: `the weekend of ${localDate(saturday)}`, span: 'weekend' };
  }
  if ((m = /^(?:(?:the )?(this|last|past|previous) quarter|q([1-4])(?: (\d{4}))?)$/.exec(text))) {
    const current = Math.floor(mo / 3);
    let year = m[3] ? Number(m[3]) : y;
    let quarter = m[1] === 'this' ? current : m[1] ? current - 1 : Number(m[2]) - 1;
    // A quarter without a year is the last one that has begun ("q4" in March is last year's).
    if (!m[1] && !m[3] && quarter > current) year -= 1;
    if (quarter < 0) [quarter, year] = [3, year - 1];
    if (!plausibleYear(year)) return null;
    return { start: localMidnight(year, quarter * 3, 1), end: localMidnight(year, quarter * 3 + 3, 1), label: `Q${quarter + 1} ${year}`, span: 'quarter' };
  }
  return undefined;
}
