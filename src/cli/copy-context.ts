import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../app.js';
import { withHome } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { mergeSavedContext, readSavedContexts, type SavedContext } from '../db/context-transfer.repository.js';
import type { Logger } from '../logger.js';
import { acrossHandOver } from './handover.js';
import type { CliIo } from './io.js';

/**
 * `copy-context [--from DIR]`: brings what people saved (nicknames, notes, importance overrides
 * and their history) from an embedded brain into the configured database, typically after moving
 * to a PostgreSQL server. Contacts come from GoHighLevel with a sync, so that runs first.
 */
export async function copyContextCommand(app: App, io: CliIo, o: { from: string; log: Logger }): Promise<number> {
  // "--from=~/brain": no shell expands a ~ after "=", so it is read as MEDTAINER_DATA_DIR's is.
  const from = path.resolve(withHome(o.from, { platform: process.platform, homedir: os.homedir() }));
  const target = app.deps.config.database;
  if (target.kind === 'pglite' && path.resolve(target.dataDir) === from) {
    io.err(`The brain in ${from} is the one this command would copy into. Set DATABASE_URL to the new database (or MEDTAINER_DATA_DIR to another folder) and run it again.\n`);
    return 2;
  }
  if (!existsSync(path.join(from, 'PG_VERSION'))) {
    io.err(`No embedded database in ${from}. Name the folder the old brain lives in with --from (it was MEDTAINER_DATA_DIR).\n`);
    return 2;
  }

  const handle = await app.database();
  // Opened read-only in effect (only SELECTs); it may be held by a running server, which shares it.
  const source = await openDatabase({ kind: 'pglite', dataDir: from }, o.log);
  let saved: SavedContext[];
  try {
    saved = await acrossHandOver('embedded', () => readSavedContexts(source.db));
  } catch (err) {
    io.err(`Could not read saved context from ${from}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await source.close();
  }

  const outcome = { copied: 0, already_there: 0, contact_missing: 0, deleted_in_ghl: 0 };
  for (const s of saved) {
    // Each contact's merge is one transaction and finds what an earlier try already copied.
    const merged = await acrossHandOver(app, () => mergeSavedContext(handle.db, s));
    // No sync brings a contact GoHighLevel deleted: its context stays in the old brain, said once.
    outcome[merged === 'contact_missing' && s.deletedThere ? 'deleted_in_ghl' : merged] += 1;
  }

  io.err(`${saved.length} contacts with saved context in ${from}; into ${handle.description}: ${outcome.copied} copied, ${outcome.already_there} already there`);
  if (outcome.deleted_in_ghl) io.err(`, ${outcome.deleted_in_ghl} left in the old brain because those contacts are deleted in GoHighLevel`);
  if (outcome.contact_missing === 0) {
    io.err('.\n');
    return 0;
  }
  io.err(`, ${outcome.contact_missing} not copied because those contacts are not in this brain yet.\nRun \`medtainer-mcp sync --full\`, then this command again.\n`);
  return 1;
}
