import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Arbitrary but fixed: the key every medtainer-mcp process uses for "a sync is running". */
const SYNC_LOCK_KEY = 4_151_777_001;

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the PostgreSQL session-level advisory lock for syncing on a connection kept aside for the
 * whole run. If the process dies, the server drops the connection and the lock with it, so a
 * `running` row whose lock is free belongs to a dead holder. Null when another session holds it.
 */
export function tryAcquireSyncLock(db: Kysely<Database>): Promise<HeldLock | null> {
  return new Promise<HeldLock | null>((resolve, reject) => {
    let releaseHeld!: () => void;
    const held = new Promise<void>((r) => (releaseHeld = r));
    let settled = false;
    const done = db
      .connection()
      .execute(async (conn) => {
        const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${SYNC_LOCK_KEY}) AS ok`.execute(conn);
        if (!rows[0]?.ok) {
          settled = true;
          resolve(null);
          return;
        }
        settled = true;
        resolve({
          release: async () => {
            releaseHeld();
            await done;
          },
        });
        await held;
        await sql`SELECT pg_advisory_unlock(${SYNC_LOCK_KEY})`.execute(conn);
      })
      .catch((err: unknown) => {
        if (!settled) reject(err);
      });
  });
}
