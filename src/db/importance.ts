import { type RawBuilder, sql } from 'kysely';

/**
 * The importance rule, evaluated in SQL against `now` (never frozen at sync time):
 * 5, +1 with tags, +2 for a lead, +2 if active within 7 days else +1 within 30 days, at most 10.
 * `c` is the contacts alias; `ctx` the contact_context alias (left-joined).
 */
export function computedImportance(now: Date, c = 'c'): RawBuilder<number> {
  const col = (name: string) => sql.ref(`${c}.${name}`);
  return sql<number>`LEAST(10, 5
    + CASE WHEN cardinality(${col('tags')}) > 0 THEN 1 ELSE 0 END
    + CASE WHEN ${col('type')} = 'lead' THEN 2 ELSE 0 END
    + CASE WHEN ${col('last_activity_at')} >= ${now}::timestamptz - interval '7 days' THEN 2
           WHEN ${col('last_activity_at')} >= ${now}::timestamptz - interval '30 days' THEN 1
           ELSE 0 END)`;
}

export function effectiveImportance(now: Date, c = 'c', ctx = 'ctx'): RawBuilder<number> {
  return sql<number>`COALESCE(${sql.ref(`${ctx}.importance_override`)}::int, ${computedImportance(now, c)})`;
}
