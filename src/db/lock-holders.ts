import { type Kysely, sql } from 'kysely';

/** lock_not_available: a statement gave up waiting for a lock (lock_timeout). */
export const LOCK_NOT_AVAILABLE = '55P03';

/**
 * How long a statement of ours waits for a lock another session holds on a PostgreSQL server
 * (an administrator's ALTER TABLE, another program's transaction left open) before it gives up
 * and says who is in the way: without a limit a tool call outlives the client's 60 s and a sync
 * waits for good while every scheduled one joins it. Migrations wait 15 s (see migrate.ts).
 */
export const STATEMENT_LOCK_TIMEOUT = '20s';

export function isLockTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === LOCK_NOT_AVAILABLE;
}

/**
 * The sessions in the way, in words: those holding a lock on a table of the brain's schema first
 * (a wait for one has just ended, theirs has not), oldest transaction first; else the other open
 * transactions. "another session" when they cannot be read.
 */
export async function sessionsInTheWay(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ pid: number; app: string; state: string; since: Date }>`
    SELECT pid, coalesce(nullif(application_name, ''), usename::text, '?') AS app, coalesce(state, '?') AS state, xact_start AS since
    FROM pg_stat_activity a
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
    ORDER BY EXISTS (
        SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE l.pid = a.pid AND l.granted AND c.relnamespace = current_schema()::regnamespace) DESC,
      xact_start
    LIMIT 3`
    .execute(db)
    .catch(() => ({ rows: [] as { pid: number; app: string; state: string; since: Date }[] }));
  return rows.length
    ? rows.map((r) => `session ${r.pid} (${r.app}, ${r.state} since ${new Date(r.since).toISOString().slice(11, 19)} UTC)`).join('; ')
    : 'another session';
}
