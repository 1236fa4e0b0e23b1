import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import { isConnectionLost } from './db/connection-lost.js';
import { type DatabaseKind, type DbHandle, openDatabase } from './db/connection.js';
import type { Database } from './db/database.js';
import type { DataDirInitializer } from './db/embedded/engine.js';
import { migrateToLatest } from './db/migrate.js';
import { lastSuccessfulRun } from './db/sync-runs.repository.js';
import { databaseUnavailable, describeThrown } from './db/unavailable.js';
import { settledWithin } from './deadline.js';
import { DatabaseUnavailableError } from './errors.js';
import { createGhlClient, type GhlClient, type GhlClientOptions } from './ghl/client.js';
import type { Logger } from './logger.js';
import { plannedNextRun, type Scheduler, startScheduler, syncDueAtStart } from './scheduler.js';
import { SyncEngine, type SyncEngineDeps } from './sync/engine.js';
import type { ToolDeps } from './tools/define-tool.js';

export interface App {
  readonly deps: ToolDeps;
  readonly sync: SyncEngine;
  /** Opens and migrates the brain in the background (first embedded start takes seconds), then starts the schedule. */
  start(options?: { schedule?: boolean }): void;
  /** The open database handle; opens it on first use. */
  database(): Promise<DbHandle>;
  close(): Promise<void>;
}

export interface AppOptions {
  now?: () => Date;
  /** Who this process is (host:pid), recorded on the sync runs it executes. */
  holder?: string;
  /** Overrides for the GHL client (tests shorten timeouts and backoff). */
  ghl?: GhlClientOptions;
  /** A ready client, e.g. pointed at the built-in simulated location in demo mode. */
  ghlClient?: GhlClient | null;
  isHolderGone?(holder: string): boolean;
  /** Creates a new embedded data directory outside this process (see DataDirInitializer). */
  initializeDataDir?: DataDirInitializer;
  /** Sync tuning (tests shrink thresholds to exercise large-account behaviour on small data). */
  sync?: Pick<SyncEngineDeps, 'opportunitiesAlongsideUpTo' | 'bulkAbove' | 'indexesFrom' | 'pollMs' | 'staleAfterSeconds' | 'lockCheckMs'>;
}

/** Asked for the brain while the process stops: expected, with a next step (not a failure with a stack). */
function shuttingDown(): DatabaseUnavailableError {
  return new DatabaseUnavailableError('The server is shutting down.', 'Ask again once the client has started it again');
}

/** How long closing waits for a PostgreSQL brain still being opened (see close). */
const POSTGRES_OPEN_WAIT_ON_CLOSE_MS = 1_000;

/**
 * How long a migration waits for another session's lock on a shared PostgreSQL server before the
 * opening fails with who holds it (the next call tries again): well inside a client's 60 s.
 */
const MIGRATION_LOCK_TIMEOUT_MS = 15_000;

/** Wires the long-lived parts together. Knows nothing about argv, env, signals or stdio. */
export function createApp(config: Config, log: Logger, options: AppOptions = {}): App {
  let opening: Promise<DbHandle> | null = null;
  let handle: DbHandle | null = null;
  let closed = false;
  const closing = new AbortController();

  const database = (): Promise<DbHandle> => {
    if (closed) return Promise.reject(shuttingDown());
    opening ??= (async () => {
      const t0 = performance.now();
      const h = await openDatabase(config.database, log, { initializeDataDir: options.initializeDataDir, signal: closing.signal });
      if (closed) {
        // Shut down while opening: do not migrate a database nobody will use.
        await h.close().catch(() => {});
        throw shuttingDown();
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await migrateToLatest(h.db, log, { vacuumAfterUpgrade: h.kind === 'pglite', lockTimeoutMs: h.kind === 'postgres' ? MIGRATION_LOCK_TIMEOUT_MS : undefined });
          break;
        } catch (err) {
          // The process sharing the embedded database quit mid-statement: the next statement
          // reaches whoever takes it over (this process, maybe), and migrations are all or nothing.
          if (h.kind === 'pglite' && isConnectionLost(err) && attempt < 3 && !closed) continue;
          await h.close().catch(() => {});
          throw err;
        }
      }
      log.info(`brain ready: ${h.description} (${Math.round(performance.now() - t0)} ms)`);
      handle = h;
      return h;
    })().catch((err: unknown) => {
      // Forget a failed attempt so the next call tries again (e.g. PostgreSQL came back).
      opening = null;
      if (closed) throw shuttingDown();
      // Already said in full (e.g. a brain a newer version migrated), or said here.
      const unavailable = err instanceof DatabaseUnavailableError ? err : databaseUnavailable(config.database, err);
      log.error(`${unavailable.message} ${unavailable.hint}`);
      throw unavailable;
    });
    return opening;
  };

  const db = async (): Promise<Kysely<Database>> => (await database()).db;
  const now = options.now ?? (() => new Date());
  const dbKind = (): DatabaseKind => (config.database.kind === 'postgres' ? 'postgres' : 'pglite');
  const ghl = options.ghlClient !== undefined ? options.ghlClient : createGhlClient(config.ghl, log, options.ghl);
  // While closing, a run still records how it ended and its first import still has its COPY connections.
  const connector = async () => (handle ?? (await database())).connectForCopy ?? null;
  const sync = new SyncEngine({ ...options.sync, db, dbKind, connector, ghl, log, now, holder: options.holder ?? 'medtainer-mcp', isHolderGone: options.isHolderGone });
  let scheduler: Scheduler | null = null;

  const deps: ToolDeps = {
    db,
    dbKind,
    config,
    log,
    now,
    sync,
    ghl,
    schedule: {
      // Without GoHighLevel no process with these settings syncs: no next run to promise.
      nextRunAt: (lastSuccessAt) =>
        !ghl ? null : scheduler ? scheduler.nextRunAt() : plannedNextRun(config.sync.intervalMinutes, config.sync.cron, lastSuccessAt ?? null, now()),
    },
  };

  const syncOnStart = async (): Promise<void> => {
    const last = await lastSuccessfulRun(await db());
    if (!syncDueAtStart(config.sync.intervalMinutes, config.sync.cron, last?.finished_at ?? null, now())) return;
    const handle = await sync.start('startup', 'auto');
    // Nobody awaits the startup run: a failure that could not even be recorded (the database went
    // away mid-run) must be logged here, not end the process as an unhandled rejection.
    handle.done.catch((err: unknown) => log.error(`the startup sync stopped: ${describeThrown(err)}`));
  };

  return {
    deps,
    sync,
    database,
    start({ schedule = true } = {}) {
      database()
        .then(async () => {
          if (closed || !schedule) return;
          if (!ghl) {
            log.warn(`GoHighLevel sync is off: ${config.ghl.unavailableReason ?? 'GoHighLevel is not configured'}`);
            return;
          }
          scheduler = startScheduler({
            intervalMinutes: config.sync.intervalMinutes,
            cron: config.sync.cron,
            log,
            run: async () => (await sync.start('schedule', 'auto')).done,
          });
          if (config.sync.onStart) await syncOnStart();
        })
        .catch(() => {
          // Already logged; tools report it when called.
        });
    },
    async close() {
      closed = true;
      scheduler?.stop();
      // The run records how it ended before the database stops taking connections.
      await sync.stop();
      closing.abort();
      const pending = opening;
      // A PostgreSQL host that never answers holds a pending open for its connect timeout (10 s);
      // nothing of the brain is written yet, so closing does not wait that long for it. An
      // embedded brain being created is waited for: its folder must not be left half made. One in
      // memory leaves nothing behind, and starting it can take seconds on a busy machine.
      const patience = { postgres: POSTGRES_OPEN_WAIT_ON_CLOSE_MS, memory: 0, pglite: Number.POSITIVE_INFINITY }[config.database.kind];
      if (pending) await settledWithin(pending, patience);
      if (handle) await handle.close();
      handle = null;
    },
  };
}
