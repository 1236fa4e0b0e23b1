import { closeSync, fstatSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';

export interface LockInfo {
  pid: number;
  /** Where the holder serves the database: a unix socket directory, or host:port on Windows. */
  endpoint: string;
  startedAt: string;
  /**
   * The password the holder's socket asks every connection for. The lock file is the holder
   * account's alone (0600, and checked on reading), so only its own processes learn it: on Windows
   * the database is served on a loopback port every local account can reach.
   */
  secret?: string;
}

/** A lock file another account wrote: its endpoint and secret are not to be trusted. */
export class ForeignLockError extends Error {}

export type LockResult = { acquired: true; release(): void } | { acquired: false; holder: LockInfo };

/**
 * An exclusive lock on the embedded data directory: a file created with O_EXCL that names the
 * holding process. A lock left by a dead process is taken over under a second, short-lived
 * O_EXCL "takeover" file, so two processes cannot both remove the stale lock and each create one.
 */
export function tryLock(path: string, info: LockInfo, isAlive: (pid: number) => boolean): LockResult {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return { acquired: true, release: () => releaseIfOurs(path, info.pid) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(path);
    // `isAlive` answers for our own pid too: another instance in this process may hold the lock.
    const held = (lock: LockInfo) => isAlive(lock.pid) && !outlivedItsProcess(lock);
    if (holder && held(holder)) return { acquired: false, holder };
    // Dead holder (or an unreadable file): remove it, but only while holding the takeover file.
    if (!withTakeover(path, () => {
      const current = readLock(path);
      // An unreadable lock may be one being written this instant; only an old one is stale.
      if (current ? !held(current) : Date.now() - statSync(path).mtimeMs > 5_000) unlinkSync(path);
    })) continue;
  }
  const holder = readLock(path);
  return holder ? { acquired: false, holder } : { acquired: false, holder: { pid: -1, endpoint: '', startedAt: '' } };
}

/**
 * True when the pid a lock names now belongs to another process than the one that wrote it: pids
 * are reused, so after a crash and a reboot (or a container restart) the pid of a lock left
 * behind may be alive again. The lock was written before this machine booted, or (where /proc
 * tells) the process with that pid started after the lock was written.
 */
export function outlivedItsProcess(lock: LockInfo): boolean {
  const written = Date.parse(lock.startedAt);
  if (!Number.isFinite(written)) return false;
  if (written < Date.now() - os.uptime() * 1000 - CLOCK_SLACK_MS) return true;
  const started = processStartedAt(lock.pid);
  return started !== null && started > written + CLOCK_SLACK_MS;
}

/** Boot time and process start times are known to the second. */
const CLOCK_SLACK_MS = 2_000;

/** When a process started (ms since the epoch), from /proc on Linux; null elsewhere or when unknown. */
function processStartedAt(pid: number): number | null {
  try {
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // Field 22 (starttime, in clock ticks since boot); the command name before it may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[19]);
    if (!bootSeconds || !Number.isFinite(ticks)) return null;
    return bootSeconds * 1000 + (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux Node.js runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export function readLock(path: string): LockInfo | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    // Where the data folder's parent is shared (/tmp, a group folder), another account could
    // write a lock naming a database of its own: this process would then sync into it.
    const { uid } = fstatSync(fd);
    const mine = process.getuid?.();
    if (mine !== undefined && uid !== mine) {
      throw new ForeignLockError(`${path} belongs to another account (uid ${uid}); remove it, or set MEDTAINER_DATA_DIR to a folder of this account's own`);
    }
    const parsed = JSON.parse(readFileSync(fd, 'utf8')) as Partial<LockInfo>;
    return typeof parsed.pid === 'number' && typeof parsed.endpoint === 'string' ? (parsed as LockInfo) : null;
  } catch (err) {
    if (err instanceof ForeignLockError) throw err;
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Rewrites the lock's content (e.g. once a TCP port is known); only the holder calls this. */
export function updateLock(path: string, info: LockInfo): void {
  const tmp = `${path}.${info.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  writeSync(fd, JSON.stringify(info));
  closeSync(fd);
  renameSync(tmp, path);
}

/** Runs `fn` while holding `${path}.takeover`; false when another process holds it right now. */
function withTakeover(path: string, fn: () => void): boolean {
  const takeover = `${path}.takeover`;
  try {
    closeSync(openSync(takeover, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A takeover lasts milliseconds; one older than 10 s was left by a crash.
    try {
      if (Date.now() - statSync(takeover).mtimeMs > 10_000) unlinkSync(takeover);
    } catch {
      // Gone meanwhile.
    }
    return false;
  }
  try {
    fn();
  } catch (err) {
    // The stale lock vanished meanwhile: fine. One of another account's is not.
    if (err instanceof ForeignLockError) throw err;
  } finally {
    try {
      unlinkSync(takeover);
    } catch {
      // Already removed.
    }
  }
  return true;
}

function releaseIfOurs(path: string, pid: number): void {
  try {
    if (readLock(path)?.pid === pid) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Whether a process with this pid exists on this machine (one we may not signal counts too). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
