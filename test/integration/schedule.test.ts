import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

describe.each(testEngines())('the schedule and changes during a sync (%s)', (engine) => {
  let fake: FakeGhl;
  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 2_500, seed: 17, rateLimit: { max: 10_000 } });
  });
  afterAll(() => fake.close());

  it('fires on a fast cron without ever running two syncs at once', async () => {
    const t = await createTestTarget(engine);
    // Every second, while one sync takes longer than a second.
    fake.configure({ latencyMs: 1_100 });
    const app = syncApp(fake, t.target, { env: { SYNC_CRON: '* * * * * *' } });
    try {
      app.start();
      const db = (await app.database()).db;
      const finished = () => db.selectFrom('sync_runs').selectAll().where('status', '!=', 'running').orderBy('id').execute();
      for (let i = 0; i < 120 && (await finished()).length < 2; i++) await sleep(250);
      const runs = await finished();
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at!.getTime());
      expect(runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
    } finally {
      await app.close();
      fake.configure({ latencyMs: 0 });
      await t.drop();
    }
  });

  it('catches contacts that change while the pages are being read', async () => {
    const t = await createTestTarget(engine);
    const app = syncApp(fake, t.target);
    try {
      fake.configure({ latencyMs: 150 });
      const handle = await app.sync.start('tool', 'full');
      let touched = false;
      handle.onProgress(() => {
        if (touched) return;
        touched = true;
        // Mid-sync: an edit to a contact, a new contact, a deletion.
        fake.store.updateContact(KNOWN.alexandra, { email: 'alexandra@newdomain.example' });
        fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: 'AddedMidSync00000001', firstName: 'Mid', lastName: 'Sync' });
        fake.store.deleteContact(fake.store.all().find((c) => c.firstName === 'Mary')!.id);
      });
      expect((await handle.done).status).toBe('succeeded');
      fake.configure({ latencyMs: 0 });
      expect((await (await app.sync.start('tool', 'full')).done).status).toBe('succeeded');
      const db = (await app.database()).db;
      const live = await db.selectFrom('contacts').select(['id', 'email']).where('deleted_at', 'is', null).execute();
      expect(live.map((r) => r.id).sort()).toEqual(fake.store.all().map((c) => c.id).sort());
      expect(live.find((r) => r.id === KNOWN.alexandra)?.email).toBe('alexandra@newdomain.example');
    } finally {
      fake.configure({ latencyMs: 0 });
      await app.close();
      await t.drop();
    }
  });
});
