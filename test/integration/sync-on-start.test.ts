import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseTarget } from '../../src/config.js';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

const MINUTE = 60_000;

describe.each(testEngines())('sync on start follows the schedule in effect (%s)', (engine) => {
  let fake: FakeGhl;
  const drops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 40, seed: 4, rateLimit: { max: 10_000 } });
  });
  afterAll(async () => {
    for (const drop of drops) await drop();
    await fake?.close();
  });

  /**
   * A brain with one good sync, and a way to start a server on it some minutes later that says
   * whether that server started a sync of its own.
   */
  const brainSyncedOnce = async () => {
    // Each server opens the brain anew, so the embedded one lives in a directory rather than in memory.
    const dir = engine === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'medtainer-start-')) : null;
    const t: { target: DatabaseTarget; drop(): Promise<void> } = dir
      ? { target: { kind: 'pglite', dataDir: path.join(dir, 'brain') }, drop: async () => rmSync(dir, { recursive: true, force: true }) }
      : await createTestTarget(engine);
    drops.push(t.drop);
    const first = syncApp(fake, t.target);
    const run = await (await first.sync.start('cli', 'full')).done.finally(() => first.close());
    expect(run.status).toBe('succeeded');
    const lastGood = run.finished_at!;
    const startsASync = async (minutesLater: number, env: Record<string, string>): Promise<boolean> => {
      const app = syncApp(fake, t.target, { now: () => new Date(lastGood.getTime() + minutesLater * MINUTE), env: { SYNC_ON_START: 'true', ...env } });
      try {
        app.start();
        const db = (await app.database()).db;
        for (let i = 0; i < 15; i++) {
          if ((await db.selectFrom('sync_runs').select('id').where('trigger', '=', 'startup').execute()).length) return true;
          await sleep(100);
        }
        return false;
      } finally {
        await app.close();
      }
    };
    return { lastGood, startsASync };
  };

  it('with an interval: when the last good sync is older than the interval', async () => {
    const brain = await brainSyncedOnce();
    expect(await brain.startsASync(5, { SYNC_INTERVAL_MINUTES: '15' })).toBe(false);
    expect(await brain.startsASync(20, { SYNC_INTERVAL_MINUTES: '15' })).toBe(true);
  });

  it('with a nightly SYNC_CRON: not on a restart during the day, once a planned run came after the last good sync', async () => {
    const brain = await brainSyncedOnce();
    // Daily, six hours before the good sync (in local time, as croner reads it).
    const at = new Date(brain.lastGood.getTime() - 6 * 60 * MINUTE);
    const daily = { SYNC_CRON: `${at.getMinutes()} ${at.getHours()} * * *` };
    expect(await brain.startsASync(20, daily)).toBe(false);
    expect(await brain.startsASync(17 * 60, daily)).toBe(false);
    expect(await brain.startsASync(19 * 60, daily)).toBe(true);
  });
});
