import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { connectClient } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget } from '../helpers/test-db.js';

// Two processes sharing one PostgreSQL brain: the second's tool call follows the first's run.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('progress while following another process\'s sync (postgres)', () => {
  let fake: FakeGhl;
  let drop: () => Promise<void>;
  let target: Awaited<ReturnType<typeof createTestTarget>>['target'];
  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 2_500, seed: 12, rateLimit: { max: 10_000 }, latencyMs: 1_500 });
    ({ target, drop } = await createTestTarget('postgres'));
  });
  afterAll(async () => {
    await fake?.close();
    await drop?.();
  });

  it('sends progress that only ever increases (MCP requires it), ending with the run', async () => {
    const running = syncApp(fake, target);
    const following = syncApp(fake, target);
    const mcp = await connectClient(following.deps);
    try {
      const run = await running.sync.start('cli', 'full');
      const progress: number[] = [];
      const res = await mcp.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: { mode: 'full', wait_seconds: 55 } }, undefined, {
        onprogress: (p) => void progress.push(p.progress),
      });
      expect(res.structuredContent).toMatchObject({ status: 'succeeded', run_id: run.runId });
      expect(progress.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < progress.length; i++) expect(progress[i]!, progress.join(',')).toBeGreaterThan(progress[i - 1]!);
    } finally {
      await mcp.close();
      await following.close();
      await running.close();
    }
  });
});
