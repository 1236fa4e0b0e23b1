import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type { ConnectForCopy } from './connection.js';
import type { Database } from './database.js';

/** Arbitrary but fixed: the key every medtainer-mcp process uses for "a sync is running". */
const SYNC_LOCK_KEY = 4_151_777_001;
/**
 * How often the lock is checked. It lives exactly as long as the session that took it; a dropped
 * connection (a server restart or failover, `pg_terminate_backend`, `idle_session_timeout`, a
 * NAT forgetting the connection) frees it for another process while this one still thinks it
 * holds it. A drop the client sees ends the lock at once; the check finds the silent ones, and
 * keeps the connection from looking idle.
 */
const CHECK_EVERY_MS = 5_000;
/** A check or an unlock that has not answered by then is on a connection that is gone. */
const ANSWER_WITHIN_MS = 5_000;
/** The sync lock's row in pg_locks, once granted (a bigint key shows as classid 0, objid, objsubid 1). */
const GRANTED_SYNC_LOCK = `locktype = 'advisory' AND classid = 0 AND objid = ${SYNC_LOCK_KEY} AND objsubid = 1 AND granted`;
const HELD_BY_THIS_SESSION = `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE ${GRANTED_SYNC_LOCK} AND pid = pg_backend_pid()) AS held`;

/** The database session holding the sync lock: its backend, and when that backend started. */
export interface LockSession {
  pid: number;
  /** Null when the server does not show it (another role's session). */
  startedAt: string | null;
}

export interface HeldLock {
  readonly session: LockSession;
  /** Settles with the reason once the lock is found gone; never settles while it is held. */
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

/**
 * Takes the PostgreSQL session-level advisory lock for syncing on a connection of its own, kept
 * for the whole run. If the process dies, the server drops the connection and the lock with it,
 * so a `running` row whose lock is free belongs to a dead holder. Null when another session holds it.
 */
export async function tryAcquireSyncLock(connect: ConnectForCopy, options: { checkEveryMs?: number } = {}): Promise<HeldLock | null> {
  const client = await connect();
  let row: { ok: boolean; pid: number; started_at: string | null } | undefined;
  try {
    ({ rows: [row] } = await client.query<{ ok: boolean; pid: number; started_at: string | null }>(
      `SELECT pg_try_advisory_lock($1) AS ok, pg_backend_pid() AS pid, (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS started_at`,
      [SYNC_LOCK_KEY],
    ));
  } catch (err) {
    client.release(err instanceof Error ? err : true);
    throw err;
  }
  if (!row?.ok) {
    client.release();
    return null;
  }
  return holdLock(client, { pid: row.pid, startedAt: row.started_at }, options.checkEveryMs ?? CHECK_EVERY_MS);
}

function holdLock(client: pg.PoolClient, session: LockSession, checkEveryMs: number): HeldLock {
  let state: 'held' | 'lost' | 'released' = 'held';
  let markLost!: (reason: Error) => void;
  const lost = new Promise<Error>((r) => (markLost = r));
  const stopWatching = () => {
    clearInterval(timer);
    client.off('error', onDrop);
    client.off('end', onDrop);
  };
  const lose = (reason: Error) => {
    if (state !== 'held') return;
    state = 'lost';
    stopWatching();
    // Never back to the pool: the next borrower would wait behind a query that cannot answer.
    client.release(reason);
    markLost(reason);
  };
  function onDrop(err?: Error): void {
    lose(err ?? new Error('the connection ended'));
  }
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    answered(client.query<{ held: boolean }>(HELD_BY_THIS_SESSION), 'checking the sync lock')
      .then(({ rows }) => {
        if (!rows[0]?.held) lose(new Error('the session no longer holds the sync lock (a transaction-mode pooler in between?)'));
      })
      .catch((err: unknown) => lose(err instanceof Error ? err : new Error(String(err))))
      .finally(() => (checking = false));
  }, checkEveryMs);
  timer.unref();
  client.on('error', onDrop);
  client.on('end', onDrop);
  return {
    session,
    lost,
    async release() {
      if (state !== 'held') return;
      state = 'released';
      stopWatching();
      try {
        await answered(client.query('SELECT pg_advisory_unlock($1)', [SYNC_LOCK_KEY]), 'releasing the sync lock');
        client.release();
      } catch (err) {
        // The lock went with its connection.
        client.release(err instanceof Error ? err : true);
      }
    },
  };
}

/** Rejects when `query` has not answered within ANSWER_WITHIN_MS. */
function answered<T>(query: Promise<T>, what: string): Promise<T> {
  query.catch(() => {}); // If the deadline wins, a later failure is not "unhandled".
  const deadline = new AbortController();
  return Promise.race([
    query.finally(() => deadline.abort()),
    sleep(ANSWER_WITHIN_MS, null, { ref: false, signal: deadline.signal }).then(() => {
      throw new Error(`no answer from the database within ${ANSWER_WITHIN_MS / 1000} s while ${what}`);
    }),
  ]);
}

/** The session holding the sync lock in this database, or null when it is free. */
export async function syncLockSession(db: Kysely<Database>): Promise<LockSession | null> {
  const { rows } = await sql<{ pid: number; started_at: string | null }>`
    SELECT l.pid, a.backend_start::text AS started_at
    FROM (SELECT pid FROM pg_locks WHERE ${sql.raw(GRANTED_SYNC_LOCK)} AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS l
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid`.execute(db);
  return rows[0] ? { pid: rows[0].pid, startedAt: rows[0].started_at } : null;
}

/** Ends a session of this process's that outlived its connection, so the lock it holds is freed. */
export async function endOrphanedSession(db: Kysely<Database>, session: LockSession): Promise<void> {
  await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ${session.pid} AND backend_start::text = ${session.startedAt}`.execute(db);
}
