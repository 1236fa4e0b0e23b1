import type { Kysely } from 'kysely';
import { type Config, loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { ToolDeps } from '../../src/tools/define-tool.js';
import type { TestDatabase } from './test-db.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ SYNC_ON_START: 'false', ...env }, { platform: 'linux', homedir: '/home/test' });
}

export function testDeps(tdb: TestDatabase, overrides: Partial<ToolDeps> & { env?: Record<string, string>; log?: Logger } = {}): ToolDeps {
  const { env, ...rest } = overrides;
  const db: Kysely<Database> = tdb.handle.db;
  return {
    db: async () => db,
    dbKind: () => tdb.handle.kind,
    config: testConfig(env),
    log: silentLogger,
    now: () => new Date(),
    ...rest,
  };
}
