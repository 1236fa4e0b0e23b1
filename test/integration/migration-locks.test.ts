import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type DbHandle, openDatabase } from '../../src/db/connection.js';
import { migrateToLatest, migratorFor } from '../../src/db/migrate.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createTestTarget } from '../helpers/test-db.js';

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('an upgrade meeting another session\'s open transaction (postgres)', () => {
  let handle: DbHandle | undefined;
  let other: pg.Client | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await other?.end().catch(() => {});
    await handle?.close();
    await drop?.();
  });

  it('gives up after its lock timeout naming the session in the way, changes nothing, and completes once it is gone', async () => {
    const t = await createTestTarget('postgres');
    drop = t.drop;
    if (t.target.kind !== 'postgres') throw new Error('unreachable');
    handle = await openDatabase(t.target, silentLogger);
    expect((await migratorFor(handle.db).migrateTo('0005_pending_list_per_session')).error).toBeUndefined();

    // Another agent's write, not yet committed: 0006 indexes contacts and must wait for it.
    other = new pg.Client({ connectionString: t.target.url, application_name: 'other-agent' });
    await other.connect();
    await other.query('BEGIN');
    await other.query('UPDATE contacts SET name = name');

    const err = await migrateToLatest(handle.db, silentLogger, { lockTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect((err as Error).message).toMatch(/migration 0006_email_domain_index waited .* \(session \d+ \(other-agent, idle in transaction since/);
    expect((err as DatabaseUnavailableError).hint).toMatch(/Ask again once that transaction ends/);
    const applied = (await migratorFor(handle.db).getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
    expect(applied.at(-1)).toBe('0005_pending_list_per_session');
    // The wait limit was put back to the session's own for the pool's next user of that connection.
    const { rows } = await sql<{ lock_timeout: string }>`SHOW lock_timeout`.execute(handle.db);
    expect(rows[0]!.lock_timeout).toBe('20s');

    await other.query('COMMIT');
    await migrateToLatest(handle.db, silentLogger, { lockTimeoutMs: 300 });
    expect((await migratorFor(handle.db).getMigrations()).every((m) => m.executedAt)).toBe(true);
  });
});
