import type { Kysely } from 'kysely';
import type { Database, SyncTrigger } from '../db/database.js';
import { settledWithin } from '../deadline.js';
import { findRun } from '../db/sync-runs.repository.js';
import type { Logger } from '../logger.js';
import type { RequestedMode, SyncEngine, SyncHandle } from './engine.js';

export interface StartAsAskedOptions {
  /** How long to wait for a running incremental run before leaving the full one to start after it. */
  waitMs: number;
  /** Told when the full pass asked for has to wait for a run already going. */
  onWaiting?(runningId: number): void;
}

/**
 * Starts a sync, or joins the one running, as SyncEngine.start does; but a full pass asked for
 * (to find deletions, say) while an incremental one runs is not answered with that run: it
 * follows it. Within `waitMs` the handle returned is the full run's; past it, the running run's,
 * and the full one starts in the background when it ends. Every caller (the tool, the CLI) gets
 * the same answer to the same request.
 */
export async function startAsAsked(engine: SyncEngine, db: () => Promise<Kysely<Database>>, log: Logger, trigger: SyncTrigger, mode: RequestedMode, o: StartAsAskedOptions): Promise<SyncHandle> {
  const first = await engine.start(trigger, mode);
  if (!first.joined || mode !== 'full') return first;
  const joined = await findRun(await db(), first.runId);
  if (!joined || joined.mode === 'full') return first;
  o.onWaiting?.(first.runId);
  const next = () => engine.start(trigger, 'full');
  if (await settledWithin(first.done, o.waitMs)) return next().catch(() => first);
  void first.done.catch(() => null).then(next).catch((err: unknown) => log.warn('the full sync asked for after the running one did not start', { error: err instanceof Error ? err.message : String(err) }));
  return first;
}
