import { z } from 'zod';
import { opportunityMirrorAge, readOpportunityMirror, replaceOpportunityMirror } from '../db/opportunities.repository.js';
import { digestPipelines, selectPipelines } from '../digest/pipeline-digest.js';
import { ToolError } from '../errors.js';
import { GhlError, GhlNetworkError, GhlRateLimitError, GhlResponseError } from '../ghl/errors.js';
import type { GhlOpportunity, GhlPipeline } from '../ghl/types.js';
import { defineTool, withLiveDeadline } from './define-tool.js';
import { storableText } from './schemas.js';
import { callGhl, requireGhl } from './ghl-access.js';
import { fenceUntrusted } from './render.js';

/** GHL could not answer now (as opposed to refusing the key): the mirror may stand in. */
function ghlUnreachable(err: unknown): boolean {
  return err instanceof GhlNetworkError || err instanceof GhlRateLimitError || err instanceof GhlResponseError || (err instanceof GhlError && (err.status ?? 0) >= 500);
}

/** A mirror refreshed this recently answers without spending API requests. */
const MIRROR_FRESH_MS = 10 * 60_000;

const Stage = z.object({ id: z.string(), name: z.string(), open_count: z.number().int(), open_value: z.number() });
const Stale = z.object({ id: z.string(), name: z.string(), contact_name: z.string().nullable(), monetary_value: z.number(), days_in_stage: z.number().int() });
const Pipeline = z.object({
  id: z.string(),
  name: z.string(),
  open_count: z.number().int(),
  open_value: z.number(),
  won_count: z.number().int(),
  won_value: z.number(),
  lost_count: z.number().int(),
  lost_value: z.number(),
  abandoned_count: z.number().int(),
  stages: z.array(Stage),
  stale: z.array(Stale).describe('Open deals with no stage change for stale_days, biggest first, at most 10'),
});

export const pipelineDigest = defineTool({
  name: 'gohighlevel_pipeline_digest',
  title: 'Sales pipeline digest',
  description:
    'Summarises the sales pipelines from every opportunity in GoHighLevel (all pages): open deals and their value per pipeline ' +
    'and stage, deals won / lost / abandoned within period_days, and stale open deals (no stage change for stale_days), ' +
    'biggest first. Reads GHL live, or the local opportunity mirror when it was refreshed in the last 10 minutes (unless fresh ' +
    'is true) or GHL cannot be reached; `source` and `mirrored_at` say which. Use it for "how is the pipeline", "what deals are stuck", "what did we win this month".',
  inputSchema: z.object({
    pipeline: storableText(200).optional().describe('A pipeline id, or its name (any case); all pipelines when omitted'),
    stale_days: z.number().int().min(1).max(3650).default(14).describe('An open deal with no stage change for this many days is stale'),
    period_days: z.number().int().min(0).max(3650).default(30).describe('Count won/lost/abandoned deals whose status changed in this many days; 0 = all time'),
    fresh: z.boolean().default(false).describe('true: read GoHighLevel now even if the local mirror is only minutes old (a deal just changed there)'),
  }),
  outputSchema: z.object({
    pipelines: z.array(Pipeline),
    totals: z.object({ open_count: z.number().int(), open_value: z.number(), won_value: z.number() }),
    period_days: z.number().int(),
    source: z.enum(['live', 'mirror']),
    mirrored_at: z.string().nullable().describe('When the local mirror answering was read from GHL (ISO time); null when live'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ pipeline, stale_days, period_days, fresh }, deps, ctx) {
    const db = await deps.db();
    const now = deps.now();
    let source: 'live' | 'mirror' = 'live';
    let data: { pipelines: GhlPipeline[]; opportunities: GhlOpportunity[] };
    // How old the mirror's figures are when it answers: a digest from yesterday's mirror must say so.
    let asOf: Date | null = null;
    const mirroredAt = await opportunityMirrorAge(db);
    if (!fresh && mirroredAt && now.getTime() - mirroredAt.getTime() < MIRROR_FRESH_MS) {
      source = 'mirror';
      asOf = mirroredAt;
      data = await readOpportunityMirror(db);
    } else {
      const ghl = requireGhl(deps);
      const read = await callGhl(() =>
        withLiveDeadline(deps, ctx, (signal) => ghl.readOpportunities(signal)).catch((err: unknown) => {
          // GHL unreachable (no answer, 5xx, rate limited): an older mirror is still better than
          // nothing, and the answer says so. A refused key is the person's to fix: said, not hidden.
          if (!mirroredAt || !ghlUnreachable(err)) throw err;
          deps.log.warn(`pipeline digest falls back to the mirror from ${mirroredAt.toISOString()}: ${(err as Error).message}`);
          return null;
        }),
      );
      if (read) {
        for (const p of read.problems) deps.log.warn(`pipeline digest: ${p}`);
        await replaceOpportunityMirror(db, read);
        data = read;
      } else {
        source = 'mirror';
        asOf = mirroredAt;
        data = await readOpportunityMirror(db);
      }
    }
    // By name, whichever source answers: GHL's own order is not kept in the mirror.
    const byName = [...data.pipelines].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
    const chosen = selectPipelines(byName, pipeline);
    if (pipeline && chosen.length === 0) {
      throw new ToolError(
        `No pipeline is called or has the id "${pipeline}".`,
        // Pipeline names are CRM text, fenced as data like every other answer.
        data.pipelines.length ? `Use one of these:\n${fenceUntrusted([data.pipelines.map((p) => `${p.name} (${p.id})`).join(', ')])}` : 'There are no pipelines in this location.',
      );
    }
    const pipelines = digestPipelines(chosen, data.opportunities, { now, staleDays: stale_days, periodDays: period_days });
    const sum = (f: (p: (typeof pipelines)[number]) => number) => Math.round(pipelines.reduce((a, p) => a + f(p), 0) * 100) / 100;
    return {
      pipelines,
      totals: { open_count: sum((p) => p.open_count), open_value: sum((p) => p.open_value), won_value: sum((p) => p.won_value) },
      period_days,
      source,
      mirrored_at: asOf ? asOf.toISOString() : null,
    };
  },
  render(o) {
    const money = (n: number) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
    const period = o.period_days === 0 ? 'all time' : `last ${o.period_days} days`;
    const from = o.mirrored_at ? `from the local mirror read from GoHighLevel at ${o.mirrored_at.slice(0, 16).replace('T', ' ')} UTC` : o.source === 'live' ? 'live from GoHighLevel' : 'from the local mirror';
    const lines = [`Pipeline digest (${from}): ${o.totals.open_count} open deals worth ${money(o.totals.open_value)}; won ${money(o.totals.won_value)} (${period}).`];
    for (const p of o.pipelines) {
      lines.push('', `${p.name}: ${p.open_count} open (${money(p.open_value)}), won ${p.won_count} (${money(p.won_value)}), lost ${p.lost_count} (${money(p.lost_value)}), abandoned ${p.abandoned_count}.`);
      for (const s of p.stages) lines.push(`  - ${s.name}: ${s.open_count} (${money(s.open_value)})`);
      if (p.stale.length) lines.push(`  Stale: ${p.stale.map((s) => `${s.name} ${money(s.monetary_value)}, ${s.days_in_stage} days`).join('; ')}`);
    }
    return fenceUntrusted(lines);
  },
});
