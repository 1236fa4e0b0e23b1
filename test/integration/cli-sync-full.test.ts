import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { syncCommand } from '../../src/cli/sync.js';
import { latestRun } from '../../src/db/sync-runs.repository.js';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';

describe('`sync --full` while an incremental sync runs', () => {
  let fake: FakeGhl;
  let app: App;
  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 150, seed: 7, rateLimit: { max: 10_000 } });
    app = syncApp(fake, { kind: 'memory' });
    await (await app.sync.start('cli', 'full')).done;
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('runs the full pass after it, rather than reporting the incremental run as its own', async () => {
    fake.configure({ latencyMs: 300 });
    try {
      const incremental = await app.sync.start('schedule', 'incremental');
      const out: string[] = [];
      const err: string[] = [];
      const code = await syncCommand(app, { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false }, { full: true });
      expect(code, err.join('')).toBe(0);
      expect(err.join('')).toContain(`An incremental sync is running (run #${incremental.runId}); the full sync starts when it ends.`);
      expect(out.join('')).toMatch(/Sync #\d+ \(full\) succeeded/);
      const last = await latestRun(await app.deps.db());
      expect(last).toMatchObject({ mode: 'full', status: 'succeeded' });
      expect(Number(last!.id)).toBeGreaterThan(incremental.runId);
      expect((await incremental.done).mode).toBe('incremental');
    } finally {
      fake.configure({ latencyMs: 0 });
    }
  });
});
