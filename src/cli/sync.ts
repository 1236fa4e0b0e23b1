import type { App } from '../app.js';
import { isConnectionLost, saysConnectionLost } from '../db/connection-lost.js';
import { SyncUnavailableError } from '../sync/engine.js';
import { startAsAsked } from '../sync/start-as-asked.js';
import { syncAllContacts } from '../tools/sync-all-contacts.js';
import { DEMO_NOTICE } from '../tools/register.js';
import { toSyncRunOutput } from '../tools/schemas.js';
import { HANDOVER_TRIES } from './handover.js';
import type { CliIo } from './io.js';
import { createProgressReporter } from './progress-bar.js';

/** `medtainer-mcp sync [--full]`: one sync with a progress bar on stderr; exit 1 when it fails. */
export async function syncCommand(app: App, io: CliIo, options: { full: boolean }): Promise<number> {
  const shared = app.deps.config.database.kind === 'pglite';
  for (let attempt = 1; ; attempt++) {
    const last = !shared || attempt === HANDOVER_TRIES;
    let handle;
    try {
      handle = await startAsAsked(app.sync, app.deps.db, app.deps.log, 'cli', options.full ? 'full' : 'auto', {
        waitMs: Number.POSITIVE_INFINITY,
        onWaiting: (runId) => io.err(`An incremental sync is running (run #${runId}); the full sync starts when it ends.\n`),
      });
    } catch (err) {
      if (err instanceof SyncUnavailableError) {
        io.err(`Cannot sync: ${app.deps.config.ghl.unavailableReason ?? err.message}\n`);
        return 1;
      }
      if (!last && isConnectionLost(err)) continue;
      throw err;
    }
    if (handle.joined) io.err(`A sync is already running (run #${handle.runId}); following it.\n`);
    const bar = createProgressReporter(io.err, io.isTTY);
    const stop = handle.onProgress((p) => bar.update(p.fetched, p.total, 'contacts read'));
    let row;
    try {
      row = await handle.done;
    } catch (err) {
      // Even the run's own row could not be written: the same hand-over.
      if (last || !isConnectionLost(err)) throw err;
      continue;
    } finally {
      stop();
      bar.finish();
    }
    const out = toSyncRunOutput(row, app.deps.now());
    if (out.status === 'failed' && !last && saysConnectionLost(row.error)) {
      io.err(`Sync #${out.run_id} lost the embedded database as it changed hands; syncing again.\n`);
      continue;
    }
    if (out.status === 'failed') {
      io.err(`Sync #${out.run_id} failed: ${row.error ?? 'unknown error'}\n`);
      return 1;
    }
    io.out(`${app.deps.config.demo ? `${DEMO_NOTICE}\n` : ''}${syncAllContacts.render(out)}\n`);
    return 0;
  }
}
