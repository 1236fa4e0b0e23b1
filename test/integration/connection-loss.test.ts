import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startFakeGhl } from '../../src/fake-ghl/index.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

// A PostgreSQL server that drops a connection in use (a restart, an administrator, a network
// cut) fails that connection's work; the process keeps serving.
describe.runIf(testEngines().includes('postgres'))('a PostgreSQL connection lost while in use', () => {
  it('fails the transaction on it, and the next statement works', async () => {
    const fake = await startFakeGhl({ contactCount: 10, seed: 2 });
    const { target, drop } = await createTestTarget('postgres');
    const app = syncApp(fake, target);
    const admin = new pg.Client({ connectionString: (target as { url: string }).url });
    try {
      const db = (await app.database()).db;
      await admin.connect();
      const inUse = db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        await sql`SELECT pg_sleep(0.2)`.execute(trx);
      });
      await expect(inUse).rejects.toThrow();
      const { rows } = await sql<{ n: number }>`SELECT 1 AS n`.execute(db);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await admin.end().catch(() => {});
      await app.close();
      await fake.close();
      await drop();
    }
  });
});
