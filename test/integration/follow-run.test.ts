import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { getSyncStats } from '../../src/tools/get-sync-stats.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

// A run started by another process that dies without finishing must not keep its followers (the
// schedule among them) waiting forever.
describe.each(testEngines())('following another process\'s run (%s)', (engine) => {
  it('gives up on a run whose owner is gone (PGlite: its heartbeat stops; PostgreSQL: its sync lock is free), and the next sync runs', async () => {
    const fake = await startFakeGhl({ contactCount: 120, seed: 4, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget(engine);
    const app = syncApp(fake, target, { sync: { pollMs: 20, staleAfterSeconds: 3 } });
    // On PostgreSQL the owner also holds the sync lock (a row whose lock is free is taken over at once).
    const owner = engine === 'postgres' ? new pg.Client({ connectionString: (target as { url: string }).url }) : null;
    try {
      const db = (await app.database()).db;
      await owner?.connect();
      await owner?.query('SELECT pg_advisory_lock(4151777001)');
      const { rows } = await sql<{ id: string }>`
        INSERT INTO sync_runs (trigger, mode, status, holder) VALUES ('cli', 'full', 'running', 'elsewhere:4242') RETURNING id`.execute(db);
      const beat = () => sql`UPDATE sync_runs SET heartbeat_at = now(), contacts_fetched = contacts_fetched + 1 WHERE id = ${rows[0]!.id}`.execute(db);
      const followed = await app.sync.start('schedule', 'auto');
      expect(followed).toMatchObject({ joined: true, runId: Number(rows[0]!.id) });
      let settled = false;
      void followed.done.finally(() => (settled = true));
      // While its owner keeps its heartbeat, the run is waited for.
      for (let i = 0; i < 10; i++) {
        await beat();
        await sleep(100);
      }
      expect(settled).toBe(false);
      if (owner) {
        // On PostgreSQL an owner holding the sync lock is alive, however long its silence.
        await sleep(4_000);
        expect(settled).toBe(false);
        await owner.end();
      }
      // The owner is gone: its run is marked failed, and the sync asked for runs here instead.
      const ended = await followed.done;
      expect(ended).toMatchObject({ status: 'succeeded', mode: 'full' });
      expect(Number(ended.id)).not.toBe(followed.runId);
      expect((await sql<{ error: string }>`SELECT error FROM sync_runs WHERE id = ${rows[0]!.id}`.execute(db)).rows[0]!.error).toMatch(/^abandoned/);
    } finally {
      await owner?.end().catch(() => {});
      await app.close();
      await fake.close();
      await drop();
    }
  });

  it('the status does not report a run whose process is gone as running, and leaves a live one alone', async () => {
    const fake = await startFakeGhl({ contactCount: 10, seed: 6 });
    const { target, drop } = await createTestTarget(engine);
    const app = syncApp(fake, target, { sync: { staleAfterSeconds: 60 } });
    const owner = engine === 'postgres' ? new pg.Client({ connectionString: (target as { url: string }).url }) : null;
    const status = async () => (await getSyncStats.handler({}, app.deps, { progress: async () => {}, signal: new AbortController().signal })).last_sync;
    try {
      const db = (await app.database()).db;
      // Alive: on PostgreSQL its owner holds the sync lock; on PGlite its heartbeat is fresh.
      await owner?.connect();
      await owner?.query('SELECT pg_advisory_lock(4151777001)');
      const { rows } = await sql<{ id: string }>`
        INSERT INTO sync_runs (trigger, mode, status, holder) VALUES ('cli', 'full', 'running', 'elsewhere:4242') RETURNING id`.execute(db);
      expect(await status()).toMatchObject({ status: 'running' });
      // Gone: the lock is free; the heartbeat is an hour old.
      await owner?.end();
      await sql`UPDATE sync_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${rows[0]!.id}`.execute(db);
      expect(await status()).toMatchObject({ status: 'failed', errors: [expect.stringMatching(/^abandoned/)] });
    } finally {
      await owner?.end().catch(() => {});
      await app.close();
      await fake.close();
      await drop();
    }
  });

  it('a run that another process marked abandoned while it ran stops writing at its next progress report, and stays marked so', async () => {
    const fake = await startFakeGhl({ contactCount: 3_000, seed: 5, latencyMs: 300, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget(engine);
    const app = syncApp(fake, target);
    try {
      const db = (await app.database()).db;
      const run = await app.sync.start('tool', 'full');
      // What another process does when this run's owner looks gone to it (see abandonStaleRuns).
      await sql`UPDATE sync_runs SET status = 'failed', finished_at = now(), error = 'abandoned: the process running this sync stopped before finishing' WHERE id = ${run.runId}`.execute(db);
      const row = await run.done;
      expect(row).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned/), high_water_mark: null });
      // It stopped after a page or two (written a page at a time), not at the end of the list.
      const stored = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts`.execute(db)).rows[0]!.n;
      expect(stored).toBeLessThan(3_000);
      expect((await (await app.sync.start('schedule', 'auto')).done).status).toBe('succeeded');
    } finally {
      await app.close();
      await fake.close();
      await drop();
    }
  });

  it.runIf(engine === 'postgres')('waits for the row of a process that holds the sync lock, then follows its run', async () => {
    const fake = await startFakeGhl({ contactCount: 120, seed: 4, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget(engine);
    const app = syncApp(fake, target, { sync: { pollMs: 20 } });
    const owner = new pg.Client({ connectionString: (target as { url: string }).url });
    try {
      await app.database();
      await owner.connect();
      await owner.query('SELECT pg_advisory_lock(4151777001)');
      const starting = app.sync.start('schedule', 'auto');
      await sleep(200);
      const { rows } = await owner.query(`INSERT INTO sync_runs (trigger, mode, status, holder) VALUES ('cli', 'full', 'running', 'elsewhere:4242') RETURNING id`);
      const followed = await starting;
      expect(followed).toMatchObject({ joined: true, runId: Number(rows[0].id) });
      await owner.query(`UPDATE sync_runs SET status = 'succeeded', finished_at = now() WHERE id = $1`, [rows[0].id]);
      expect((await followed.done).status).toBe('succeeded');
    } finally {
      await owner.end().catch(() => {});
      await app.close();
      await fake.close();
      await drop();
    }
  });

  it.runIf(engine === 'postgres')('gives up on a run whose owner\'s connection (and sync lock) is gone, before the heartbeat goes stale', async () => {
    const fake = await startFakeGhl({ contactCount: 120, seed: 4, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget(engine);
    const app = syncApp(fake, target, { sync: { pollMs: 20, staleAfterSeconds: 3600 } });
    const owner = new pg.Client({ connectionString: (target as { url: string }).url });
    try {
      await app.database();
      await owner.connect();
      // What another medtainer-mcp process holds while it syncs: the advisory lock and a running row.
      await owner.query('SELECT pg_advisory_lock(4151777001)');
      await owner.query(`INSERT INTO sync_runs (trigger, mode, status, holder) VALUES ('cli', 'full', 'running', 'elsewhere:4242')`);
      const followed = await app.sync.start('schedule', 'auto');
      expect(followed.joined).toBe(true);
      let settled = false;
      void followed.done.finally(() => (settled = true));
      await sleep(500);
      expect(settled).toBe(false);
      await owner.end(); // the process dies: PostgreSQL drops its connection and its lock
      const ended = await followed.done;
      expect(ended.status).toBe('succeeded');
      expect(Number(ended.id)).not.toBe(followed.runId);
      const db = (await app.database()).db;
      expect((await sql<{ error: string }>`SELECT error FROM sync_runs WHERE id = ${followed.runId}`.execute(db)).rows[0]!.error).toMatch(/^abandoned/);
    } finally {
      await owner.end().catch(() => {});
      await app.close();
      await fake.close();
      await drop();
    }
  });
});
