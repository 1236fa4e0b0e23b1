import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

// PostgreSQL cannot read the six-digit years `toISOString` writes past 9999: one such time
// would fail its page's statement, and every sync after it. It costs that field instead.
describe.each(testEngines())('a contact whose time no database can hold (%s)', (engine) => {
  let fake: FakeGhl | undefined;
  let app: App | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await app?.close();
    await fake?.close();
    await drop?.();
  });

  it.each([
    // v1 sends lastActivity as an epoch number: here in microseconds (year 58300 read as milliseconds).
    ['v1', 'lastActivity', 1777629600000000],
    // v2 sends dateAdded as ISO text: the latest time a Date can hold, +275760-09-13.
    ['v2', 'dateAdded', 8.64e15],
  ] as const)('%s: the %s is dropped and every contact is stored, on every sync', async (version, field, value) => {
    fake = await startFakeGhl({ contactCount: 300, seed: 5, rateLimit: { max: 10_000 } });
    const t = await createTestTarget(engine);
    drop = t.drop;
    app = syncApp(fake, t.target, { version });
    const odd = fake.store.all()[120]!;
    const changed = fake.store.updateContact(odd.id, { [field]: value });
    for (const mode of ['full', 'full', 'auto'] as const) {
      const run = await (await app.sync.start('tool', mode)).done;
      expect(run, mode).toMatchObject({ status: 'succeeded', error: null });
      expect(run.errors, mode).toContain(`contact ${odd.id}: ignored ${field} (not a date: year ${new Date(value).getUTCFullYear()}, expected 1900–9999)`);
    }
    const db = (await app.database()).db;
    const rows = await db.selectFrom('contacts').select(['id', 'email', 'date_added', 'last_activity_at']).where('deleted_at', 'is', null).execute();
    expect(rows.length).toBe(fake.store.size);
    const stored = rows.find((r) => r.id === odd.id)!;
    expect(stored.email).toBe(odd.email);
    // Without a lastActivity, activity is the contact's last change.
    if (field === 'dateAdded') expect(stored.date_added).toBeNull();
    else expect(new Date(stored.last_activity_at!).toISOString()).toBe(new Date(changed.dateUpdated).toISOString());
  });
});
