import { existsSync, realpathSync } from 'node:fs';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { PostgresPool } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import { createPglite, type DataDirInitializer } from './engine.js';
import { type Role, SharedPool } from './shared-pool.js';

export type { Role } from './shared-pool.js';
export type { DataDirInitializer } from './engine.js';

export interface EmbeddedDatabase {
  pool: PostgresPool;
  role(): Role | null;
  close(): Promise<void>;
}

/** The on-disk embedded database, shared safely with other processes on the same directory. */
export async function openEmbedded(o: { dataDir: string; log: Logger; onRole?: (role: Role) => void; initializeDataDir?: DataDirInitializer; signal?: AbortSignal }): Promise<EmbeddedDatabase> {
  // PGlite cannot open a data directory that is itself a symbolic link; its target it can.
  const dataDir = existsSync(o.dataDir) ? realpathSync(o.dataDir) : o.dataDir;
  const pool = new SharedPool(dataDir, o.log, o.onRole, o.initializeDataDir, o.signal);
  // Connect once now, so opening fails here (not on the first query) when something is wrong.
  const client = await pool.connect().catch(async (err: unknown) => {
    await pool.end();
    throw err;
  });
  client.release();
  return { pool, role: () => pool.role, close: () => pool.end() };
}

/** A private in-memory database (memory://), discarded on close. */
export async function openInMemory(o: { log: Logger }): Promise<EmbeddedDatabase> {
  const pglite = await createPglite(undefined, o.log);
  const pool = new pg.Pool(createPgConfig(pglite));
  return {
    pool: pool as unknown as PostgresPool,
    role: () => 'owner',
    close: async () => {
      await pool.end().catch(() => {});
      await pglite.close();
    },
  };
}
