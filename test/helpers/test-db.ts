import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/config.js';
import { type DbHandle, openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/logger.js';

export type Engine = 'pglite' | 'postgres';

/**
 * The engines database tests run against: in-memory PGlite always, and a fresh database on a real
 * PostgreSQL server as well when TEST_DATABASE_URL is set (CI sets it). Use with describe.each.
 */
export function testEngines(): Engine[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  target: DatabaseTarget;
  handle: DbHandle;
  /** Closes the handle and drops the server-side database, if one was created. */
  dispose(): Promise<void>;
}

/** Creates an empty database of the engine under test; returns where it is. */
export async function createTestTarget(engine: Engine): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (engine === 'pglite') return { target: { kind: 'memory' }, drop: async () => {} };
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is needed for PostgreSQL tests');
  const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    drop: () => adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  const { target, drop } = await createTestTarget(engine);
  const handle = await openDatabase(target, silentLogger);
  await migrateToLatest(handle.db, silentLogger);
  return {
    target,
    handle,
    dispose: async () => {
      await handle.close();
      await drop();
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
