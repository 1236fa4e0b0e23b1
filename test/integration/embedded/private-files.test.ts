import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPglite, initializeDataDir, serve } from '../../../src/db/embedded/engine.js';
import { endpointFor } from '../../../src/db/embedded/endpoint.js';
import { openEmbedded } from '../../../src/db/embedded/index.js';
import { silentLogger } from '../../../src/logger.js';

// The embedded brain holds the whole customer list: other accounts on the machine must reach
// neither its files nor the socket it is served on.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'medtainer-private-'));
  chmodSync(d, 0o755); // a parent others may enter, as ~/.local/share often is
  dirs.push(d);
  return path.join(d, 'brain');
}

const othersMay = (p: string) => statSync(p).mode & 0o077;

describe.skipIf(process.platform === 'win32')('the embedded brain on disk', () => {
  it('keeps the data folder private to its owner, created through the helper or in-process', async () => {
    for (const initializer of [(d: string) => initializeDataDir(d, silentLogger), undefined]) {
      const dir = dataDir();
      const db = await openEmbedded({ dataDir: dir, log: silentLogger, initializeDataDir: initializer });
      try {
        expect(othersMay(dir)).toBe(0);
      } finally {
        await db.close();
      }
    }
  });

  it('tightens a data folder an earlier version left open to others', async () => {
    const dir = dataDir();
    await initializeDataDir(dir, silentLogger);
    chmodSync(dir, 0o755);
    const db = await openEmbedded({ dataDir: dir, log: silentLogger });
    try {
      expect(othersMay(dir)).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('serves the database only from a socket folder that others cannot write to, even when one was made before it', async () => {
    const dir = dataDir();
    const planned = endpointFor(dir);
    if (planned.kind !== 'unix') throw new Error('unix only');
    // Someone made the predictable folder first, open to everyone.
    mkdirSync(planned.dir, { recursive: true });
    chmodSync(planned.dir, 0o777);
    try {
      // Served from a folder of a random name instead, which the lock file names.
      const db = await openEmbedded({ dataDir: dir, log: silentLogger });
      try {
        const { endpoint } = JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as { endpoint: string };
        const socketDir = endpoint.replace(/^unix:/, '');
        expect(statSync(socketDir).uid).toBe(process.getuid!());
        expect(othersMay(socketDir)).toBe(0);
        expect(socketDir).not.toBe(planned.dir);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(planned.dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(process.platform === 'win32' || process.getuid?.() !== 0)('a lock file of another account', () => {
  it('is not trusted: the brain is not opened through the database it names', async () => {
    const dir = dataDir();
    // Another account (here: nobody) wrote a lock naming a database of its own, with a live pid.
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: 1, endpoint: 'unix:/tmp/elsewhere', startedAt: new Date().toISOString() }));
    chownSync(`${dir}.lock`, 65534, 65534);
    await expect(openEmbedded({ dataDir: dir, log: silentLogger })).rejects.toThrow(/belongs to another account \(uid 65534\)/);
  });
});

describe('the embedded brain served over loopback TCP (Windows)', () => {
  it('lets in only a connection that gives the secret the lock file holds', async () => {
    const pglite = await createPglite(undefined, silentLogger);
    const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718';
    const served = await serve(pglite, endpointFor('C:\\Users\\someone\\AppData\\Local\\medtainer-mcp', 'win32'), secret);
    try {
      if (served.endpoint.kind !== 'tcp') throw new Error('tcp expected');
      // Any local account can reach 127.0.0.1: one that only knows the port must be turned away.
      const attempt = async (password?: string) => {
        const client = new pg.Client({ host: '127.0.0.1', port: served.endpoint.kind === 'tcp' ? served.endpoint.port : 0, user: 'postgres', database: 'postgres', password });
        const outcome = await client.connect().then(
          async () => `let in (${(await client.query('SELECT 1 AS one')).rows.length} row)`,
          (err: Error) => `refused: ${err.message}`,
        );
        await client.end().catch(() => {});
        return outcome;
      };
      expect(await attempt()).toMatch(/^refused/);
      // What an earlier version (its lock file held no secret) reads when it finds a newer one holding the brain.
      expect(await attempt('')).toMatch(/^refused: password authentication failed .*older medtainer-mcp .*npx -y medtainer-mcp@latest/);
      expect(await attempt('wrong')).toMatch(/^refused: password authentication failed/);
      expect(await attempt(secret)).toBe('let in (1 row)');
    } finally {
      await served.stop();
      await pglite.close();
    }
  });
});
