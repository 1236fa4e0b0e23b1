import type { GhlOpportunity, GhlPipeline } from '../ghl/types.js';

export interface DigestOptions {
  now: Date;
  staleDays: number;
  /** 0 = all time. */
  periodDays: number;
  maxStale?: number;
}

export interface StageDigest {
  id: string;
  name: string;
  open_count: number;
  open_value: number;
}

export interface StaleDeal {
  id: string;
  name: string;
  contact_name: string | null;
  monetary_value: number;
  days_in_stage: number;
}

export interface PipelineDigest {
  id: string;
  name: string;
  open_count: number;
  open_value: number;
  won_count: number;
  won_value: number;
  lost_count: number;
  lost_value: number;
  abandoned_count: number;
  stages: StageDigest[];
  stale: StaleDeal[];
}

const DAY = 86_400_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Per pipeline: the open state over every opportunity, won/lost/abandoned whose status changed
 * within the period, and the open deals stuck in their stage longest, biggest first.
 */
export function digestPipelines(pipelines: readonly GhlPipeline[], opportunities: readonly GhlOpportunity[], o: DigestOptions): PipelineDigest[] {
  const since = o.periodDays > 0 ? o.now.getTime() - o.periodDays * DAY : -Infinity;
  const staleBefore = o.now.getTime() - o.staleDays * DAY;
  const byPipeline = new Map<string, GhlOpportunity[]>();
  for (const opp of opportunities) {
    const list = byPipeline.get(opp.pipelineId);
    if (list) list.push(opp);
    else byPipeline.set(opp.pipelineId, [opp]);
  }

  return pipelines.map((p) => {
    const opps = byPipeline.get(p.id) ?? [];
    const stages = new Map<string, StageDigest>(p.stages.map((s) => [s.id, { id: s.id, name: s.name, open_count: 0, open_value: 0 }]));
    const d: PipelineDigest = { id: p.id, name: p.name, open_count: 0, open_value: 0, won_count: 0, won_value: 0, lost_count: 0, lost_value: 0, abandoned_count: 0, stages: [], stale: [] };
    const stale: StaleDeal[] = [];
    for (const opp of opps) {
      if (opp.status === 'open') {
        d.open_count += 1;
        d.open_value += opp.monetaryValue;
        const stageId = opp.stageId ?? 'unknown';
        if (!stages.has(stageId)) stages.set(stageId, { id: stageId, name: '(stage not in pipeline)', open_count: 0, open_value: 0 });
        const st = stages.get(stageId)!;
        st.open_count += 1;
        st.open_value += opp.monetaryValue;
        const changed = Date.parse(opp.lastStageChangeAt ?? opp.createdAt ?? '');
        if (Number.isFinite(changed) && changed <= staleBefore) {
          stale.push({ id: opp.id, name: opp.name ?? opp.id, contact_name: opp.contactName, monetary_value: opp.monetaryValue, days_in_stage: Math.floor((o.now.getTime() - changed) / DAY) });
        }
        continue;
      }
      const changedAt = Date.parse(opp.lastStatusChangeAt ?? opp.updatedAt ?? '');
      if (!(Number.isFinite(changedAt) ? changedAt >= since : o.periodDays === 0)) continue;
      if (opp.status === 'won') {
        d.won_count += 1;
        d.won_value += opp.monetaryValue;
      } else if (opp.status === 'lost') {
        d.lost_count += 1;
        d.lost_value += opp.monetaryValue;
      } else d.abandoned_count += 1;
    }
    d.open_value = round2(d.open_value);
    d.won_value = round2(d.won_value);
    d.lost_value = round2(d.lost_value);
    d.stages = [...stages.values()].map((s) => ({ ...s, open_value: round2(s.open_value) }));
    d.stale = stale.sort((a, b) => b.monetary_value - a.monetary_value || b.days_in_stage - a.days_in_stage).slice(0, o.maxStale ?? 10);
    return d;
  });
}

/** Matches a pipeline by exact id or by name without regard to case. */
export function selectPipelines(pipelines: readonly GhlPipeline[], wanted: string | undefined): GhlPipeline[] {
  if (!wanted) return [...pipelines];
  const byId = pipelines.filter((p) => p.id === wanted);
  if (byId.length) return byId;
  const name = wanted.trim().toLowerCase();
  return pipelines.filter((p) => p.name.trim().toLowerCase() === name);
}
