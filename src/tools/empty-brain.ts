import type { Kysely } from 'kysely';
import { isBrainEmpty } from '../db/contacts.repository.js';
import type { Database } from '../db/database.js';
import { latestRun } from '../db/sync-runs.repository.js';
import { ToolError } from '../errors.js';
import type { ToolDeps } from './define-tool.js';

/**
 * A verdict from a brain that holds no contact at all (never synced, or GoHighLevel not
 * configured) is no verdict: "nobody needs follow-up" would read as a real all-clear. Says so, with
 * the next step. Does nothing when the brain holds contacts, or while a sync is filling it (the
 * first import: questions asked meanwhile are answered from what it has).
 */
export async function unlessBrainEmpty(db: Kysely<Database>, deps: ToolDeps): Promise<void> {
  if (!(await isBrainEmpty(db))) return;
  if ((await latestRun(db))?.status === 'running') return;
  const unavailable = deps.config.demo ? null : deps.config.ghl.unavailableReason;
  if (unavailable) {
    throw new ToolError(
      `The brain holds no contacts yet, so it cannot answer this: it has never synced, and cannot while GoHighLevel is not configured. ${unavailable}`,
      'Set it in the server\'s environment (for Claude Desktop: the "env" block of claude_desktop_config.json), restart, then run gohighlevel_sync_all_contacts.',
    );
  }
  throw new ToolError(
    'The brain holds no contacts yet (it has not synced with GoHighLevel), so it cannot answer this.',
    'Run gohighlevel_sync_all_contacts (gohighlevel_get_sync_stats shows whether a sync is already running), then ask again.',
  );
}
