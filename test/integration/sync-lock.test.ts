import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget } from '../helpers/test-db.js';

const LOCK = `locktype = 'advisory' AND objid = 4151777001 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** The backend holding the sync lock in the connected database, once someone holds it. */
async function lockHolder(admin: pg.Client, other?: number): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE ${LOCK}`);
    if (rows[0] && rows[0].pid !== other) return rows[0].pid;
    await sleep(10);
  }
  throw new Error('nobody took the sync lock');
}

// The sync lock lives as long as the connection that took it. When that connection drops mid-run
// (a server restart, an administrator, idle_session_timeout), the lock is free for another process.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('a run whose sync-lock connection drops (postgres)', () => {
  async function setUp() {
    // Slow answers keep the run going for a few seconds after its lock is taken.
    const fake = await startFakeGhl({ contactCount: 1_500, seed: 8, latencyMs: 700, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget('postgres');
    const app = syncApp(fake, target, { sync: { lockCheckMs: 50 } });
    const url = (target as { url: string }).url;
    const admin = new pg.Client({ connectionString: url });
    await app.database();
    await admin.connect();
    return {
      url,
      app,
      admin,
      async close() {
        await admin.end().catch(() => {});
        await app.close();
        await fake.close();
        await drop();
      },
    };
  }

  it('takes the lock again when nobody else did, and finishes', async () => {
    const t = await setUp();
    try {
      const run = await t.app.sync.start('tool', 'full');
      const first = await lockHolder(t.admin);
      await t.admin.query('SELECT pg_terminate_backend($1, 5000)', [first]);
      // A new connection of the same run holds it again while the run goes on.
      const second = await lockHolder(t.admin, first);
      expect(second).not.toBe(first);
      expect((await t.admin.query(`SELECT status FROM sync_runs WHERE id = $1`, [run.runId])).rows[0].status).toBe('running');
      const row = await run.done;
      expect(row).toMatchObject({ status: 'succeeded', contacts_created: 1_500 });
      expect((await t.admin.query(`SELECT count(*)::int AS n FROM pg_locks WHERE ${LOCK}`)).rows[0].n).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('stops when another session took the lock in between, and leaves that lock alone', async () => {
    const t = await setUp();
    try {
      const run = await t.app.sync.start('tool', 'full');
      const first = await lockHolder(t.admin);
      // Queues for the lock before its holder ends, so it has it the moment it is free, before the
      // run notices (it looks every 50 ms).
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
      expect((await t.admin.query(`SELECT pid FROM pg_locks WHERE ${LOCK}`)).rows).toEqual([{ pid: (await t.admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid }]);
    } finally {
      await t.close();
    }
  });
});
