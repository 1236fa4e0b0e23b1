import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { silentLogger } from '../../src/logger.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

// A PostgreSQL server that drops a connection in use (a restart, an administrator, a network
// cut) fails that connection's work; the process keeps serving.
describe.runIf(testEngines().includes('postgres'))('a PostgreSQL connection lost while in use', () => {
  it('fails the transaction on it, and the next statement works', async () => {
    const fake = await startFakeGhl({ contactCount: 10, seed: 2 });
    const { target, drop } = await createTestTarget('postgres');
    const app = syncApp(fake, target);
    const admin = new pg.Client({ connectionString: (target as { url: string }).url });
    try {
      const db = (await app.database()).db;
      await admin.connect();
      const inUse = db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        await sql`SELECT pg_sleep(0.2)`.execute(trx);
      });
      await expect(inUse).rejects.toThrow();
      const { rows } = await sql<{ n: number }>`SELECT 1 AS n`.execute(db);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await admin.end().catch(() => {});
      await app.close();
      await fake.close();
      await drop();
    }
  });

  it('a startup sync whose failure cannot even be recorded (the server went away mid-run) is logged, and the process keeps going', async () => {
    const fake = await startFakeGhl({ contactCount: 1_500, seed: 2, latencyMs: 500, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget('postgres');
    const url = new URL((target as { url: string }).url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const errors: string[] = [];
    const log = { ...silentLogger, error: (msg: string) => void errors.push(msg) };
    const app = syncApp(fake, { kind: 'postgres', url: viaProxy.toString() }, { log, env: { SYNC_ON_START: 'true' } });
    const admin = new pg.Client({ connectionString: url.toString() });
    try {
      await admin.connect();
      await app.database();
      app.start();
      for (let i = 0; i < 1_000 && (await admin.query(`SELECT EXISTS (SELECT 1 FROM sync_runs WHERE status = 'running') AS going`).then((r) => !r.rows[0].going)); i++) await sleep(10);
      await proxy.close(); // every connection cut, and no new one accepted
      for (let i = 0; i < 3_000 && !errors.some((e) => /the startup sync stopped/.test(e)); i++) await sleep(10);
      expect(errors).toContainEqual(expect.stringMatching(/^the startup sync stopped: .+/));
    } finally {
      await admin.end().catch(() => {});
      await app.close();
      await proxy.close().catch(() => {});
      await fake.close();
      await drop();
    }
  });

  it('a read whose connection the server ended is asked again on a new one, and answers', async () => {
    const fake = await startFakeGhl({ contactCount: 10, seed: 2 });
    const { target, drop } = await createTestTarget('postgres');
    const app = syncApp(fake, target);
    const mcp = await connectClient(app.deps);
    const admin = new pg.Client({ connectionString: (target as { url: string }).url });
    try {
      expect((await mcp.call('search_contacts', { query: 'rachel' })).isError).toBeFalsy();
      await admin.connect();
      // An administrator (or a restart) ends the server's sessions, idle ones in the pool included.
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'medtainer-mcp' AND datname = current_database()");
      for (const [tool, args] of [['search_contacts', { query: 'rachel' }], ['gohighlevel_get_sync_stats', {}]] as const) {
        const res = await mcp.call(tool, args);
        expect(res.isError, `${tool}: ${textOf(res)}`).toBeFalsy();
      }
    } finally {
      await admin.end().catch(() => {});
      await mcp.close();
      await app.close();
      await fake.close();
      await drop();
    }
  });

  it('a tool called while the database is gone says so, where, and what to check (not "failed unexpectedly")', async () => {
    const fake = await startFakeGhl({ contactCount: 10, seed: 2 });
    const { target, drop } = await createTestTarget('postgres');
    const url = new URL((target as { url: string }).url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const app = syncApp(fake, { kind: 'postgres', url: viaProxy.toString() });
    const mcp = await connectClient(app.deps);
    try {
      expect((await mcp.call('gohighlevel_get_sync_stats')).isError).toBeFalsy();
      await proxy.close();
      const res = await mcp.call('gohighlevel_get_sync_stats');
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^Lost the connection to the database at postgres:\/\/postgres@127\.0\.0\.1:\d+\/medtainer_test_\w+: .+\.\nNext step: Ask again: the server or the network dropped the connection.* If it keeps happening, check DATABASE_URL/);
      expect(textOf(res)).not.toMatch(/unexpectedly/);
    } finally {
      await mcp.close();
      await app.close();
      await proxy.close().catch(() => {});
      await fake.close();
      await drop();
    }
  });
});
