import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import { DatabaseUnavailableError } from '../../errors.js';
import { isConnectionLost } from '../connection-lost.js';
import { createPglite, type DataDirInitializer, type FolderPurpose, makeFolder, makeSocketParent, type ServedDatabase, serve, whyNot } from './engine.js';
import { endpointFor, formatEndpoint, isPrivateDir, parseEndpoint, pgSettings } from './endpoint.js';
import { type LockInfo, processExists, readLock, tryLock, updateLock } from './lock-file.js';

export type Role = 'owner' | 'client';

/** How long a process waits for the owner to come up (a first start runs initdb: 5–7 s). */
const WAIT_FOR_OWNER_MS = 90_000;

function dataFolder(dataDir: string): FolderPurpose {
  return {
    what: `the embedded database's folder ${dataDir} (MEDTAINER_DATA_DIR)`,
    check: 'Point MEDTAINER_DATA_DIR at a folder this user can create and write to (new or empty on first use)',
  };
}

/** Lock files this process holds right now (several pools in one process may share a directory). */
const heldHere = new Set<string>();

function isAlive(pid: number, lockPath: string): boolean {
  return pid === process.pid ? heldHere.has(lockPath) : processExists(pid);
}

/**
 * The embedded database as a node-postgres pool, safe across processes. The first process to
 * lock the data directory opens PGlite and serves it on a local socket; every process, the owner
 * included, connects through that socket (its queue keeps one connection's transaction from
 * interleaving with another's). When the owner exits, the next `connect()` elsewhere takes over.
 */
export class SharedPool implements PostgresPool {
  private pool: pg.Pool | null = null;
  private served: ServedDatabase | null = null;
  private releaseLock: (() => void) | null = null;
  private current: Role | null = null;
  /** The password the pool gives: the secret of the lock it was made from (none from an earlier version's lock). */
  private poolSecret: string | undefined;
  private becoming: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly onRole: (role: Role) => void = () => {},
    private readonly initializeDataDir?: DataDirInitializer,
    /** Aborted when the process shuts down while still opening: stop waiting for an owner, stop initdb. */
    private readonly signal?: AbortSignal,
  ) {}

  get role(): Role | null {
    return this.current;
  }

  private get lockPath(): string {
    return `${path.resolve(this.dataDir)}.lock`;
  }

  async connect(): Promise<PostgresPoolClient> {
    const deadline = Date.now() + WAIT_FOR_OWNER_MS;
    for (let attempt = 0; ; attempt++) {
      if (this.closed || this.signal?.aborted) throw new Error('the embedded database is closed');
      await this.ensurePool();
      try {
        // No pool: the lock changed hands this instant; look again shortly.
        if (!this.pool) throw Object.assign(new Error('the embedded database lock is changing hands'), { code: 'ENOENT' });
        return (await this.pool.connect()) as unknown as PostgresPoolClient;
      } catch (err) {
        if ((!isConnectionLost(err) && !this.ownerChanged(err)) || Date.now() > deadline) throw err;
        // The owner is starting, or has just gone: look again (and maybe take over).
        this.log.debug(`embedded database not reachable (${(err as Error).message}); retrying`);
        await this.dropPool();
        await sleep(Math.min(500, 50 * 2 ** Math.min(attempt, 4)), undefined, { signal: this.signal }).catch(() => {});
      }
    }
  }

  /**
   * The socket refused this pool's password because another process holds the database now: the
   * owner this pool was made for quit and a third process took over (same socket, a secret of its
   * own) before this one asked anything. The lock file names the new secret.
   */
  private ownerChanged(err: unknown): boolean {
    if ((err as { code?: unknown } | null)?.code !== '28P01' || this.current !== 'client') return false;
    const lock = readLock(this.lockPath);
    return !lock || lock.secret !== this.poolSecret;
  }

  async end(): Promise<void> {
    this.closed = true;
    await this.dropPool();
    if (this.served) {
      await this.served.stop().catch(() => {});
      await this.served.pglite.close().catch(() => {});
      this.served = null;
    }
    this.releaseLock?.();
    this.releaseLock = null;
  }

  private ensurePool(): Promise<void> {
    if (this.pool) return Promise.resolve();
    this.becoming ??= this.attach().finally(() => (this.becoming = null));
    return this.becoming;
  }

  /**
   * The lock file beside the data folder. A folder that exists but takes no new file (another
   * user's, read-only, /proc) is said with the path and the setting, not as a bare EACCES or ENOENT.
   */
  private takeLock(lockPath: string, info: LockInfo): ReturnType<typeof tryLock> {
    try {
      return tryLock(lockPath, info, (pid) => isAlive(pid, lockPath));
    } catch (err) {
      const { code } = err as NodeJS.ErrnoException;
      if (!code) throw err;
      throw new DatabaseUnavailableError(`Cannot create the embedded database's lock file ${lockPath} (beside MEDTAINER_DATA_DIR): ${whyNot(err, path.dirname(lockPath))}.`, dataFolder(this.dataDir).check);
    }
  }

  private async attach(): Promise<void> {
    const endpoint = endpointFor(this.dataDir);
    const lockPath = this.lockPath;
    // The folder that holds the data folder and its lock file (the data folder itself is PGlite's to make).
    makeFolder(path.dirname(path.resolve(this.dataDir)), dataFolder(this.dataDir));
    // Asked of every connection to the socket this process may serve (see LockInfo.secret).
    const secret = this.served?.secret ?? randomBytes(24).toString('hex');
    const lock = this.takeLock(lockPath, { pid: process.pid, endpoint: formatEndpoint(endpoint), startedAt: new Date().toISOString(), secret });
    if (lock.acquired && !this.served) {
      heldHere.add(lockPath);
      this.releaseLock = () => {
        heldHere.delete(lockPath);
        lock.release();
      };
      let pglite: PGlite | null = null;
      try {
        makeSocketParent(endpoint);
        pglite = await createPglite(this.dataDir, this.log, this.initializeDataDir, this.signal);
        if (this.signal?.aborted) throw new Error('the embedded database is closed');
        this.served = await serve(pglite, endpoint, secret);
      } catch (err) {
        // Opened but not served (no socket folder, say): closed before another process may open it.
        await pglite?.close().catch(() => {});
        this.releaseLock();
        this.releaseLock = null;
        throw err;
      }
      updateLock(this.lockPath, { pid: process.pid, endpoint: formatEndpoint(this.served.endpoint), startedAt: new Date().toISOString(), secret });
      this.setPool(this.served.endpoint, 'owner', secret);
      return;
    }
    if (lock.acquired && this.served) return this.setPool(this.served.endpoint, 'owner', this.served.secret);
    const theirs = lock.acquired ? null : parseEndpoint(lock.holder.endpoint);
    // Lock in transition, or (for a moment) naming the usual socket folder that another account
    // made first and the holder has since moved away from: connect() fails and looks again.
    if (!theirs || (theirs.kind === 'unix' && !isPrivateDir(theirs.dir))) return;
    this.setPool(theirs, 'client', lock.acquired ? undefined : lock.holder.secret);
  }

  private setPool(endpoint: ReturnType<typeof parseEndpoint> & object, role: Role, secret: string | undefined): void {
    const pool = new pg.Pool({ ...pgSettings(endpoint), user: 'postgres', database: 'postgres', ...(secret ? { password: secret } : {}), max: 8, idleTimeoutMillis: 30_000 });
    // Idle connections of an owner that exits error out; the next connect() recovers. A connection
    // in use (a transaction) errors on itself: its query fails, the process must not.
    pool.on('error', (err) => this.log.debug(`embedded database connection lost: ${err.message}`));
    pool.on('connect', (client) => client.on('error', (err) => this.log.debug(`embedded database connection lost while in use: ${err.message}`)));
    this.pool = pool;
    this.poolSecret = secret;
    if (role !== this.current) {
      this.current = role;
      this.log.info(role === 'owner' ? `embedded database opened in ${this.dataDir}` : `embedded database in ${this.dataDir} is held by another process; sharing it`);
      this.onRole(role);
    }
  }

  private async dropPool(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.end().catch(() => {});
  }
}
