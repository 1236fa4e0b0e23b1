import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

const CALLS: Array<[string, Record<string, unknown>]> = [
  ['search_contacts', { query: 'rachel' }],
  ['search_contacts', { query: 'who haven\'t I contacted in 30 days?' }],
  ['find_contacts_needing_follow_up', {}],
  ['gohighlevel_get_sync_stats', {}],
];

// The first sync of a new brain runs in the background while the person already asks questions.
describe.runIf(testEngines().includes('postgres'))('questions asked while the first sync of a new brain starts', () => {
  it('neither the sync nor a question fails with a deadlock', { timeout: 180_000 }, async () => {
    const problems: string[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const fake = await startFakeGhl({ contactCount: 3_000, seed: 7, latencyMs: 100, rateLimit: { max: 10_000 } });
      const { target, drop } = await createTestTarget('postgres');
      const app = syncApp(fake, target);
      const mcp = await connectClient(app.deps);
      try {
        await app.database();
        const h = await app.sync.start('startup', 'auto');
        const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => mcp.call(...CALLS[i % CALLS.length]!)));
        for (const a of answers) if (a.isError) problems.push(`attempt ${attempt}: ${textOf(a).slice(0, 160)}`);
        const row = await h.done;
        if (row.status !== 'succeeded') problems.push(`attempt ${attempt}: sync ${row.status}: ${row.error}`);
      } finally {
        await mcp.close().catch(() => {});
        await app.close();
        await fake.close();
        await drop();
      }
    }
    expect(problems).toEqual([]);
  });
});
