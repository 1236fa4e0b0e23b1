import type { App } from '../app.js';
import { isConnectionLost } from '../db/connection-lost.js';

/**
 * A command and the process sharing the embedded brain with it quitting at the same moment: the
 * statement in flight fails, the next reaches whoever takes the brain over (this process, maybe).
 */
export const HANDOVER_TRIES = 3;

/**
 * Runs a command's database work, and again (HANDOVER_TRIES in all) when it met the embedded
 * brain changing hands (the app's, or another embedded brain being read). `work` must be safe to repeat. A PostgreSQL server's lost connection is
 * not a hand-over: it is reported at once.
 */
export async function acrossHandOver<T>(app: App | 'embedded', work: () => Promise<T>): Promise<T> {
  const shared = app === 'embedded' || app.deps.config.database.kind === 'pglite';
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!shared || attempt >= HANDOVER_TRIES || !isConnectionLost(err)) throw err;
    }
  }
}
