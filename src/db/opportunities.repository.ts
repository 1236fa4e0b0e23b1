import { type Kysely, sql } from 'kysely';
import type { GhlOpportunity, GhlPipeline } from '../ghl/types.js';
import type { Database } from './database.js';
import { stamp, stampedAt } from './sync-state.repository.js';

const MIRRORED_AT = 'opportunities_mirrored_at';
/** Arbitrary but fixed, like the sync lock's (advisory-lock.ts), and distinct from it. */
const MIRROR_LOCK_KEY = 4_151_777_002;
const BATCH = 500;

/**
 * Replaces the opportunity mirror with a complete read (the API has no "changed since", so every
 * refresh is a full re-page). Opportunities missing from a complete read are gone from GHL.
 */
export async function replaceOpportunityMirror(db: Kysely<Database>, read: { pipelines: GhlPipeline[]; opportunities: GhlOpportunity[] }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // One replacement at a time (two processes, or a digest and a sync): the second would insert
    // rows the first has just committed.
    await sql`SELECT pg_advisory_xact_lock(${MIRROR_LOCK_KEY})`.execute(trx);
    // Rows that did not change are left alone: a refresh rewrites only what GHL changed, so an
    // embedded brain (no autovacuum) does not grow by the whole mirror at every refresh.
    const pipelineIds = read.pipelines.map((p) => p.id);
    await trx.deleteFrom('pipelines').where(sql<boolean>`NOT (id = any(${pipelineIds}::text[]))`).execute();
    if (read.pipelines.length) {
      await trx
        .insertInto('pipelines')
        .values(read.pipelines.map((p) => ({ id: p.id, name: p.name, stages: JSON.stringify(p.stages), data: JSON.stringify(p.raw) })))
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ name: sql`excluded.name`, stages: sql`excluded.stages`, data: sql`excluded.data`, synced_at: sql`now()` })
            .where(sql<boolean>`(pipelines.name, pipelines.stages, pipelines.data) IS DISTINCT FROM (excluded.name, excluded.stages, excluded.data)`),
        )
        .execute();
    }
    const opportunityIds = read.opportunities.map((o) => o.id);
    await trx.deleteFrom('opportunities').where(sql<boolean>`NOT (id = any(${opportunityIds}::text[]))`).execute();
    for (let i = 0; i < read.opportunities.length; i += BATCH) {
      await trx
        .insertInto('opportunities')
        .values(
          read.opportunities.slice(i, i + BATCH).map((o) => ({
            id: o.id,
            pipeline_id: o.pipelineId,
            stage_id: o.stageId,
            contact_id: o.contactId,
            name: o.name,
            status: o.status,
            monetary_value: o.monetaryValue,
            last_status_change_at: o.lastStatusChangeAt,
            last_stage_change_at: o.lastStageChangeAt,
            created_at: o.createdAt,
            updated_at: o.updatedAt,
            data: JSON.stringify(o.raw),
          })),
        )
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({
              pipeline_id: sql`excluded.pipeline_id`,
              stage_id: sql`excluded.stage_id`,
              contact_id: sql`excluded.contact_id`,
              name: sql`excluded.name`,
              status: sql`excluded.status`,
              monetary_value: sql`excluded.monetary_value`,
              last_status_change_at: sql`excluded.last_status_change_at`,
              last_stage_change_at: sql`excluded.last_stage_change_at`,
              created_at: sql`excluded.created_at`,
              updated_at: sql`excluded.updated_at`,
              data: sql`excluded.data`,
              synced_at: sql`now()`,
            })
            .where(sql<boolean>`opportunities.data IS DISTINCT FROM excluded.data`),
        )
        .execute();
    }
    await stamp(trx, MIRRORED_AT);
  });
}

/** When the opportunity mirror was last refreshed, or null if never. */
export function opportunityMirrorAge(db: Kysely<Database>): Promise<Date | null> {
  return stampedAt(db, MIRRORED_AT);
}

/** The mirror in the same shapes the live read produces. */
export async function readOpportunityMirror(db: Kysely<Database>): Promise<{ pipelines: GhlPipeline[]; opportunities: GhlOpportunity[] }> {
  const [pipelines, opportunities] = await Promise.all([
    db.selectFrom('pipelines').selectAll().orderBy('name').execute(),
    db.selectFrom('opportunities').selectAll().execute(),
  ]);
  return {
    pipelines: pipelines.map((p) => ({ id: p.id, name: p.name, stages: p.stages.map((s, i) => ({ ...s, position: s.position ?? i })), raw: p.data })),
    opportunities: opportunities.map((o) => ({
      id: o.id,
      name: o.name,
      pipelineId: o.pipeline_id,
      stageId: o.stage_id,
      contactId: o.contact_id,
      contactName: typeof (o.data.contact as { name?: unknown } | undefined)?.name === 'string' ? ((o.data.contact as { name: string }).name) : null,
      status: o.status as GhlOpportunity['status'],
      monetaryValue: Number(o.monetary_value),
      lastStatusChangeAt: o.last_status_change_at?.toISOString() ?? null,
      lastStageChangeAt: o.last_stage_change_at?.toISOString() ?? null,
      createdAt: o.created_at?.toISOString() ?? null,
      updatedAt: o.updated_at?.toISOString() ?? null,
      raw: o.data,
    })),
  };
}

export async function opportunitiesForContact(db: Kysely<Database>, contactId: string) {
  return db
    .selectFrom('opportunities as o')
    .leftJoin('pipelines as p', 'p.id', 'o.pipeline_id')
    .select(['o.id', 'o.name', 'o.status', 'o.monetary_value', 'o.pipeline_id', 'p.name as pipeline_name', 'o.stage_id', 'p.stages', 'o.last_stage_change_at', 'o.updated_at'])
    .where('o.contact_id', '=', contactId)
    .orderBy('o.updated_at', 'desc')
    .execute();
}
