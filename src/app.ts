import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import { type DbHandle, openDatabase } from './db/connection.js';
import type { Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Logger } from './logger.js';
import type { ToolDeps } from './tools/define-tool.js';

export interface App {
  readonly deps: ToolDeps;
  /** Opens and migrates the brain in the background (first embedded start takes seconds). */
  start(): void;
  /** The open database handle; opens it on first use. */
  database(): Promise<DbHandle>;
  close(): Promise<void>;
}

export interface AppOptions {
  now?: () => Date;
}

/** Wires the long-lived parts together. Knows nothing about argv, env, signals or stdio. */
export function createApp(config: Config, log: Logger, options: AppOptions = {}): App {
  let opening: Promise<DbHandle> | null = null;
  let handle: DbHandle | null = null;
  let closed = false;

  const database = (): Promise<DbHandle> => {
    if (closed) return Promise.reject(new Error('the server is shutting down'));
    opening ??= (async () => {
      const t0 = performance.now();
      const h = await openDatabase(config.database, log);
      try {
        await migrateToLatest(h.db, log);
      } catch (err) {
        await h.close().catch(() => {});
        throw err;
      }
      log.info(`brain ready: ${h.description} (${Math.round(performance.now() - t0)} ms)`);
      handle = h;
      return h;
    })().catch((err: unknown) => {
      // Forget a failed attempt so the next call tries again (e.g. PostgreSQL came back).
      opening = null;
      log.error('could not open the database', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    });
    return opening;
  };

  const db = async (): Promise<Kysely<Database>> => (await database()).db;

  const deps: ToolDeps = {
    db,
    dbKind: () => (config.database.kind === 'postgres' ? 'postgres' : 'pglite'),
    config,
    log,
    now: options.now ?? (() => new Date()),
  };

  return {
    deps,
    database,
    start() {
      database().catch(() => {
        // Already logged; tools report it when called.
      });
    },
    async close() {
      closed = true;
      const pending = opening;
      if (pending) await pending.catch(() => null);
      if (handle) await handle.close();
      handle = null;
    },
  };
}
