import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { silentLogger } from '../../src/logger.js';
import { connectClient } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';
import { startSwitchableProxy } from '../helpers/switchable-proxy.js';
import { createTestTarget } from '../helpers/test-db.js';

// The database server drops out of reach in the middle of a sync, then comes back.
describe.runIf(process.env.TEST_DATABASE_URL)('a PostgreSQL server out of reach for a while (postgres)', () => {
  it('the run records why it failed once the database answers again (not a vanished process), and the next sync completes', { timeout: 120_000 }, async () => {
    const fake = await startFakeGhl({ contactCount: 3_000, seed: 5, latencyMs: 150, rateLimit: { max: 10_000 } });
    const { target, drop } = await createTestTarget('postgres');
    const url = new URL((target as { url: string }).url);
    const proxy = await startSwitchableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const warnings: string[] = [];
    const app = syncApp(fake, { kind: 'postgres', url: proxy.url(url.toString()) }, { log: { ...silentLogger, warn: (m: string) => void warnings.push(m) } });
    const mcp = await connectClient(app.deps);
    const admin = new pg.Client({ connectionString: url.toString() });
    try {
      await admin.connect();
      await app.database();
      const h = await app.sync.start('tool', 'full');
      for (let i = 0; i < 1_000; i++) {
        const { rows } = await admin.query('SELECT contacts_fetched FROM sync_runs WHERE id = $1', [h.runId]);
        if (rows[0]?.contacts_fetched >= 1_000) break;
        await sleep(20);
      }
      proxy.cut();
      await h.done.catch(() => {});
      expect(warnings.join('\n')).toMatch(new RegExp(`sync #${h.runId} failed: .*; the database could not be reached to record it`));
      proxy.restore();
      expect((await mcp.call('gohighlevel_get_sync_stats')).isError).toBeFalsy();
      const { rows } = await admin.query('SELECT status, error FROM sync_runs WHERE id = $1', [h.runId]);
      expect(rows[0].status).toBe('failed');
      expect(rows[0].error).not.toMatch(/abandoned/);
      expect(warnings.join('\n')).not.toMatch(/its process is gone/);
      expect((await (await app.sync.start('tool', 'auto')).done).status).toBe('succeeded');
      const counts = await admin.query('SELECT (SELECT count(*)::int FROM contacts WHERE deleted_at IS NULL) AS c, (SELECT count(*)::int FROM contact_search) AS s');
      expect(counts.rows[0]).toEqual({ c: 3_000, s: 3_000 });
    } finally {
      await admin.end().catch(() => {});
      await mcp.close().catch(() => {});
      await app.close();
      await proxy.close();
      await fake.close();
      await drop();
    }
  });
});
