import { type RawBuilder, sql } from 'kysely';
import { daysAgo } from '../search/time-words.js';

/** The instants the activity bonus is measured from: 7 × 24 h and 30 × 24 h before `now`. */
export interface ActivityCutoffs {
  week: Date;
  month: Date;
}

/**
 * Computed once per request and sent as parameters: written as `now - interval '30 days'` in SQL,
 * the subtraction would run again for every row a filter looks at (it is not a constant to the
 * planner), which doubled the cost of scans over the whole brain.
 */
export function activityCutoffs(now: Date): ActivityCutoffs {
  return { week: daysAgo(now, 7), month: daysAgo(now, 30) };
}

/**
 * The importance rule, evaluated in SQL against `now` (never frozen at sync time):
 * 5, +1 with tags, +2 for a lead, +2 if active within 7 days else +1 within 30 days, at most 10.
 * `c` is the contacts alias; `ctx` the contact_context alias (left-joined).
 */
export function computedImportance(now: Date, c = 'c'): RawBuilder<number> {
  const col = (name: string) => sql.ref(`${c}.${name}`);
  const { week, month } = activityCutoffs(now);
  return sql<number>`LEAST(10, 5
    + CASE WHEN cardinality(${col('tags')}) > 0 THEN 1 ELSE 0 END
    + CASE WHEN ${col('type')} = 'lead' THEN 2 ELSE 0 END
    + CASE WHEN ${col('last_activity_at')} >= ${week}::timestamptz THEN 2
           WHEN ${col('last_activity_at')} >= ${month}::timestamptz THEN 1
           ELSE 0 END)`;
}

export function effectiveImportance(now: Date, c = 'c', ctx = 'ctx'): RawBuilder<number> {
  return sql<number>`COALESCE(${sql.ref(`${ctx}.importance_override`)}::int, ${computedImportance(now, c)})`;
}
