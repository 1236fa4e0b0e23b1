import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncAllContacts } from '../../src/tools/sync-all-contacts.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget } from '../helpers/test-db.js';

const LOCKS_HELD = `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4151777001 AND granted`;
const noProgress = { progress: async () => {}, signal: new AbortController().signal };

// Starting, joining and stopping runs at awkward moments: nothing may be left running or locked.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('runs started, joined and stopped at awkward moments (postgres)', () => {
  async function setUp(contactCount: number, latencyMs: number) {
    const fake = await startFakeGhl({ contactCount, seed: 21, latencyMs, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget('postgres');
    const admin = new pg.Client({ connectionString: (target as { url: string }).url });
    await admin.connect();
    return {
      fake,
      target,
      admin,
      async close() {
        await admin.end().catch(() => {});
        await fake.close();
        await drop();
      },
    };
  }

  it('a claim that fails while holding the sync lock lets the lock go, so later syncs run', async () => {
    const t = await setUp(50, 0);
    const app = syncApp(t.fake, t.target);
    try {
      await app.database();
      // Any failure of the claim will do (a pool timeout, a cancelled statement); here the INSERT is refused.
      await t.admin.query('ALTER TABLE sync_runs ADD CONSTRAINT refuse_runs CHECK (false) NOT VALID');
      await expect(app.sync.start('tool', 'full')).rejects.toThrow(/refuse_runs/);
      await t.admin.query('ALTER TABLE sync_runs DROP CONSTRAINT refuse_runs');
      expect((await t.admin.query(LOCKS_HELD)).rows[0].n).toBe(0);
      expect(await (await app.sync.start('tool', 'full')).done).toMatchObject({ status: 'succeeded' });
    } finally {
      await app.close();
      await t.close();
    }
  });

  it('closing in the first moments of a run, or while it starts, records every run as ended and holds no lock', async () => {
    const t = await setUp(1_500, 200);
    try {
      for (let delay = 0; delay < 8; delay++) {
        const app = syncApp(t.fake, t.target);
        await app.database();
        const starting = app.sync.start('cli', 'full').catch(() => null);
        for (let i = 0; i < delay; i++) await new Promise((r) => setImmediate(r));
        await app.close();
        await (await starting)?.done.catch(() => null);
      }
      expect((await t.admin.query(`SELECT id, error FROM sync_runs WHERE status = 'running'`)).rows).toEqual([]);
      expect((await t.admin.query(`SELECT DISTINCT error FROM sync_runs`)).rows.map((r) => r.error)).toEqual([expect.stringMatching(/^interrupted: the process running it/)]);
      expect((await t.admin.query(LOCKS_HELD)).rows[0].n).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('the sync tool, having joined a run whose process then stops, reports the run that took over', async () => {
    const t = await setUp(1_500, 1_500);
    const quitting = syncApp(t.fake, t.target, { sync: { pollMs: 20 } });
    const staying = syncApp(t.fake, t.target, { sync: { pollMs: 20 } });
    try {
      await quitting.database();
      await staying.database();
      const first = await quitting.sync.start('startup', 'full');
      const tool = syncAllContacts.handler({ mode: 'full', wait_seconds: 2 }, staying.deps, noProgress);
      await sleep(300);
      await quitting.close();
      // Still going when the tool stops waiting: it says so, of the run that took over.
      const out = await tool;
      expect(out.status).toBe('running');
      expect(out.run_id).not.toBe(first.runId);
    } finally {
      await quitting.close();
      await staying.close();
      await t.close();
    }
  });

  it('a process that stops while following another\'s run stops following at once', async () => {
    const t = await setUp(1_500, 1_000);
    const owner = syncApp(t.fake, t.target, { sync: { pollMs: 20 } });
    const follower = syncApp(t.fake, t.target, { sync: { pollMs: 60_000 } });
    try {
      await owner.database();
      await follower.database();
      await owner.sync.start('startup', 'full');
      const joined = await follower.sync.start('tool', 'full');
      expect(joined.joined).toBe(true);
      const ended = joined.done.then(
        () => 'resolved',
        (err: unknown) => (err as Error).message,
      );
      await follower.close();
      // Without being cut short, it would sleep a minute between two looks.
      expect(await Promise.race([ended, sleep(10_000, 'still following')])).toMatch(/shutting down/);
      expect(await sql<{ n: number }>`SELECT 1 AS n`.execute((await owner.database()).db).then((r) => r.rows)).toEqual([{ n: 1 }]);
    } finally {
      await owner.close();
      await follower.close();
      await t.close();
    }
  });
});
