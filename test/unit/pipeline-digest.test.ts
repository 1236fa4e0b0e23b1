import { describe, expect, it } from 'vitest';
import { digestPipelines, selectPipelines } from '../../src/digest/pipeline-digest.js';
import type { GhlOpportunity, GhlPipeline } from '../../src/ghl/types.js';

const now = new Date('2026-06-30T00:00:00Z');
const ago = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
const pipelines: GhlPipeline[] = [
  { id: 'P1', name: 'Sales', stages: [{ id: 's1', name: 'New', position: 0 }, { id: 's2', name: 'Quote', position: 1 }], raw: {} },
  { id: 'P2', name: 'Wholesale', stages: [{ id: 'w1', name: 'Lead', position: 0 }], raw: {} },
];
let n = 0;
const opp = (o: Partial<GhlOpportunity>): GhlOpportunity => ({
  id: `o${++n}`, name: `Deal ${n}`, pipelineId: 'P1', stageId: 's1', contactId: null, contactName: 'Ana', status: 'open', monetaryValue: 100,
  lastStatusChangeAt: ago(1), lastStageChangeAt: ago(1), createdAt: ago(100), updatedAt: ago(1), raw: {}, ...o,
});

describe('digestPipelines', () => {
  const opps = [
    opp({ monetaryValue: 500, stageId: 's2', lastStageChangeAt: ago(20) }), // stale, biggest
    opp({ monetaryValue: 50, lastStageChangeAt: ago(40) }), // stale
    opp({ monetaryValue: 70 }), // fresh
    opp({ status: 'won', monetaryValue: 1000, lastStatusChangeAt: ago(5) }),
    opp({ status: 'won', monetaryValue: 9999, lastStatusChangeAt: ago(45) }), // outside 30 days
    opp({ status: 'lost', monetaryValue: 300, lastStatusChangeAt: ago(10) }),
    opp({ status: 'abandoned', lastStatusChangeAt: ago(2) }),
    opp({ pipelineId: 'P2', stageId: 'w1', monetaryValue: 10.555 }),
  ];

  it('sums open state, period outcomes, stages and stale deals per pipeline', () => {
    const [sales, wholesale] = digestPipelines(pipelines, opps, { now, staleDays: 14, periodDays: 30 });
    expect(sales).toMatchObject({ open_count: 3, open_value: 620, won_count: 1, won_value: 1000, lost_count: 1, lost_value: 300, abandoned_count: 1 });
    expect(sales!.stages).toEqual([
      { id: 's1', name: 'New', open_count: 2, open_value: 120 },
      { id: 's2', name: 'Quote', open_count: 1, open_value: 500 },
    ]);
    expect(sales!.stale.map((s) => [s.monetary_value, s.days_in_stage])).toEqual([[500, 20], [50, 40]]);
    expect(wholesale).toMatchObject({ open_count: 1, open_value: 10.56 });
  });

  it('counts every outcome with period_days 0', () => {
    const [sales] = digestPipelines(pipelines, opps, { now, staleDays: 14, periodDays: 0 });
    expect(sales).toMatchObject({ won_count: 2, won_value: 10999 });
  });

  it('keeps at most 10 stale deals', () => {
    const many = Array.from({ length: 15 }, (_, i) => opp({ monetaryValue: i, lastStageChangeAt: ago(30) }));
    expect(digestPipelines(pipelines, many, { now, staleDays: 14, periodDays: 30 })[0]!.stale).toHaveLength(10);
  });

  it('selects a pipeline by exact id or case-insensitive name', () => {
    expect(selectPipelines(pipelines, 'P2').map((p) => p.id)).toEqual(['P2']);
    expect(selectPipelines(pipelines, ' wholesale ').map((p) => p.id)).toEqual(['P2']);
    expect(selectPipelines(pipelines, 'p2')).toEqual([]);
    expect(selectPipelines(pipelines, undefined)).toHaveLength(2);
  });
});
