import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openConnectedApp } from '../helpers/connected-app.js';
import { testEngines } from '../helpers/test-db.js';

const DAY = 86_400_000;

// A server runs for years: the audit of tool calls and the record of sync runs do not grow for ever.
describe.each(testEngines())('old tool calls and sync runs (%s)', (engine) => {
  it('are removed once a day past their keeping time; the runs the next sync starts from stay', async () => {
    let now = new Date();
    const { app, mcp, close } = await openConnectedApp(engine, { contactCount: 20, seed: 3 }, { now: () => now });
    try {
      const db = (await app.database()).db;
      const ago = (days: number) => new Date(now.getTime() - days * DAY);
      // A year of history: the only successful full run is old, as is a newer successful incremental one.
      await sql`INSERT INTO sync_runs (trigger, mode, status, holder, started_at, finished_at) VALUES
        ('schedule', 'full', 'succeeded', 'old', ${ago(300)}, ${ago(300)}),
        ('schedule', 'incremental', 'failed', 'old', ${ago(200)}, ${ago(200)}),
        ('schedule', 'incremental', 'succeeded', 'old', ${ago(120)}, ${ago(120)}),
        ('schedule', 'incremental', 'failed', 'old', ${ago(10)}, ${ago(10)})`.execute(db);
      await sql`INSERT INTO tool_executions (tool, started_at, duration_ms, outcome) VALUES
        ('search_contacts', ${ago(400)}, 3, 'ok'), ('search_contacts', ${ago(181)}, 3, 'ok'), ('search_contacts', ${ago(100)}, 3, 'ok')`.execute(db);
      const ages = async () =>
        (await sql<{ started_at: Date }>`SELECT started_at FROM sync_runs ORDER BY id`.execute(db)).rows.map((r) => Math.round((now.getTime() - r.started_at.getTime()) / DAY) + 0);
      const calls = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM tool_executions WHERE tool = 'search_contacts'`.execute(db)).rows[0]!.n;

      // While this sync runs, the 120-day-old run is the last successful one, and the 300-day-old
      // one the last successful full run: both stay; the failed run of 200 days ago goes.
      expect((await (await app.sync.start('schedule', 'auto')).done).status).toBe('succeeded');
      expect(await ages()).toEqual([300, 120, 10, 0]);
      expect(await calls()).toBe(1);

      // Within the day nothing more is looked at; a day later it is again.
      await sql`INSERT INTO tool_executions (tool, started_at, duration_ms, outcome) VALUES ('search_contacts', ${ago(365)}, 3, 'ok')`.execute(db);
      await (await app.sync.start('schedule', 'auto')).done;
      expect(await calls()).toBe(2);
      now = new Date(now.getTime() + DAY + 60_000);
      await (await app.sync.start('schedule', 'auto')).done;
      expect(await calls()).toBe(1);
      // The first sync here (a full one, the brain being empty) is now the last successful full run
      // and the latest the last successful one: the old ones go. (Runs are stamped by the database's clock.)
      expect(await ages()).toEqual([11, 1, 1, 1]);
      expect((await mcp.call('gohighlevel_get_sync_stats')).isError).toBeFalsy();
    } finally {
      await close();
    }
  });
});
