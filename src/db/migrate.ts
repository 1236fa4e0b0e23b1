import { type Kysely, type MigrationResultSet, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { DatabaseUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { VERSION } from '../version.js';
import { isConnectionLost } from './connection-lost.js';
import { vacuumAfterSync } from './maintenance.js';
import { isLockTimeout, sessionsInTheWay } from './lock-holders.js';

/**
 * Applies every pending migration. Kysely takes a database-level lock first, so two processes
 * starting together (Desktop sometimes spawns the server twice) apply each migration once.
 */
export async function migrateToLatest(db: Kysely<any>, log: Logger, o: { vacuumAfterUpgrade?: boolean; lockTimeoutMs?: number } = {}): Promise<MigrationResultSet> {
  const schema = await brainSchema(db);
  const result = o.lockTimeoutMs ? await migrateWithLockTimeout(db, o.lockTimeoutMs, schema) : await migratorFor(db, schema).migrateToLatest();
  if (result.error && isLockTimeout(result.error)) throw await lockedOut(db, result, o.lockTimeoutMs ?? 0);
  for (const r of result.results ?? []) {
    if (r.status === 'Success') log.info(`applied migration ${r.migrationName}`);
    else if (r.status === 'Error') log.error(`migration ${r.migrationName} failed`);
  }
  if (result.error) {
    throw (
      newerBrain(result.error) ??
      (await notPermitted(db, result)) ??
      (await foreignTables(db, result)) ??
      failedMigration(result) ??
      (result.error instanceof Error ? result.error : new Error(String(result.error)))
    );
  }
  // A migration that rewrites rows of an existing brain leaves the old versions behind; PGlite has
  // no autovacuum to reclaim them, so the caller asks for it there (a new brain has nothing to reclaim).
  const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (o.vacuumAfterUpgrade && applied.length && !applied.includes('0001_initial')) {
    await vacuumAfterSync(db).catch((err: unknown) => log.warn('could not vacuum after migrating', { error: err instanceof Error ? err.message : String(err) }));
  }
  return result;
}


/**
 * On a shared server another program may hold a transaction open on a table a migration must
 * alter (an agent's UPDATE not yet committed, a session idle in a transaction). Waiting for it
 * without limit hangs every tool of this server and queues every other writer of that table
 * behind the migration; so a migration waits `ms` at most, on its own connection. (Processes
 * starting together still queue for Kysely's migration lock, which sets its own wait.)
 */
async function migrateWithLockTimeout(db: Kysely<any>, ms: number, schema: string | undefined): Promise<MigrationResultSet> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT set_config('lock_timeout', ${`${Math.round(ms)}ms`}, false)`.execute(conn);
    try {
      return await migratorFor(conn, schema).migrateToLatest();
    } finally {
      await sql`RESET lock_timeout`.execute(conn).catch(() => {});
    }
  });
}

/** The migration gave up waiting for a lock: says which sessions are in the way. */
async function lockedOut(db: Kysely<any>, result: MigrationResultSet, ms: number): Promise<DatabaseUnavailableError> {
  const migration = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'a pending migration';
  const who = await sessionsInTheWay(db);
  return new DatabaseUnavailableError(
    `Cannot upgrade the brain to version ${VERSION} yet: migration ${migration} waited ${Math.round(ms / 1000)} s for a table another session has open in a transaction (${who}). Nothing was changed.`,
    'Ask again once that transaction ends (commit or roll back the session named; a session "idle in transaction" is often a forgotten psql or a stuck program)',
  );
}

/** The project's migrator (its migration list and bookkeeping tables), e.g. to stop at an older version. */
export function migratorFor(db: Kysely<any>, schema?: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'medtainer_migrations',
    migrationLockTableName: 'medtainer_migrations_lock',
    // Kysely looks for its table in every schema unless told which: a brain of another schema
    // (another role's) would be taken for this one's.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** The schema the brain's tables are created in and read from: the first of the session's search_path. */
async function brainSchema(db: Kysely<any>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * A migration that failed is a problem with the brain's schema, not with where it is: said so,
 * rather than sending the person to check DATABASE_URL. (PostgreSQL runs the migrations in one
 * transaction, so the brain is left as it was.)
 */
function failedMigration(result: MigrationResultSet): DatabaseUnavailableError | null {
  const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
  // A connection lost mid-migration says nothing about the schema (the caller says it was lost).
  if (!failed || isConnectionLost(result.error)) return null;
  const cause = result.error instanceof Error ? result.error.message : String(result.error);
  return new DatabaseUnavailableError(
    `Cannot upgrade the brain to version ${VERSION}: migration ${failed} failed: ${cause}. The brain was left as it was.`,
    'Run the version that last opened this brain, or point DATABASE_URL or MEDTAINER_DATA_DIR at a new brain (copy-context carries saved nicknames and notes over)',
  );
}

const INSUFFICIENT_PRIVILEGE = '42501';
const DUPLICATE_TABLE = '42P07';

/**
 * The role in DATABASE_URL may not create what the brain needs (PostgreSQL 15 no longer lets every
 * role create tables in `public`, and a managed server may keep extensions to its owner).
 */
async function notPermitted(db: Kysely<any>, result: MigrationResultSet): Promise<DatabaseUnavailableError | null> {
  if ((result.error as { code?: unknown } | undefined)?.code !== INSUFFICIENT_PRIVILEGE) return null;
  const cause = result.error instanceof Error ? result.error.message : String(result.error);
  const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
  if (failed && failed !== Object.keys(migrations)[0]) {
    // An upgrade of a brain another role made: only the tables' owner may alter them (or add
    // triggers to them), whatever this role may create in the schema.
    const { rows } = await sql<{ owner: string | null; me: string }>`
      SELECT (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'contacts' AND relkind = 'r' AND relnamespace = current_schema()::regnamespace) AS owner,
             current_user AS me`.execute(db).catch(() => ({ rows: [] as { owner: string | null; me: string }[] }));
    const owner = rows[0]?.owner;
    const me = rows[0]?.me;
    return new DatabaseUnavailableError(
      `Cannot upgrade the brain to version ${VERSION}: migration ${failed} failed: ${cause}. Its tables belong to ${owner ? `role ${owner}` : 'another role'}, and ${me ? `role ${me}` : 'this role'} may not change them. The brain was left as it was.`,
      `Run \`medtainer-mcp migrate\` once with the DATABASE_URL of ${owner ? `the tables' owner (${owner})` : "the tables' owner"} after each update that brings a migration; this role then works as before`,
    );
  }
  if (/extension/i.test(cause)) {
    return new DatabaseUnavailableError(
      `Cannot create the brain: ${cause}. Searching needs the pg_trgm extension, which this database role may not install.`,
      "Ask the database's owner to run CREATE EXTENSION pg_trgm; in this database (or to grant this role CREATE on the database), then start again",
    );
  }
  return new DatabaseUnavailableError(
    `Cannot create or upgrade the brain's tables: ${cause}. This database role may not change the schema.`,
    "Run `medtainer-mcp migrate` once with the owner's DATABASE_URL (this role then needs only SELECT, INSERT, UPDATE and DELETE on the tables), or have the owner run GRANT CREATE ON SCHEMA public TO this role",
  );
}

/**
 * The first migration meeting tables of the same names that no version of this product created
 * (the old system's `contacts`, say): its transaction left them alone, and the bookkeeping tables
 * the migrator made before it are removed again, so the database is as it was.
 */
async function foreignTables(db: Kysely<any>, result: MigrationResultSet): Promise<DatabaseUnavailableError | null> {
  const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
  if (failed !== Object.keys(migrations)[0] || (result.error as { code?: unknown } | undefined)?.code !== DUPLICATE_TABLE) return null;
  const cause = result.error instanceof Error ? result.error.message : String(result.error);
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM medtainer_migrations`.execute(trx);
    if (rows[0]?.n === 0) await sql`DROP TABLE medtainer_migrations, medtainer_migrations_lock`.execute(trx);
  }).catch(() => {});
  return new DatabaseUnavailableError(
    `Cannot create the brain here: ${cause}. This database already holds tables with the brain's names that medtainer-mcp did not create (an earlier system's, perhaps); they were left as they are.`,
    'Point DATABASE_URL at a new database of its own (CREATE DATABASE medtainer), or move the existing tables out of the public schema first',
  );
}

/** A brain a newer version has migrated: this one does not know its latest migration, and says so. */
function newerBrain(err: unknown): DatabaseUnavailableError | null {
  const missing = /previously executed migration (\S+) is missing/.exec(err instanceof Error ? err.message : String(err))?.[1];
  if (!missing) return null;
  return new DatabaseUnavailableError(
    `This brain was opened by a newer medtainer-mcp: it has migration ${missing}, which version ${VERSION} does not know.`,
    'Run the newer version (npx -y medtainer-mcp@latest), or point DATABASE_URL or MEDTAINER_DATA_DIR at another brain',
  );
}
