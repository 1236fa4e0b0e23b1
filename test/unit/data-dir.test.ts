import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../src/cli/env-file.js';
import { makeFolder, serve } from '../../src/db/embedded/engine.js';
import { SharedPool } from '../../src/db/embedded/shared-pool.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';

// Folders and files the settings name, as they really are on a disk: each problem said at once,
// naming the path and the setting. (The /proc case, where Node's recursive mkdir spins for ever,
// is in test/e2e/settings.test.ts: a regression there must not freeze this worker.)

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'medtainer-data-dir-'));
  dirs.push(d);
  return d;
}

const purpose = { what: 'the test folder /x (SOME_SETTING)', check: 'Change SOME_SETTING' };

describe('makeFolder', () => {
  it('creates the missing folders, each with the mode asked, and accepts one that is there', () => {
    const root = tempDir();
    const dir = path.join(root, 'a', 'b', 'c');
    makeFolder(dir, purpose, 0o700);
    for (const made of ['a', 'a/b', 'a/b/c']) {
      const s = statSync(path.join(root, made));
      expect(s.isDirectory(), made).toBe(true);
      if (process.platform !== 'win32') expect(s.mode & 0o777, made).toBe(0o700 & ~process.umask());
    }
    expect(() => makeFolder(dir, purpose)).not.toThrow();
  });

  it('under a file: says which path is a file, what the folder was for and what to change', () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'notes.txt'), 'x');
    let caught: unknown;
    try {
      makeFolder(path.join(root, 'notes.txt', 'brain', 'deeper'), purpose);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DatabaseUnavailableError);
    expect((caught as Error).message).toBe(`Cannot create the test folder /x (SOME_SETTING): ${path.join(root, 'notes.txt')} is a file, not a folder.`);
    expect((caught as DatabaseUnavailableError).check).toBe('Change SOME_SETTING');
  });
});

describe('the embedded database in a folder that cannot be made', () => {
  it('MEDTAINER_DATA_DIR under a file: named, instead of a bare ENOTDIR or EEXIST from mkdir', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'hostname'), 'x');
    const dataDir = path.join(root, 'hostname', 'sub', 'brain');
    const pool = new SharedPool(dataDir, silentLogger);
    try {
      await expect(pool.connect()).rejects.toThrow(
        `Cannot create the embedded database's folder ${dataDir} (MEDTAINER_DATA_DIR): ${path.join(root, 'hostname')} is a file, not a folder.`,
      );
    } finally {
      await pool.end();
    }
  });

  it('MEDTAINER_DATA_DIR that is a file: named, instead of "ENOTDIR: not a directory, scandir"', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'brain');
    writeFileSync(dataDir, 'x');
    const pool = new SharedPool(dataDir, silentLogger);
    try {
      await expect(pool.connect()).rejects.toThrow(`${dataDir} is a file, not a folder; the embedded database needs a new or empty folder of its own`);
    } finally {
      await pool.end();
    }
  });

  it.skipIf(process.platform !== 'linux')('MEDTAINER_DATA_DIR in a folder that takes no new file (/proc): the lock file is named, instead of a bare ENOENT', async () => {
    const dataDir = '/proc/medtainer-brain';
    const pool = new SharedPool(dataDir, silentLogger);
    try {
      const connected = pool.connect();
      await expect(connected).rejects.toThrow(DatabaseUnavailableError);
      await expect(connected).rejects.toThrow(`Cannot create the embedded database's lock file ${dataDir}.lock (beside MEDTAINER_DATA_DIR): /proc does not take new folders or files`);
    } finally {
      await pool.end();
    }
  });

  it.skipIf(process.platform === 'win32')('a TMPDIR under a file: the socket folder names TMPDIR, instead of a bare ENOTDIR', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'tmp'), 'x');
    const dir = path.join(root, 'tmp', 'medtainer-0123456789ab');
    const served = serve({} as PGlite, { kind: 'unix', dir, socketPath: path.join(dir, '.s.PGSQL.5432') });
    await expect(served).rejects.toThrow(DatabaseUnavailableError);
    await expect(served).rejects.toThrow(`Cannot create the embedded database's socket folder ${dir} (in the temporary folder, TMPDIR): ${path.join(root, 'tmp')} is a file, not a folder.`);
  });
});

describe('readEnvFile', () => {
  it('reads a file, and there being none is nothing', () => {
    const root = tempDir();
    expect(readEnvFile(path.join(root, '.env'))).toEqual({ kind: 'none' });
    writeFileSync(path.join(root, '.env'), 'LOG_LEVEL=warn\n');
    expect(readEnvFile(path.join(root, '.env'))).toEqual({ kind: 'read', values: { LOG_LEVEL: 'warn' } });
  });

  it('passes over a folder called .env (a Python virtual environment), saying why', () => {
    const root = tempDir();
    mkdirSync(path.join(root, '.env'));
    expect(readEnvFile(path.join(root, '.env'))).toEqual({ kind: 'ignored', reason: expect.stringMatching(/^it is a folder, not a settings file/) });
  });

  it.skipIf(process.platform === 'win32')('never opens a pipe called .env (reading one waits for ever)', () => {
    const root = tempDir();
    execFileSync('mkfifo', [path.join(root, '.env')]);
    expect(readEnvFile(path.join(root, '.env'))).toEqual({ kind: 'ignored', reason: expect.stringMatching(/^it is not a regular file/) });
  });
});
