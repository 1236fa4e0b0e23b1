import { z } from 'zod';
import { databaseSizeBytes } from '../db/connection.js';
import { countContacts, importanceDistribution } from '../db/contacts.repository.js';
import { consecutiveFailures, lastSuccessfulRun, latestFinishedRun, latestRun } from '../db/sync-runs.repository.js';
import { healthStatus, overdueReason } from '../sync/health.js';
import { defineTool } from './define-tool.js';
import { SyncRunDetailSchema, toSyncRunDetail } from './schemas.js';

const Output = z.object({
  total_contacts: z.number().int().describe('Contacts in the brain, excluding deleted ones'),
  deleted_contacts: z.number().int().describe('Contacts GHL confirmed deleted (kept, soft-deleted)'),
  last_sync: SyncRunDetailSchema.nullable(),
  last_successful_sync_at: z.string().nullable(),
  next_scheduled_sync_at: z.string().nullable(),
  importance_distribution: z
    .record(z.string(), z.number().int())
    .describe('Contacts per importance score: always the keys "1" to "10" (below 5 only through an importance override); they add up to total_contacts'),
  database: z.object({ kind: z.enum(['postgres', 'pglite']), size_bytes: z.number().int() }),
  health: z.object({
    status: z
      .enum(['ok', 'degraded', 'failing', 'never_synced'])
      .describe('degraded: the last run failed, the last good sync is overdue, or no sync can run in this server (see sync_unavailable); failing: three failed runs in a row'),
    consecutive_failures: z.number().int(),
    last_error: z.string().nullable(),
    overdue: z
      .string()
      .nullable()
      .describe('When the last good sync is older than the schedule allows (three planned runs missed): how old it is and how often a sync is expected. Null otherwise'),
    api_budget_remaining: z.number().int().nullable().describe('GHL daily requests left, as last reported by GHL'),
    sync_unavailable: z
      .string()
      .nullable()
      .describe('Why no sync can run in this server (GoHighLevel not configured: which setting is missing or wrong). Null when syncs can run'),
  }),
});

export const getSyncStats = defineTool({
  name: 'gohighlevel_get_sync_stats',
  title: 'Sync status and brain statistics',
  description:
    'Reports the state of the local contact brain and its GoHighLevel sync: how many contacts are stored, the last sync run ' +
    '(counts, errors, duration), when the last good sync finished and the next one is scheduled, importance distribution, ' +
    'database size and a health verdict. Reads only the local database (no GHL call). Use it to check freshness before ' +
    'answering from the brain, or when the person asks whether the sync works.',
  inputSchema: z.object({}),
  outputSchema: Output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(_input, deps) {
    const db = await deps.db();
    const now = deps.now();
    // A run whose process was killed would otherwise read as running until the next sync starts.
    await deps.sync?.settleOrphanedRun().catch((err: unknown) => deps.log.debug(`could not check the running sync's owner: ${String(err)}`));
    const [counts, dist, last, success, failures, size] = await Promise.all([
      countContacts(db),
      importanceDistribution(db, now),
      latestRun(db),
      lastSuccessfulRun(db),
      consecutiveFailures(db),
      databaseSizeBytes(db),
    ]);
    // A run under way (a retry after failures) says nothing yet: health is what the runs before it say.
    const finished = last?.status === 'running' ? await latestFinishedRun(db) : last;
    // Every score, so a client reads the same keys on every call and the counts add up to the total.
    const distribution: Record<string, number> = {};
    for (let score = 1; score <= 10; score++) distribution[String(score)] = dist.get(score) ?? 0;
    const next = deps.schedule?.nextRunAt(success?.finished_at ?? null) ?? null;
    const syncUnavailable = deps.config.demo ? null : deps.config.ghl.unavailableReason;
    const health = {
      lastSuccessAt: success?.finished_at ?? null,
      anyRunFinished: Boolean(finished),
      consecutiveFailures: failures,
      intervalMinutes: deps.config.sync.intervalMinutes,
      cron: deps.config.sync.cron,
      now,
      syncUnavailable: syncUnavailable !== null,
    };
    return {
      total_contacts: counts.total,
      deleted_contacts: counts.deleted,
      last_sync: last ? toSyncRunDetail(last, now) : null,
      last_successful_sync_at: success?.finished_at?.toISOString() ?? null,
      next_scheduled_sync_at: next ? next.toISOString() : null,
      importance_distribution: distribution,
      database: { kind: deps.dbKind(), size_bytes: size },
      health: {
        status: healthStatus(health),
        consecutive_failures: failures,
        last_error: finished?.status === 'failed' ? (finished.error ?? finished.errors[0] ?? 'unknown error') : null,
        overdue: overdueReason(health),
        api_budget_remaining: last?.api_budget_remaining ?? null,
        sync_unavailable: syncUnavailable,
      },
    };
  },
  render(o) {
    const lines = [
      `Brain: ${o.total_contacts} contacts (${o.deleted_contacts} deleted), ${o.database.kind}, ${(o.database.size_bytes / 1e6).toFixed(1)} MB.`,
      `Health: ${o.health.status}${healthWhy(o.health)}.`,
    ];
    if (o.last_sync) {
      const s = o.last_sync;
      lines.push(
        `Last sync #${s.run_id} (${s.mode}, ${s.trigger}) ${s.status} at ${s.finished_at ?? s.started_at}: ` +
          `${s.contacts_fetched} fetched, ${s.contacts_created} new, ${s.contacts_updated} updated, ${s.contacts_deleted} deleted, ` +
          `${s.api_requests} API requests, ${s.duration_ms} ms.`,
      );
    } else if (!o.health.sync_unavailable) lines.push('No sync has run yet: call gohighlevel_sync_all_contacts (from a terminal: npx medtainer-mcp sync).');
    // Offering a sync that can only fail sends the person round in circles: say what is missing instead.
    if (o.health.sync_unavailable)
      lines.push(
        `Syncs cannot run in this server: GoHighLevel is not configured (${o.health.sync_unavailable}). Set it in the server's environment ` +
          '(for Claude Desktop: the "env" block of claude_desktop_config.json) and restart.',
      );
    if (o.health.last_error) lines.push(`Last error: ${o.health.last_error}`);
    lines.push(`Next scheduled sync: ${o.next_scheduled_sync_at ?? (o.health.sync_unavailable ? 'none (GoHighLevel is not configured)' : 'none (schedule off)')}.`);
    return lines.join('\n');
  },
});

/** What made the verdict: failed runs in a row, an overdue last good sync, a server that cannot sync. */
function healthWhy(h: { status: string; consecutive_failures: number; overdue: string | null; sync_unavailable: string | null }): string {
  const cannotSync = h.sync_unavailable && h.status !== 'never_synced' ? 'no sync can run to refresh it' : null;
  const why = [h.consecutive_failures ? `${h.consecutive_failures} failed runs in a row` : null, h.overdue, cannotSync].filter(Boolean);
  return why.length ? ` (${why.join('; ')})` : '';
}
