import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Logger } from '../logger.js';

/**
 * Applies every pending migration. Kysely takes a database-level lock first, so two processes
 * starting together (Desktop sometimes spawns the server twice) apply each migration once.
 */
export async function migrateToLatest(db: Kysely<any>, log: Logger): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'medtainer_migrations',
    migrationLockTableName: 'medtainer_migrations_lock',
  });
  const result = await migrator.migrateToLatest();
  for (const r of result.results ?? []) {
    if (r.status === 'Success') log.info(`applied migration ${r.migrationName}`);
    else if (r.status === 'Error') log.error(`migration ${r.migrationName} failed`);
  }
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}
