const DAY = 86_400_000;

/** Midnight today in the server's time zone. */
export function startOfToday(now: Date): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d;
}

/** Monday 00:00 of this week in the server's time zone. */
export function startOfWeek(now: Date): Date {
  const d = startOfToday(now);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

/** The 1st of this month, 00:00, in the server's time zone. */
export function startOfMonth(now: Date): Date {
  const d = startOfToday(now);
  d.setDate(1);
  return d;
}

export function daysAgo(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY);
}
