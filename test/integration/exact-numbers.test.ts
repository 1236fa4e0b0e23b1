import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

// GHL's JSON can carry numbers a JavaScript number cannot hold (a long account number in a numeric
// custom field). The brain keeps GHL's record as GHL wrote it: 12345678901234567890, not
// 12345678901234567000. PostgreSQL's first import (COPY) and v1 pages used to store parsed copies.
const BIG = 12345678901234567890n;

describe.each(testEngines())('numbers beyond double precision (%s)', (engine) => {
  let fake: FakeGhl | undefined;
  let app: App | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await app?.close();
    await fake?.close();
    await drop?.();
  });

  const storedValues = async (app: App) => {
    const db = (await app.database()).db;
    // v1 names the list customField.
    const { rows } = await sql<{ id: string; value: string }>`SELECT id, coalesce(data -> 'customFields', data -> 'customField') -> 0 ->> 'value' AS value FROM contacts ORDER BY id`.execute(db);
    return new Map(rows.map((r) => [r.id, r.value]));
  };

  it.each(['v2', 'v1'] as const)('are stored exactly by a first import, a full pass and an incremental one (%s)', async (version) => {
    // Over 10,000 contacts on PostgreSQL makes the first import write in bulk with COPY.
    fake = await startFakeGhl({ contactCount: engine === 'postgres' ? 10_050 : 600, seed: 11, rateLimit: { max: 100_000 } });
    const all = fake.store.all();
    const [big, plain, later] = [all[5]!, all[6]!, all.at(-7)!];
    fake.store.updateContact(big.id, { customFields: [{ id: 'acct', value: BIG }] });
    fake.store.updateContact(plain.id, { customFields: [{ id: 'acct', value: 42 }] });
    const t = await createTestTarget(engine);
    drop = t.drop;
    app = syncApp(fake, t.target, { version });

    const first = await (await app.sync.start('cli', 'full')).done;
    expect(first).toMatchObject({ status: 'succeeded', contacts_created: all.length });
    let values = await storedValues(app);
    expect(values.get(big.id)).toBe(String(BIG));
    expect(values.get(plain.id)).toBe('42');

    // Nothing changed: the exact copy is not taken for a change.
    const again = await (await app.sync.start('cli', 'full')).done;
    expect(again).toMatchObject({ status: 'succeeded', contacts_updated: 0, contacts_created: 0 });

    fake.store.updateContact(later.id, { customFields: [{ id: 'acct', value: -BIG }], dateUpdated: fake.store.now() });
    const incremental = await (await app.sync.start('cli', 'auto')).done;
    expect(incremental).toMatchObject({ status: 'succeeded', mode: 'incremental', contacts_updated: 1 });
    values = await storedValues(app);
    expect(values.get(later.id)).toBe(String(-BIG));
    expect(values.get(big.id)).toBe(String(BIG));

    // A change only the last digit tells apart is a change of that field (JavaScript rounds both alike).
    fake.store.updateContact(big.id, { customFields: [{ id: 'acct', value: BIG + 1n }], dateUpdated: fake.store.now() });
    expect(await (await app.sync.start('cli', 'auto')).done).toMatchObject({ status: 'succeeded', contacts_updated: 1 });
    const db = (await app.database()).db;
    const history = await db.selectFrom('interaction_history').select('summary').where('contact_id', '=', big.id).where('kind', '=', 'updated').execute();
    expect(history.map((h) => h.summary)).toEqual([`Changed in GoHighLevel: ${version === 'v1' ? 'customField' : 'customFields'}, dateUpdated`]);
    expect((await storedValues(app)).get(big.id)).toBe(String(BIG + 1n));

    // Shown with its digits, not rounded by a JavaScript number on the way out.
    const mcp = await connectClient(app.deps);
    try {
      const r = await mcp.call('get_contact_360', { contact_id: big.id });
      const shown = r.structuredContent as { contact: { custom_fields: Array<{ value: unknown }>; record: Record<string, unknown> } };
      expect(shown.contact.custom_fields[0]!.value).toBe(String(BIG + 1n));
      expect(textOf(r)).toContain(String(BIG + 1n));
      expect(textOf(r)).not.toContain('12345678901234567000');
    } finally {
      await mcp.close();
    }
  });
});
