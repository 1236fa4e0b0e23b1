import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import { vacuumAfterSync } from '../../src/db/maintenance.js';
import { replaceOpportunityMirror } from '../../src/db/opportunities.repository.js';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';

/** Bytes of a table with its indexes and TOAST. */
async function sizeOf(db: Kysely<Database>, tables: string[]): Promise<number> {
  const { rows } = await sql<{ b: string }>`SELECT sum(pg_total_relation_size(t::regclass))::bigint AS b FROM unnest(${tables}::text[]) AS t`.execute(db);
  return Number(rows[0]!.b);
}

// An embedded brain has no autovacuum: what a long-running server rewrites again and again must
// not make its tables grow with every rewrite.
describe('the embedded brain over many syncs', () => {
  let fake: FakeGhl;
  let app: App;
  let db: Kysely<Database>;

  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 300, seed: 5, opportunityCount: 500, rateLimit: { max: 100_000 } });
    app = syncApp(fake, { kind: 'memory' });
    db = (await app.database()).db;
    const first = await (await app.sync.start('tool', 'full')).done;
    expect(first.status).toBe('succeeded');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('keeps the opportunity mirror the size of what it mirrors after a week of hourly refreshes', async () => {
    const read = await app.deps.ghl!.readOpportunities();
    expect(read.opportunities.length).toBe(500);
    await replaceOpportunityMirror(db, read);
    const one = await sizeOf(db, ['opportunities', 'pipelines']);
    for (let hour = 0; hour < 168; hour++) await replaceOpportunityMirror(db, read);
    const week = await sizeOf(db, ['opportunities', 'pipelines']);
    expect(week, `opportunity mirror: ${one} bytes after one refresh, ${week} after 168 more`).toBeLessThan(2 * one);
  }, 120_000);

  it('gives back what a mirror rewritten whole at every refresh (as earlier versions did) had grown to', async () => {
    const read = await app.deps.ghl!.readOpportunities();
    await replaceOpportunityMirror(db, read);
    const one = await sizeOf(db, ['opportunities', 'pipelines']);
    // Every row rewritten 50 times, as a delete and an insert each.
    for (let i = 0; i < 50; i++) await sql`WITH gone AS (DELETE FROM opportunities RETURNING *) INSERT INTO opportunities SELECT * FROM gone`.execute(db);
    expect(await sizeOf(db, ['opportunities', 'pipelines'])).toBeGreaterThan(5 * one);
    await vacuumAfterSync(db);
    expect(await sizeOf(db, ['opportunities', 'pipelines'])).toBeLessThanOrEqual(one);
  }, 120_000);

  it('keeps the contact tables the size of what they hold after every contact changed ten times', async () => {
    const tables = ['contacts', 'contact_context', 'contact_search', 'contact_facts', 'search_terms'];
    const start = await sizeOf(db, tables);
    const ids = fake.store.all().map((c) => c.id);
    for (let round = 0; round < 100; round++) {
      for (let k = 0; k < 30; k++) {
        const id = ids[(round * 30 + k) % ids.length]!;
        fake.store.updateContact(id, { tags: [`t${round % 7}`], city: `City ${round}`, lastActivity: Date.now() });
      }
      const run = await (await app.sync.start('schedule', 'incremental')).done;
      expect(run.status).toBe('succeeded');
    }
    const after = await sizeOf(db, tables);
    expect(after, `contact tables: ${start} bytes after the first sync, ${after} after 3,000 changes`).toBeLessThan(2 * start);
  }, 300_000);
});
