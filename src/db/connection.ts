import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import type { Logger } from '../logger.js';
import { redact } from '../redact.js';
import type { Database } from './database.js';
import { sessionOptions } from './session-settings.js';
import type { DataDirInitializer } from './embedded/engine.js';

export type DatabaseKind = 'postgres' | 'pglite';

const CONNECT_TIMEOUT_MS = 10_000;

/** A connection of its own, for the statements Kysely cannot send (COPY); released by the caller. */
export type ConnectForCopy = () => Promise<pg.PoolClient>;

export interface DbHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** A credential-free description for logs and `doctor`. */
  readonly description: string;
  /**
   * PostgreSQL servers only: a connection of the pool's, for work that needs one to itself (COPY,
   * the sync lock's session). COPY FROM STDIN through the embedded engine's socket stops PGlite.
   */
  readonly connectForCopy?: ConnectForCopy;
  close(): Promise<void>;
}

/**
 * Where a PostgreSQL URL points (user, host, port, database), for messages: never its password,
 * which may sit in the user part or in a parameter (`?password=`).
 */
export function postgresLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL (not a readable URL)';
  }
}

/** The passwords a PostgreSQL URL carries, to keep them out of error text that may quote it. */
export function postgresSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [url, decodeURIComponent(u.password), u.searchParams.get('password') ?? ''].filter(Boolean);
  } catch {
    return [url];
  }
}

export async function openDatabase(target: DatabaseTarget, log: Logger, o: { initializeDataDir?: DataDirInitializer; signal?: AbortSignal } = {}): Promise<DbHandle> {
  if (target.kind === 'postgres') {
    const { connectionString, options } = await sessionOptions(target.url, CONNECT_TIMEOUT_MS);
    // Named in pg_stat_activity for whoever shares the server (an application_name in the URL wins).
    // TCP keepalive: a connection a NAT or VPN forgot without a reset is found dead by the kernel's
    // probes (minutes) rather than its retransmissions (~15 min).
    const pool = new pg.Pool({ connectionString, max: 8, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, options, application_name: 'medtainer-mcp', keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    // An idle client that loses its server must not crash the process.
    pool.on('error', (err) => log.warn('postgres connection error', { error: redact(err.message) }));
    // So must one in use (a transaction, the sync lock's): its query fails, the process does not.
    pool.on('connect', (client) => client.on('error', (err) => log.warn('postgres connection lost while in use', { error: redact(err.message) })));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', description: `PostgreSQL ${postgresLocation(target.url)}`, connectForCopy: () => pool.connect(), close: () => db.destroy() };
  }
  // Loaded lazily: the WASM engine costs ~250 MB and is not needed with a PostgreSQL server.
  const embedded = await import('./embedded/index.js');
  if (target.kind === 'memory') {
    const mem = await embedded.openInMemory({ log });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: mem.pool }) });
    return { db, kind: 'pglite', description: 'in-memory PGlite (memory://, discarded on exit)', close: closeBoth(db, mem.close) };
  }
  const disk = await embedded.openEmbedded({ dataDir: target.dataDir, log, initializeDataDir: o.initializeDataDir, signal: o.signal });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: disk.pool }) });
  return { db, kind: 'pglite', description: `embedded PGlite in ${target.dataDir}`, close: closeBoth(db, disk.close) };
}

function closeBoth(db: Kysely<Database>, closeEngine: () => Promise<void>): () => Promise<void> {
  return async () => {
    await db.destroy().catch(() => {});
    await closeEngine();
  };
}

export async function databaseSizeBytes(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ size: string }>`SELECT pg_database_size(current_database())::text AS size`.execute(db);
  return Number(rows[0]?.size ?? 0);
}
