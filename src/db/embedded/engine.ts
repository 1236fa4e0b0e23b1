import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { DatabaseUnavailableError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { PENDING_LIST_KB } from '../maintenance.js';
import { type Endpoint, isPrivateDir } from './endpoint.js';
import { processExists } from './lock-file.js';
import { PgliteWireServer } from './socket-server.js';

/** The WAL would otherwise grow to ~1 GB (stack measurements); there is no autovacuum either. */
export const PGLITE_SETTINGS = ['max_wal_size = 64MB', 'min_wal_size = 32MB', 'wal_recycle = off', `gin_pending_list_limit = ${PENDING_LIST_KB.small}kB`];

/**
 * Creates a new data directory (PostgreSQL's initdb) somewhere else, e.g. a short-lived child
 * process: initdb briefly takes ~800 MB and the memory stays with the process that ran it (~200 MB
 * more for the server's whole life than opening an existing directory).
 */
export type DataDirInitializer = (dataDir: string, signal?: AbortSignal) => Promise<void>;

export async function createPglite(dataDir: string | undefined, log: Logger, initialize?: DataDirInitializer, signal?: AbortSignal): Promise<PGlite> {
  if (dataDir) refuseForeignFolder(dataDir);
  if (dataDir && initialize && !existsSync(path.join(dataDir, 'PG_VERSION'))) await createElsewhere(dataDir, log, initialize, signal);
  signal?.throwIfAborted();
  // What the engine says while it starts, kept for the one failure it explains better than PGlite's own error.
  const said: string[] = [];
  const quiet = (text: string) => {
    log.debug(`pglite: ${text}`);
    if (said.length < 50) said.push(text);
    return true;
  };
  const pglite = await PGlite.create(dataDir ?? 'memory://', {
    extensions: { pg_trgm },
    postgresqlconf: PGLITE_SETTINGS,
    onStdout: quiet,
    onStderr: quiet,
  }).catch((err: unknown) => {
    throw (dataDir && madeByAnotherEngine(dataDir, said)) || err;
  });
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  if (dataDir) keepPrivate(dataDir, log);
  return pglite;
}

/**
 * A data folder written by another PostgreSQL major version than this PGlite runs (a release of
 * medtainer-mcp on another PGlite): PostgreSQL refuses it and changes nothing, but PGlite only says
 * it "failed to initialize properly", which reads as a problem with the folder.
 */
function madeByAnotherEngine(dataDir: string, said: readonly string[]): DatabaseUnavailableError | null {
  const detail = said.map((line) => /DETAIL:\s+(The data directory was initialized by PostgreSQL version .*)$/m.exec(line)?.[1]).find(Boolean);
  if (!detail) return null;
  return new DatabaseUnavailableError(
    `The embedded brain in ${dataDir} was made by a release of medtainer-mcp with another database engine: ${detail.trim()} It was left as it was.`,
    'Run the release that made it (npx -y medtainer-mcp@latest, if that was a newer one), or point MEDTAINER_DATA_DIR at a new folder',
  );
}

/**
 * Closes the data folder to other accounts, as PostgreSQL demands of its own (it refuses to start
 * on a folder others can enter): PGlite's initdb writes its files, the WAL among them (every
 * contact written), readable and writable by everyone. A folder made by an earlier version is
 * closed too; one this account does not own is left as it is, with a warning.
 */
function keepPrivate(dataDir: string, log: Logger): void {
  if (process.platform === 'win32' || !existsSync(dataDir)) return;
  try {
    chmodSync(dataDir, 0o700);
  } catch (err) {
    log.warn(`could not close ${dataDir} to other accounts (${(err as Error).message}); its files may be readable by them`);
  }
}

/**
 * A folder that holds other files and no database is someone else's: creating a database in it
 * would mix PostgreSQL's files with theirs.
 */
function refuseForeignFolder(dataDir: string): void {
  if (!existsSync(dataDir) || existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  if (!statSync(dataDir).isDirectory()) throw new Error(`${dataDir} is a file, not a folder; the embedded database needs a new or empty folder of its own`);
  const entries = readdirSync(dataDir);
  if (entries.length === 0) return;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  throw new Error(`${dataDir} holds other files (${shown}) and no database; the embedded database needs a new or empty folder of its own`);
}

/**
 * Lets `initialize` build the directory beside its final place, then moves it in: a helper that
 * dies half-way never leaves a half-made database where the next start would open it. Should the
 * helper fail, the directory is created in this process instead (as PGlite does by itself).
 */
async function createElsewhere(dataDir: string, log: Logger, initialize: DataDirInitializer, signal?: AbortSignal): Promise<void> {
  const building = `${dataDir}.new-${process.pid}`;
  log.info(`creating the embedded database in ${dataDir} (first start, a few seconds)`);
  removeAbandonedBuilds(dataDir);
  try {
    rmSync(building, { recursive: true, force: true });
    await initialize(building, signal);
    if (!existsSync(path.join(building, 'PG_VERSION'))) throw new Error('the helper ended without creating it');
    renameSync(building, dataDir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    if (signal?.aborted) return;
    log.warn(`could not create the embedded database in a helper process (${err instanceof Error ? err.message : String(err)}); creating it in this one`);
  }
}

/** Half-built directories of first starts that were killed (their process is gone). */
function removeAbandonedBuilds(dataDir: string): void {
  const prefix = `${path.basename(dataDir)}.new-`;
  let names: string[] = [];
  try {
    names = readdirSync(path.dirname(dataDir));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(prefix.length));
    if (name.startsWith(prefix) && Number.isInteger(pid) && pid > 0 && !processExists(pid)) {
      rmSync(path.join(path.dirname(dataDir), name), { recursive: true, force: true });
    }
  }
}

/** Creates a data directory in this process and closes it again (what an initializer child runs). */
export async function initializeDataDir(dataDir: string, log: Logger): Promise<void> {
  await (await createPglite(dataDir, log)).close();
}

export interface ServedDatabase {
  pglite: PGlite;
  endpoint: Endpoint;
  /** The password every connection gives (see LockInfo.secret), when one is asked. */
  secret?: string;
  stop(): Promise<void>;
}

/**
 * Serves an open PGlite to other connections (ours included) over a private local socket, asking
 * each for `secret` (see LockInfo.secret). The socket's usual folder is named after the data
 * folder; when another account has made a folder of that name first, a new one of a random name
 * is used (the lock file says where).
 */
export async function serve(pglite: PGlite, endpoint: Endpoint, secret?: string): Promise<ServedDatabase> {
  let where = endpoint;
  if (where.kind === 'unix') {
    makeFolder(where.dir, socketFolder(where.dir), 0o700);
    if (!isPrivateDir(where.dir)) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'medtainer-'));
      where = { kind: 'unix', dir, socketPath: path.join(dir, path.basename(where.socketPath)) };
    }
    rmSync(where.socketPath, { force: true });
  }
  const server = new PgliteWireServer(pglite, secret);
  const address = await server.listen(where.kind === 'unix' ? { path: where.socketPath } : { host: '127.0.0.1', port: where.port });
  const actual: Endpoint = where.kind === 'tcp' ? { kind: 'tcp', port: Number(address.split(':').pop()) } : where;
  return {
    pglite,
    endpoint: actual,
    secret,
    async stop() {
      await server.close();
      if (actual.kind === 'unix') rmSync(actual.dir, { recursive: true, force: true });
    },
  };
}

/** A folder to create, for the error when it cannot be: what it is (naming the path and the setting that chose it), and what to change. */
export interface FolderPurpose {
  what: string;
  check: string;
}

/** The socket's folder is in the temporary folder, which TMPDIR chooses (os.tmpdir()). */
function socketFolder(dir: string): FolderPurpose {
  return { what: `the embedded database's socket folder ${dir} (in the temporary folder, TMPDIR)`, check: 'Point TMPDIR at a folder this user can write to, or unset it' };
}

/**
 * Makes the temporary folder the socket's folder goes in, before the database opens: a TMPDIR that
 * cannot hold folders is said at once, not after the seconds a first start's initdb takes.
 */
export function makeSocketParent(endpoint: Endpoint): void {
  if (endpoint.kind === 'unix') makeFolder(path.dirname(endpoint.dir), socketFolder(endpoint.dir));
}

/**
 * Creates `dir` and its missing parents one level at a time. Node 20's recursive mkdirSync spins
 * for ever, at full CPU and deaf to SIGTERM, under a folder that exists but refuses new entries
 * with ENOENT (/proc); under a file it blames the file with EEXIST. One level at a time, every
 * failure is a clear error naming the folder, said at once.
 */
export function makeFolder(dir: string, purpose: FolderPurpose, mode?: number): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (let kind = entryKind(at, purpose); kind !== 'folder'; kind = entryKind(at, purpose)) {
    if (kind !== 'missing') throw cannotMake(purpose, `${at} is ${kind === 'file' ? 'a file' : 'a device or socket'}, not a folder`);
    const parent = path.dirname(at);
    if (parent === at) throw cannotMake(purpose, `${at} does not exist`); // e.g. a Windows drive that is not there
    missing.unshift(at);
    at = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode });
    } catch (err) {
      // Another process (Desktop's duplicate spawn) made it this instant.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && entryKind(folder, purpose) === 'folder') continue;
      throw cannotMake(purpose, `cannot create ${folder}: ${whyNot(err, path.dirname(folder))}`);
    }
  }
}

/** What is at `at`: nothing (or nothing reachable under a file, found further up), a folder, a file, or another kind of entry. */
function entryKind(at: string, purpose: FolderPurpose): 'missing' | 'folder' | 'file' | 'other' {
  try {
    const s = statSync(at);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    const why = code === 'EACCES' ? `this user may not open ${path.dirname(at)}` : (err as Error).message;
    throw cannotMake(purpose, `cannot look at ${at}: ${why}`);
  }
}

/** Why creating something in `parent` (a folder, the lock file) failed, in words. */
export function whyNot(err: unknown, parent: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `this user may not write in ${parent}`;
  if (code === 'EROFS') return `${parent} is on a read-only file system`;
  // The parent exists (it was looked at): a folder that takes no new entries, such as /proc.
  if (code === 'ENOENT') return `${parent} does not take new folders or files (a system folder such as /proc?)`;
  if (code === 'EEXIST') return 'something that is not a folder is already there (a broken link?)';
  if (code === 'ENOSPC') return 'the disk is full';
  return err instanceof Error ? err.message : String(err);
}

function cannotMake(purpose: FolderPurpose, why: string): DatabaseUnavailableError {
  return new DatabaseUnavailableError(`Cannot create ${purpose.what}: ${why}.`, purpose.check);
}
