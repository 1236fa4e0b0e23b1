const DAY = 86_400_000;

/**
 * Local midnight starting a calendar day, built from its fields: where a clock change skips
 * midnight itself (America/Santiago, Africa/Cairo, America/Havana) that day begins at 01:00, and
 * moving a Date that holds such an 01:00 to another day by setDate would keep the hour and start
 * that other day an hour late.
 */
export function localMidnight(year: number, month: number, date: number): Date {
  return new Date(year, month, date);
}

/** Midnight today in the server's time zone. */
export function startOfToday(now: Date): Date {
  return localMidnight(now.getFullYear(), now.getMonth(), now.getDate());
}

/** Monday 00:00 of this week in the server's time zone. */
export function startOfWeek(now: Date): Date {
  return localMidnight(now.getFullYear(), now.getMonth(), now.getDate() - ((now.getDay() + 6) % 7));
}

/** The 1st of this month, 00:00, in the server's time zone. */
export function startOfMonth(now: Date): Date {
  return localMidnight(now.getFullYear(), now.getMonth(), 1);
}

export function daysAgo(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY);
}

/** The 1st of this calendar quarter (January, April, July or October), 00:00, in the server's time zone. */
export function startOfQuarter(now: Date): Date {
  return localMidnight(now.getFullYear(), now.getMonth() - (now.getMonth() % 3), 1);
}
