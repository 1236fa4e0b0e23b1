import type { App } from '../app.js';
import type { CliIo } from './io.js';

export async function migrateCommand(app: App, io: CliIo): Promise<number> {
  const handle = await app.database();
  io.err(`database is up to date (${handle.description})\n`);
  return 0;
}
