import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { findRun } from '../db/sync-runs.repository.js';
import { ToolError } from '../errors.js';
import { type SyncHandle, SyncUnavailableError } from '../sync/engine.js';
import { startAsAsked } from '../sync/start-as-asked.js';
import { defineTool } from './define-tool.js';
import { SyncRunSchema, toSyncRunOutput } from './schemas.js';

export const syncAllContacts = defineTool({
  name: 'gohighlevel_sync_all_contacts',
  title: 'Sync contacts from GoHighLevel',
  description:
    'Copies GoHighLevel contacts into the local brain: "auto" reads only what changed since the last sync (a full pass the ' +
    'first time), "full" re-reads everything and detects deletions. Joins a sync already running instead of starting a second. ' +
    'Waits up to wait_seconds for the result, then returns status "running" with the run_id while the sync continues in the ' +
    'background (check gohighlevel_get_sync_stats later). A sync usually runs by itself on a schedule (every 15 minutes by ' +
    'default; gohighlevel_get_sync_stats says when the next one is, or that none is planned), so call this when the person ' +
    'asks for fresh data, the brain has never synced, or no sync is planned.',
  inputSchema: z.object({
    mode: z.enum(['auto', 'incremental', 'full']).default('auto').describe('"auto" (default): incremental, or full on the first sync, once a day and when GHL\'s count and the brain\'s move apart. "incremental": only what changed since the last good sync. "full": re-read everything and detect deletions'),
    wait_seconds: z.number().int().min(0).max(55).default(45).describe('How long to wait for the sync to finish before returning status "running"'),
  }),
  outputSchema: SyncRunSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  // The wait, then reading the run's row.
  answersWithinMs: ({ wait_seconds }) => wait_seconds * 1000 + 3_000,
  async handler({ mode, wait_seconds }, deps, ctx) {
    const engine = deps.sync;
    if (!engine) throw new ToolError('Syncing is not available in this process.');
    const startedAt = Date.now();
    let handle: SyncHandle;
    try {
      handle = await startAsAsked(engine, deps.db, deps.log, 'tool', mode, { waitMs: wait_seconds * 1000 });
    } catch (err) {
      if (err instanceof SyncUnavailableError) throw new ToolError(`Cannot sync: ${deps.config.ghl.unavailableReason ?? err.message}`, 'Set the variable in the server\'s environment (for Claude Desktop: the "env" block of claude_desktop_config.json) and restart the server.');
      throw err;
    }
    const stopListening = handle.onProgress((p) => {
      void ctx.progress({ progress: p.fetched, ...(p.total !== null ? { total: p.total } : {}), message: p.message }).catch(() => {});
    });
    const waited = new AbortController();
    try {
      const left = Math.max(0, wait_seconds * 1000 - (Date.now() - startedAt));
      // The client cancelling the call ends the wait, not the sync (nobody is reading the answer).
      const cancelled = new Promise<'cancelled'>((resolve) => {
        if (ctx.signal.aborted) resolve('cancelled');
        else ctx.signal.addEventListener('abort', () => resolve('cancelled'), { once: true, signal: waited.signal });
      });
      const row = await Promise.race([handle.done, sleep(left, null, { signal: waited.signal }), cancelled]);
      if (row === 'cancelled') throw new ToolError(`The call was cancelled; sync #${handle.currentRunId()} carries on in the background.`);
      // The run may have changed hands meanwhile (see SyncHandle.currentRunId).
      const runId = handle.currentRunId();
      const latest = row ?? (await findRun(await deps.db(), runId));
      if (!latest) throw new ToolError(`Sync run ${runId} disappeared.`);
      if (latest.status === 'failed') {
        throw new ToolError(
          `Sync #${latest.id} failed after reading ${latest.contacts_fetched} contacts: ${latest.error ?? 'unknown error'}`,
          'Nothing was deleted. Fix the cause above if it names one, then run the sync again; the brain keeps answering from what it has.',
          toSyncRunOutput(latest, deps.now()),
        );
      }
      return toSyncRunOutput(latest, deps.now());
    } finally {
      waited.abort();
      stopListening();
    }
  },
  render(o) {
    if (o.status === 'running') {
      return `Sync #${o.run_id} (${o.mode}) is still running: ${o.contacts_fetched} contacts read so far. It continues in the background; gohighlevel_get_sync_stats shows the result.`;
    }
    const head = `Sync #${o.run_id} (${o.mode}) ${o.status} in ${(o.duration_ms / 1000).toFixed(1)} s: ${o.contacts_fetched} contacts read, ${o.contacts_created} new, ${o.contacts_updated} updated, ${o.contacts_unchanged} unchanged, ${o.contacts_deleted} deleted, ${o.api_requests} API requests.`;
    return o.errors.length ? `${head}\nProblems:\n${o.errors.map((e) => `- ${e}`).join('\n')}` : head;
  },
});
