import type { App } from '../app.js';
import { SyncUnavailableError } from '../sync/engine.js';
import { syncAllContacts } from '../tools/sync-all-contacts.js';
import { toSyncRunOutput } from '../tools/schemas.js';
import type { CliIo } from './io.js';
import { createProgressReporter } from './progress-bar.js';

/** `medtainer-mcp sync [--full]`: one sync with a progress bar on stderr; exit 1 when it fails. */
export async function syncCommand(app: App, io: CliIo, options: { full: boolean }): Promise<number> {
  let handle;
  try {
    handle = await app.sync.start('cli', options.full ? 'full' : 'auto');
  } catch (err) {
    if (err instanceof SyncUnavailableError) {
      io.err(`Cannot sync: ${app.deps.config.ghl.unavailableReason ?? err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (handle.joined) io.err(`A sync is already running (run #${handle.runId}); following it.\n`);
  const bar = createProgressReporter(io.err, io.isTTY);
  const stop = handle.onProgress((p) => bar.update(p.fetched, p.total, 'contacts read'));
  const row = await handle.done;
  stop();
  bar.finish();
  const out = toSyncRunOutput(row, app.deps.now());
  if (out.status === 'failed') {
    io.err(`Sync #${out.run_id} failed: ${row.error ?? 'unknown error'}\n`);
    return 1;
  }
  io.out(`${syncAllContacts.render(out)}\n`);
  return 0;
}
