import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { initializeDataDir } from '../../../src/db/embedded/engine.js';
import { openEmbedded } from '../../../src/db/embedded/index.js';
import { silentLogger } from '../../../src/logger.js';

const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'holder.mjs');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  children.forEach((c) => c.kill('SIGKILL'));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function dataDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'medtainer-embedded-'));
  dirs.push(d);
  return path.join(d, 'brain');
}

function holder(dir: string, rows: number): Promise<{ child: ChildProcess; role: string }> {
  const child = spawn(process.execPath, [HOLDER, dir, String(rows)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\w+)/.exec(d.toString());
      if (m) resolve({ child, role: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

async function query<T = Record<string, unknown>>(db: Awaited<ReturnType<typeof openEmbedded>>, text: string): Promise<T[]> {
  const c = (await db.pool.connect()) as unknown as pg.PoolClient;
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    c.release();
  }
}

describe('the embedded database shared between processes', () => {
  it('survives its owner being killed: another process takes over with every committed row intact', async () => {
    const dir = dataDir();
    const owner = await holder(dir, 500);
    expect(owner.role).toBe('owner');
    const me = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(me.role()).toBe('client');
      await query(me, `INSERT INTO t SELECT 'me-' || g, 0 FROM generate_series(1, 200) g`);
      owner.child.kill('SIGKILL');
      await new Promise((r) => owner.child.once('exit', r));
      const [row] = await query<{ n: number; distinct_ids: number }>(me, 'SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct_ids FROM t');
      expect(me.role()).toBe('owner');
      expect(row).toEqual({ n: 700, distinct_ids: 700 });
      await query(me, 'REINDEX TABLE t');
    } finally {
      await me.close();
    }
  });

  it('follows a new owner that took over while it was idle (the new owner asks for a password of its own)', async () => {
    const dir = dataDir();
    const first = await holder(dir, 10);
    const me = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(me.role()).toBe('client');
      await query(me, `INSERT INTO t VALUES ('before', 0)`);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      // Another process (a client started meanwhile, or a new server) becomes the owner before this
      // one asks anything: same socket, another secret.
      const second = await holder(dir, 10);
      expect(second.role).toBe('owner');
      const [row] = await query<{ n: number }>(me, `SELECT count(*)::int AS n FROM t`);
      expect(row).toEqual({ n: 21 });
      expect(me.role()).toBe('client');
    } finally {
      await me.close();
    }
  });

  it('survives its owner being killed while it is inside a transaction: that transaction fails, the process goes on', async () => {
    const dir = dataDir();
    const owner = await holder(dir, 10);
    const me = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(me.role()).toBe('client');
      const tx = (await me.pool.connect()) as unknown as pg.PoolClient;
      await tx.query('BEGIN');
      await tx.query(`INSERT INTO t VALUES ('in-flight', 0)`);
      owner.child.kill('SIGKILL');
      await new Promise((r) => owner.child.once('exit', r));
      // Without a listener on the connection in use, its error event would end this process.
      await expect(tx.query('COMMIT')).rejects.toThrow();
      tx.release(true);
      const [row] = await query<{ n: number }>(me, `SELECT count(*)::int AS n FROM t WHERE id = 'in-flight'`);
      expect(row).toEqual({ n: 0 });
      expect(me.role()).toBe('owner');
    } finally {
      await me.close();
    }
  });

  it('creates a new data directory through the initializer (once), and in-process when the initializer fails', async () => {
    const dir = dataDir();
    const calls: string[] = [];
    // Stands in for the child process the server uses: creates the directory it is given, then closes it.
    const initializer = async (d: string) => {
      calls.push(d);
      await initializeDataDir(d, silentLogger);
    };
    // Left by a first start that was killed half-way (no such process now).
    const abandoned = `${dir}.new-999999999`;
    mkdirSync(abandoned, { recursive: true });
    const first = await openEmbedded({ dataDir: dir, log: silentLogger, initializeDataDir: initializer });
    expect(existsSync(abandoned)).toBe(false);
    await query(first, 'CREATE TABLE made (x int)');
    await first.close();
    const again = await openEmbedded({ dataDir: dir, log: silentLogger, initializeDataDir: initializer });
    expect(await query(again, 'SELECT * FROM made')).toEqual([]);
    await again.close();
    // Built beside the final place, then moved in.
    expect(calls).toEqual([`${dir}.new-${process.pid}`]);
    expect(existsSync(calls[0]!)).toBe(false);

    for (const failing of [
      async () => {
        throw new Error('no space left on device');
      },
      async (d: string) => void mkdirSync(d, { recursive: true }), // "succeeds" without creating a database
    ]) {
      const other = dataDir();
      const db = await openEmbedded({ dataDir: other, log: silentLogger, initializeDataDir: failing });
      try {
        expect(db.role()).toBe('owner');
        expect(await query(db, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
        expect(existsSync(`${other}.new-${process.pid}`)).toBe(false);
      } finally {
        await db.close();
      }
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = dataDir();
    const first = await openEmbedded({ dataDir: dir, log: silentLogger });
    await query(first, 'CREATE TABLE kept (x int)');
    await first.close();
    writeFileSync(`${path.resolve(dir)}.lock`, JSON.stringify({ pid: 999_999_99, endpoint: 'unix:/nonexistent', startedAt: '2020-01-01T00:00:00Z' }));
    const db = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(db.role()).toBe('owner');
      expect(await query(db, 'SELECT * FROM kept')).toEqual([]);
      expect(JSON.parse(readFileSync(`${path.resolve(dir)}.lock`, 'utf8')).pid).toBe(process.pid);
    } finally {
      await db.close();
    }
  });

  it('takes over a lock whose pid now belongs to another process (pids are reused after a reboot)', async () => {
    const dir = dataDir();
    const first = await openEmbedded({ dataDir: dir, log: silentLogger });
    await first.close();
    // A live process that started after the lock was written cannot be the one that wrote it.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    children.push(other);
    const written = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(`${path.resolve(dir)}.lock`, JSON.stringify({ pid: other.pid, endpoint: 'unix:/nonexistent', startedAt: written }));
    const db = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(db.role()).toBe('owner');
      expect(JSON.parse(readFileSync(`${path.resolve(dir)}.lock`, 'utf8')).pid).toBe(process.pid);
    } finally {
      await db.close();
      other.kill('SIGKILL');
    }
  });

  it('opens a data directory that is a symbolic link, in the folder it points to', async () => {
    const real = dataDir();
    mkdirSync(real, { recursive: true });
    const link = path.join(path.dirname(real), 'link');
    symlinkSync(real, link);
    const db = await openEmbedded({ dataDir: link, log: silentLogger });
    try {
      expect(await query(db, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(existsSync(path.join(real, 'PG_VERSION'))).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('refuses a data folder another PostgreSQL major version wrote (another release\'s engine), saying so, and leaves it as it was', async () => {
    const dir = dataDir();
    await initializeDataDir(dir, silentLogger);
    // What a release on a PGlite of another PostgreSQL version leaves: its PG_VERSION names that version.
    writeFileSync(path.join(dir, 'PG_VERSION'), '19\n');
    const files = readdirSync(dir).sort();
    const err = (await openEmbedded({ dataDir: dir, log: silentLogger }).catch((e: unknown) => e)) as Error & { hint?: string };
    expect(err.message).toMatch(/made by a release of medtainer-mcp with another database engine: The data directory was initialized by PostgreSQL version 19/);
    expect(err.hint).toMatch(/Run the release that made it/);
    expect(readFileSync(path.join(dir, 'PG_VERSION'), 'utf8')).toBe('19\n');
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('refuses a folder that holds other files and no database, and leaves it as it was', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(openEmbedded({ dataDir: dir, log: silentLogger })).rejects.toThrow(/holds other files \(notes\.txt\) and no database/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('lets two processes start together on a fresh directory: one owns it, both work', async () => {
    const dir = dataDir();
    const [a, b] = await Promise.all([holder(dir, 100), holder(dir, 100)]);
    expect([a.role, b.role].sort()).toEqual(['client', 'owner']);
    const me = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(await query(me, 'SELECT who, count(*)::int AS n FROM t GROUP BY who ORDER BY who')).toHaveLength(2);
    } finally {
      await me.close();
      a.child.stdin!.end();
      b.child.stdin!.end();
    }
  });

  it('keeps each connection\'s request cycle whole when many run at once (extended protocol)', async () => {
    const dir = dataDir();
    const a = await openEmbedded({ dataDir: dir, log: silentLogger });
    const b = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      const one = async (db: typeof a, i: number) => {
        const c = (await db.pool.connect()) as unknown as pg.PoolClient;
        try {
          // Statements with different parameter counts: interleaved Parse/Bind messages would mismatch.
          const r = i % 2 ? await c.query('SELECT $1::int + $2::int AS v', [i, 1]) : await c.query('SELECT $1::int AS v', [i]);
          return Number(r.rows[0].v);
        } finally {
          c.release();
        }
      };
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => one(i % 3 ? a : b, i)));
      expect(results).toEqual(Array.from({ length: 60 }, (_, i) => (i % 2 ? i + 1 : i)));
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('delivers large results intact, byte for byte, to the owner and to other connections', async () => {
    const dir = dataDir();
    const a = await openEmbedded({ dataDir: dir, log: silentLogger });
    const b = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      // Megabytes of rows arrive in many chunks while the socket is still flushing earlier ones.
      const text = `SELECT g AS n, md5(g::text) || repeat('x', g % 97) AS v FROM generate_series(1, 60000) g`;
      const expected = (n: number) => ({ n, v: createHash('md5').update(String(n)).digest('hex') + 'x'.repeat(n % 97) });
      const [mine, theirs] = await Promise.all([query<{ n: number; v: string }>(a, text), query<{ n: number; v: string }>(b, text)]);
      for (const rows of [mine, theirs]) {
        expect(rows).toHaveLength(60000);
        const wrong = rows.findIndex((r, i) => r.n !== i + 1 || r.v !== expected(i + 1).v);
        expect(wrong).toBe(-1);
      }
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('rolls back the transaction of a connection that goes away inside it, and serves the others', async () => {
    const dir = dataDir();
    const db = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      await query(db, 'CREATE TABLE orphan (v text)');
      const tx = (await db.pool.connect()) as unknown as pg.PoolClient;
      await tx.query('BEGIN');
      await tx.query("INSERT INTO orphan VALUES ('never committed')");
      tx.release(new Error('the process holding it died')); // closes the connection mid-transaction
      const answered = query(db, 'SELECT count(*)::int AS n FROM orphan');
      const late = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 15 s: the session is still held')), 15_000).unref());
      expect(await Promise.race([answered, late])).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

  it('keeps one connection\'s transaction apart from another connection\'s writes', async () => {
    const dir = dataDir();
    const db = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      await query(db, 'CREATE TABLE iso (v text)');
      const tx = (await db.pool.connect()) as unknown as pg.PoolClient;
      const other = (await db.pool.connect()) as unknown as pg.PoolClient;
      await tx.query('BEGIN');
      await tx.query("INSERT INTO iso VALUES ('rolled back')");
      const outside = other.query("INSERT INTO iso VALUES ('kept')");
      await tx.query('ROLLBACK');
      await outside;
      tx.release();
      other.release();
      expect(await query(db, 'SELECT v FROM iso')).toEqual([{ v: 'kept' }]);
      const [wal] = await query<{ max_wal_size: string }>(db, 'SHOW max_wal_size');
      expect(wal!.max_wal_size).toBe('64MB');
    } finally {
      await db.close();
    }
  });
});
