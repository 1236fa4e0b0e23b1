import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Arbitrary but fixed: the key every medtainer-mcp process uses for "a sync is running". */
const SYNC_LOCK_KEY = 4_151_777_001;
/**
 * How often the connection holding the lock is checked. The lock lives exactly as long as that
 * connection; a dropped one (a server restart, `pg_terminate_backend`, `idle_session_timeout`)
 * frees it for another process while this one still thinks it holds it. The check also keeps the
 * connection from looking idle.
 */
const CHECK_EVERY_MS = 5_000;

export interface HeldLock {
  /** Settles with the reason once the lock's connection is found gone; never settles while it is held. */
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

/**
 * Takes the PostgreSQL session-level advisory lock for syncing on a connection kept aside for the
 * whole run. If the process dies, the server drops the connection and the lock with it, so a
 * `running` row whose lock is free belongs to a dead holder. Null when another session holds it.
 */
export function tryAcquireSyncLock(db: Kysely<Database>, options: { checkEveryMs?: number } = {}): Promise<HeldLock | null> {
  const checkEveryMs = options.checkEveryMs ?? CHECK_EVERY_MS;
  return new Promise<HeldLock | null>((resolve, reject) => {
    const releasing = new AbortController();
    let settled = false;
    let markLost!: (reason: Error) => void;
    const lost = new Promise<Error>((r) => (markLost = r));
    const done = db
      .connection()
      .execute(async (conn) => {
        const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${SYNC_LOCK_KEY}) AS ok`.execute(conn);
        settled = true;
        if (!rows[0]?.ok) {
          resolve(null);
          return;
        }
        resolve({
          lost,
          release: async () => {
            releasing.abort();
            await done;
          },
        });
        while (await sleep(checkEveryMs, true, { ref: false, signal: releasing.signal }).catch(() => false)) {
          // Throws once the connection is gone, and with it the lock.
          await sql`SELECT 1`.execute(conn);
        }
        await sql`SELECT pg_advisory_unlock(${SYNC_LOCK_KEY})`.execute(conn);
      })
      .catch((err: unknown) => {
        if (!settled) reject(err);
        else if (!releasing.signal.aborted) markLost(err instanceof Error ? err : new Error(String(err)));
      });
  });
}
