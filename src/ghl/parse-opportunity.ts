import { storableTime } from './parse-contact.js';
import { makeStorable } from './storable-text.js';
import type { GhlOpportunity, GhlPipeline, OpportunityStatus } from './types.js';

const STATUSES = new Set<OpportunityStatus>(['open', 'won', 'lost', 'abandoned']);

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
/**
 * Read as a contact's times are (epoch seconds or milliseconds, zoneless text as UTC); a time the
 * brain cannot hold (a year past 9999) is left out, or the whole mirror's write would fail.
 */
const iso = (v: unknown): string | null => {
  const t = storableTime(v);
  return t && 'iso' in t ? t.iso : null;
};

/** One opportunity (v1 or v2 shape); a record without id, pipeline or a known status is reported, not stored. */
export function parseOpportunity(input: unknown): Parsed<GhlOpportunity> {
  if (!input || typeof input !== 'object') return { ok: false, problem: 'skipped an opportunity that is not an object' };
  const r = input as Record<string, unknown>;
  // Few records, so every one is checked (see storable-text).
  makeStorable(r);
  const id = text(r.id);
  const pipelineId = text(r.pipelineId);
  const status = text(r.status)?.toLowerCase() as OpportunityStatus | undefined;
  if (!id || !pipelineId || !status || !STATUSES.has(status)) {
    return { ok: false, problem: `skipped opportunity ${JSON.stringify(r.id ?? null)}: missing id, pipelineId or a known status` };
  }
  const contact = (r.contact && typeof r.contact === 'object' ? r.contact : {}) as Record<string, unknown>;
  const value = typeof r.monetaryValue === 'number' ? r.monetaryValue : Number(r.monetaryValue ?? 0);
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k !== 'sort' && k !== 'traceId') raw[k] = v;
  return {
    ok: true,
    value: {
      id,
      name: text(r.name),
      pipelineId,
      stageId: text(r.pipelineStageId),
      contactId: text(r.contactId) ?? text(contact.id),
      contactName: text(contact.name) ?? text(r.contactName),
      status,
      monetaryValue: Number.isFinite(value) ? value : 0,
      lastStatusChangeAt: iso(r.lastStatusChangeAt),
      lastStageChangeAt: iso(r.lastStageChangeAt),
      createdAt: iso(r.createdAt ?? r.dateAdded),
      updatedAt: iso(r.updatedAt),
      raw,
    },
  };
}

export function parsePipeline(input: unknown): Parsed<GhlPipeline> {
  if (!input || typeof input !== 'object') return { ok: false, problem: 'skipped a pipeline that is not an object' };
  const r = input as Record<string, unknown>;
  const id = text(r.id);
  if (!id) return { ok: false, problem: 'skipped a pipeline without an id' };
  const stages = (Array.isArray(r.stages) ? r.stages : [])
    .map((s, i) => {
      const st = (s ?? {}) as Record<string, unknown>;
      const sid = text(st.id);
      return sid ? { id: sid, name: text(st.name) ?? sid, position: typeof st.position === 'number' ? st.position : i } : null;
    })
    .filter((s): s is GhlPipeline['stages'][number] => s !== null)
    .sort((a, b) => a.position - b.position);
  return { ok: true, value: { id, name: text(r.name) ?? id, stages, raw: r } };
}
