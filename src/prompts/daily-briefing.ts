import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { opportunityMirrorAge, readOpportunityMirror } from '../db/opportunities.repository.js';
import { lastSuccessfulRun } from '../db/sync-runs.repository.js';
import { digestPipelines, type StaleDeal } from '../digest/pipeline-digest.js';
import { searchContacts, type SearchHit } from '../search/search-contacts.js';
import type { ToolDeps } from '../tools/define-tool.js';
import { readInTime } from '../tools/no-answer.js';
import { DEMO_NOTICE } from '../tools/register.js';
import { fenceUntrusted } from '../tools/render.js';
import { localDate } from '../local-date.js';
import { tracked } from '../tools/in-flight.js';

const DAY = 86_400_000;
const LIST_LIMIT = 10;

export interface BriefingOptions {
  followUpDays: number;
  newLeadDays: number;
  staleDays: number;
}

export interface BriefingData {
  lastSyncAt: Date | null;
  followUps: { total: number; hits: SearchHit[] };
  newLeads: { total: number; hits: SearchHit[] };
  /** Null when no deals were ever mirrored (no full sync or digest yet). */
  staleDeals: { mirroredAt: Date; total: number; deals: Array<StaleDeal & { pipeline: string }> } | null;
}

/** Everything the briefing talks about, read from the brain only: a prompt must answer instantly. */
export async function gatherBriefing(deps: ToolDeps, o: BriefingOptions): Promise<BriefingData> {
  const db = await deps.db();
  const now = deps.now();
  const [lastRun, followUps, newLeads, mirroredAt] = await Promise.all([
    lastSuccessfulRun(db),
    searchContacts(db, { minImportance: 7, silentForDays: o.followUpDays, sort: 'importance' }, { now, limit: LIST_LIMIT }),
    searchContacts(db, { type: 'lead', addedSince: new Date(now.getTime() - o.newLeadDays * DAY), sort: 'recent' }, { now, limit: LIST_LIMIT }),
    opportunityMirrorAge(db),
  ]);
  let staleDeals: BriefingData['staleDeals'] = null;
  if (mirroredAt) {
    const mirror = await readOpportunityMirror(db);
    const digests = digestPipelines(mirror.pipelines, mirror.opportunities, { now, staleDays: o.staleDays, periodDays: 0, maxStale: Number.MAX_SAFE_INTEGER });
    const all = digests.flatMap((p) => p.stale.map((s) => ({ ...s, pipeline: p.name })));
    all.sort((a, b) => b.monetary_value - a.monetary_value || b.days_in_stage - a.days_in_stage);
    staleDeals = { mirroredAt, total: all.length, deals: all.slice(0, LIST_LIMIT) };
  }
  return { lastSyncAt: lastRun?.finished_at ?? null, followUps, newLeads, staleDeals };
}

const who = (h: SearchHit) => [h.name ?? '(no name)', h.company, h.phone ?? h.email].filter(Boolean).join(' · ');
const money = (n: number) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
const more = (total: number, shown: number) => (total > shown ? [`  …and ${total - shown} more`] : []);

export function renderBriefing(d: BriefingData, o: BriefingOptions, now: Date): string[] {
  const day = (iso: string | null) => (iso ? Math.floor((now.getTime() - Date.parse(iso)) / DAY) : null);
  const lines: string[] = [];
  lines.push(`Important contacts silent for ${o.followUpDays}+ days (${d.followUps.total}):`);
  if (!d.followUps.hits.length) lines.push('  none');
  for (const h of d.followUps.hits) {
    const silent = day(h.last_activity_at);
    lines.push(`  - ${who(h)} — importance ${h.importance}, ${silent === null ? 'no activity recorded' : `silent ${silent} days`} [${h.id}]`);
  }
  lines.push(...more(d.followUps.total, d.followUps.hits.length));
  lines.push(`New leads, last ${o.newLeadDays} days (${d.newLeads.total}):`);
  if (!d.newLeads.hits.length) lines.push('  none');
  for (const h of d.newLeads.hits) lines.push(`  - ${who(h)} — added ${h.date_added ? localDate(new Date(h.date_added)) : '?'}${h.tags.length ? `, tags ${h.tags.join(', ')}` : ''} [${h.id}]`);
  lines.push(...more(d.newLeads.total, d.newLeads.hits.length));
  if (!d.staleDeals) {
    lines.push('Stale deals: no deals in the brain yet (they arrive with a full sync, or call gohighlevel_pipeline_digest).');
  } else {
    lines.push(`Open deals with no stage change for ${o.staleDays}+ days (${d.staleDeals.total}; deals as of ${d.staleDeals.mirroredAt.toISOString()}):`);
    if (!d.staleDeals.deals.length) lines.push('  none');
    for (const s of d.staleDeals.deals) lines.push(`  - ${s.name} (${s.pipeline}) ${money(s.monetary_value)}, ${s.days_in_stage} days in stage${s.contact_name ? `, contact ${s.contact_name}` : ''} [${s.id}]`);
    lines.push(...more(d.staleDeals.total, d.staleDeals.deals.length));
  }
  return lines;
}

const days = (what: string, fallback: number) =>
  z
    .string()
    .trim()
    // Empty is "not given": prompt forms send the fields a person left blank as "".
    .regex(/^(\d{1,4})?$/, 'a whole number of days, like 30')
    .optional()
    .describe(`${what} (days, default ${fallback})`);

export function registerDailyBriefingPrompt(server: McpServer, deps: ToolDeps): void {
  server.registerPrompt(
    'daily_briefing',
    {
      title: 'Daily briefing',
      description: 'Start the day: important contacts who need follow-up, new leads, and stale deals, from the brain.',
      argsSchema: {
        follow_up_days: days('Important contacts silent for at least', 30),
        new_lead_days: days('Leads added within', 7),
        stale_days: days('Open deals with no stage change for at least', 14),
      },
    },
    // Counted while it runs, like a tool call (a shutdown lets it answer).
    tracked(deps.inFlight, readInTime(deps, async (args) => {
      const num = (v: string | undefined, fallback: number) => Math.max(1, v === undefined || v === '' ? fallback : Number(v));
      const o: BriefingOptions = { followUpDays: num(args.follow_up_days, 30), newLeadDays: num(args.new_lead_days, 7), staleDays: num(args.stale_days, 14) };
      const now = deps.now();
      const data = await gatherBriefing(deps, o);
      const cannotSync = deps.config.demo ? null : deps.config.ghl.unavailableReason;
      const freshness = data.lastSyncAt
        ? `The brain last synced with GoHighLevel at ${data.lastSyncAt.toISOString()}.`
        : cannotSync
          ? `The brain has never synced with GoHighLevel, and cannot until it is configured (${cannotSync}): say so, and that the setting goes in the server's environment.`
          : 'The brain has never synced with GoHighLevel: say so, and offer to run gohighlevel_sync_all_contacts first.';
      const text = [
        ...(deps.config.demo ? [DEMO_NOTICE, ''] : []),
        `Give me my daily briefing for ${localDate(now)}, from my CRM brain. ${freshness}`,
        'Keep it short, in three parts: who to follow up with today and why, new leads to welcome, and stale deals to push. ' +
          'Suggest one concrete next step for each person or deal. Use get_contact_360 when you need more about someone, and ' +
          'gohighlevel_pipeline_digest for the live state of the deals.',
        '',
        fenceUntrusted(renderBriefing(data, o, now)),
      ].join('\n');
      return { description: 'Daily briefing from the CRM brain', messages: [{ role: 'user', content: { type: 'text', text } }] };
    })),
  );
}
