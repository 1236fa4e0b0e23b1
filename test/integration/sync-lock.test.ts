import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { createTestTarget } from '../helpers/test-db.js';

const LOCK = `locktype = 'advisory' AND objid = 4151777001 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** The backend holding the sync lock in the connected database (other than `other`), once someone holds it. */
async function lockHolder(admin: pg.Client, other?: number): Promise<number> {
  for (let i = 0; i < 1_000; i++) {
    const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE ${LOCK}`);
    if (rows[0] && rows[0].pid !== other) return rows[0].pid;
    await sleep(10);
  }
  throw new Error('nobody took the sync lock');
}

// The sync lock lives as long as the session that took it. When its connection drops mid-run (a
// server restart, an administrator, idle_session_timeout, a network path going away), the lock
// is free for another process, or still held by a session whose client is gone.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('a run whose sync-lock connection drops (postgres)', () => {
  /** `latencyMs` keeps the run going for a while after its lock is taken; `viaProxy` puts the app's connections through a TCP proxy. */
  async function setUp(o: { latencyMs: number; viaProxy?: boolean }) {
    const fake = await startFakeGhl({ contactCount: 1_500, seed: 8, latencyMs: o.latencyMs, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget('postgres');
    const url = (target as { url: string }).url;
    const proxy = o.viaProxy ? await startTcpProxy({ host: new URL(url).hostname, port: Number(new URL(url).port || 5432) }) : null;
    const appUrl = new URL(url);
    if (proxy) appUrl.port = String(proxy.port);
    const app = syncApp(fake, { kind: 'postgres', url: appUrl.toString() }, { sync: { lockCheckMs: 50 } });
    const admin = new pg.Client({ connectionString: url });
    await app.database();
    await admin.connect();
    return {
      url,
      app,
      admin,
      proxy,
      async close() {
        await admin.end().catch(() => {});
        await app.close();
        await proxy?.close();
        await fake.close();
        await drop();
      },
    };
  }
  const lockCount = async (admin: pg.Client) => (await admin.query(`SELECT count(*)::int AS n FROM pg_locks WHERE ${LOCK}`)).rows[0].n as number;
  const clientPort = async (admin: pg.Client, pid: number) => (await admin.query('SELECT client_port FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0].client_port as number;

  it('takes the lock again when nobody else did, and finishes', async () => {
    const t = await setUp({ latencyMs: 700 });
    try {
      const run = await t.app.sync.start('tool', 'full');
      const first = await lockHolder(t.admin);
      await t.admin.query('SELECT pg_terminate_backend($1)', [first]);
      // A new connection of the same run holds it again while the run goes on.
      const second = await lockHolder(t.admin, first);
      expect(second).not.toBe(first);
      expect((await t.admin.query(`SELECT status FROM sync_runs WHERE id = $1`, [run.runId])).rows[0].status).toBe('running');
      expect(await run.done).toMatchObject({ status: 'succeeded', contacts_created: 1_500 });
      expect(await lockCount(t.admin)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('stops when another session took the lock in between, and leaves that lock alone', async () => {
    const t = await setUp({ latencyMs: 700 });
    try {
      const run = await t.app.sync.start('tool', 'full');
      const first = await lockHolder(t.admin);
      // Queues for the lock before its holder ends, so it has it the moment it is free.
      const killer = new pg.Client({ connectionString: t.url });
      await killer.connect();
      const waiting = t.admin.query('SELECT pg_advisory_lock(4151777001)');
      await killer.query('SELECT pg_terminate_backend($1)', [first]);
      await killer.end();
      await waiting;
      const row = await run.done;
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(/connection holding the sync lock dropped .*another sync may have started/);
      expect(row.contacts_deleted).toBe(0);
      const own = (await t.admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      expect((await t.admin.query(`SELECT pid FROM pg_locks WHERE ${LOCK}`)).rows).toEqual([{ pid: own }]);
    } finally {
      await t.close();
    }
  });

  it('ends its own dropped session, which the server still thinks holds the lock, and carries on', async () => {
    const t = await setUp({ latencyMs: 700, viaProxy: true });
    try {
      const run = await t.app.sync.start('tool', 'full');
      const first = await lockHolder(t.admin);
      // The app's side of the connection is reset; PostgreSQL's side stays open, lock and all.
      t.proxy!.resetAppSide(t.proxy!.byServerSidePort(await clientPort(t.admin, first)));
      const second = await lockHolder(t.admin, first);
      expect(second).not.toBe(first);
      expect((await t.admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [first])).rows[0].n).toBe(0);
      expect(await run.done).toMatchObject({ status: 'succeeded', contacts_created: 1_500 });
      expect(await lockCount(t.admin)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('notices a connection that went silent (no answer to its check within 5 s) and carries on with a new one', async () => {
    const t = await setUp({ latencyMs: 3_000, viaProxy: true });
    try {
      const run = await t.app.sync.start('tool', 'full');
      const first = await lockHolder(t.admin);
      t.proxy!.silence(t.proxy!.byServerSidePort(await clientPort(t.admin, first)));
      await t.admin.query('SELECT pg_terminate_backend($1)', [first]);
      await lockHolder(t.admin, first);
      expect(await run.done).toMatchObject({ status: 'succeeded', contacts_created: 1_500 });
      expect(await lockCount(t.admin)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
