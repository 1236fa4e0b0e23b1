import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { DatabaseUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { VERSION } from '../version.js';
import { isConnectionLost } from './connection-lost.js';
import { vacuumAfterSync } from './maintenance.js';

/**
 * Applies every pending migration. Kysely takes a database-level lock first, so two processes
 * starting together (Desktop sometimes spawns the server twice) apply each migration once.
 */
export async function migrateToLatest(db: Kysely<any>, log: Logger, o: { vacuumAfterUpgrade?: boolean } = {}): Promise<MigrationResultSet> {
  const result = await migratorFor(db).migrateToLatest();
  for (const r of result.results ?? []) {
    if (r.status === 'Success') log.info(`applied migration ${r.migrationName}`);
    else if (r.status === 'Error') log.error(`migration ${r.migrationName} failed`);
  }
  if (result.error) throw newerBrain(result.error) ?? failedMigration(result) ?? (result.error instanceof Error ? result.error : new Error(String(result.error)));
  // A migration that rewrites rows of an existing brain leaves the old versions behind; PGlite has
  // no autovacuum to reclaim them, so the caller asks for it there (a new brain has nothing to reclaim).
  const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (o.vacuumAfterUpgrade && applied.length && !applied.includes('0001_initial')) {
    await vacuumAfterSync(db).catch((err: unknown) => log.warn('could not vacuum after migrating', { error: err instanceof Error ? err.message : String(err) }));
  }
  return result;
}

/** The project's migrator (its migration list and bookkeeping tables), e.g. to stop at an older version. */
export function migratorFor(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'medtainer_migrations',
    migrationLockTableName: 'medtainer_migrations_lock',
  });
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

/** A brain a newer version has migrated: this one does not know its latest migration, and says so. */
function newerBrain(err: unknown): DatabaseUnavailableError | null {
  const missing = /previously executed migration (\S+) is missing/.exec(err instanceof Error ? err.message : String(err))?.[1];
  if (!missing) return null;
  return new DatabaseUnavailableError(
    `This brain was opened by a newer medtainer-mcp: it has migration ${missing}, which version ${VERSION} does not know.`,
    'Run the newer version (npx -y medtainer-mcp@latest), or point DATABASE_URL or MEDTAINER_DATA_DIR at another brain',
  );
}
