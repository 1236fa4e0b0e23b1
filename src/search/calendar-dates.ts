import { localDate } from '../local-date.js';
import { localMidnight, startOfToday } from './time-words.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAMES = 'january|february|march|april|may|june|july|august|september|sept|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec';
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ORDINAL = '(?:st|nd|rd|th)?';

/**
 * A day, a month or a year as people write one in a question (lower-case, commas and full stops
 * already gone): "2026-11-20", "11/20", "11/20/2025", "nov 3", "november 3rd 2025", "3rd of
 * november", "october", "october 2025", "monday", "last monday", "2025". Read by calendarRange.
 */
export const CALENDAR_DATE =
  `(?:\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?|(?:${MONTH_NAMES})(?: \\d{1,2}${ORDINAL})?(?: \\d{4})?` +
  `|\\d{1,2}${ORDINAL} (?:of )?(?:${MONTH_NAMES})(?: \\d{4})?|(?:last )?(?:${WEEKDAYS.join('|')})|\\d{4})`;

export interface CalendarRange {
  /** Local midnight the period begins. */
  start: Date;
  /** Local midnight after it ends. */
  end: Date;
  /** "Monday (2026-11-30)", "2026-11-03", "October 2026", "2025": said after "added on" / "in" / "since". */
  label: string;
  /** The whole of a month or a year, not a day: said after "in", not "on". */
  span: 'day' | 'month' | 'year';
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
