import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

// An index entry holds at most ~2,700 bytes. A contact whose name holds one long unbroken "word"
// (a pasted token), or whose email, phone or tag is thousands of characters long, used to fail its
// page and every sync after it, and a first import stored nothing.
const token = (n: number) => randomBytes(n).toString('hex').slice(0, n);

describe.each(testEngines())('oversized values (%s)', (engine) => {
  let fake: FakeGhl | undefined;
  let app: App | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await app?.close();
    await fake?.close();
    await drop?.();
  });

  it('store the contact, report what was left out, and let every sync succeed', async () => {
    // Over 2,000 contacts: the brain then has its email and phone indexes.
    fake = await startFakeGhl({ contactCount: 2_100, seed: 5, rateLimit: { max: 100_000 } });
    const [first, later] = [fake.store.all()[3]!, fake.store.all()[9]!];
    const longName = token(6_000);
    fake.store.updateContact(first.id, { lastName: longName, companyName: token(3_000) });
    const t = await createTestTarget(engine);
    drop = t.drop;
    app = syncApp(fake, t.target);
    const imported = await (await app.sync.start('cli', 'full')).done;
    expect(imported, imported.error ?? '').toMatchObject({ status: 'succeeded', contacts_created: 2_100 });

    fake.store.updateContact(later.id, { email: `${token(3_000)}@example.com`, phone: '5'.repeat(3_000), tags: ['vip', token(6_000)] });
    const incremental = await (await app.sync.start('cli', 'auto')).done;
    expect(incremental, incremental.error ?? '').toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 1 });
    expect(incremental.errors.join('\n')).toMatch(/ignored email \(3012 characters/);
    expect(incremental.errors.join('\n')).toMatch(/ignored phone/);
    expect(incremental.errors.join('\n')).toMatch(/ignored tags longer than/);

    const db = (await app.database()).db;
    const stored = await db.selectFrom('contacts').select(['id', 'last_name', 'email', 'phone', 'tags', 'data']).where('id', 'in', [first.id, later.id]).orderBy('id').execute();
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(byId.get(first.id)!.last_name).toBe(longName);
    // Left out of the typed columns, kept in the record as GHL sent it.
    expect(byId.get(later.id)).toMatchObject({ email: null, phone: null, tags: ['vip'] });
    expect((byId.get(later.id)!.data as { email: string }).email).toHaveLength(3_012);
    // The long name is still found by its ordinary words.
    const found = await db.selectFrom('contact_search').select('contact_id').where('doc', 'like', `%${first.firstName!.toLowerCase()}%`).execute();
    expect(found.map((r) => r.contact_id)).toContain(first.id);
  });
});
