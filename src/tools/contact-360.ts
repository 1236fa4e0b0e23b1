import type { Kysely } from 'kysely';
import { z } from 'zod';
import { contactHistory, loadContext } from '../db/contact-context.repository.js';
import type { ContactRow, Database } from '../db/database.js';
import { opportunitiesForContact } from '../db/opportunities.repository.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The whole picture of one contact, shared by get_contact_360 and the contact://{id} resource. */
export const Contact360 = z.object({
  contact: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      first_name: z.string().nullable(),
      last_name: z.string().nullable(),
      company: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      type: z.string().nullable(),
      source: z.string().nullable(),
      tags: z.array(z.string()),
      date_added: z.string().nullable(),
      date_updated: z.string().nullable(),
      last_activity_at: z.string().nullable(),
      deleted_at: z.string().nullable().describe('Set when GoHighLevel confirmed the contact deleted'),
      custom_fields: z.array(z.object({ id: z.string(), value: z.unknown() })),
      record: z
        .record(z.string(), z.unknown())
        .describe('The full record as GoHighLevel sent it, except its custom fields when custom_fields holds every one of them whole'),
    })
    .describe('The contact record'),
  context: z.object({
    nicknames: z.array(z.string()),
    manual_nicknames: z.array(z.string()),
    importance: z.number().int(),
    computed_importance: z.number().int(),
    importance_override: z.number().int().nullable(),
    notes: z.array(z.object({ at: z.string(), text: z.string() })),
  }),
  history: z.array(z.object({ at: z.string(), kind: z.string(), summary: z.string() })),
  opportunities: z.array(
    z.object({ id: z.string(), name: z.string().nullable(), status: z.string(), monetary_value: z.number(), pipeline: z.string().nullable(), stage: z.string().nullable(), last_stage_change_at: z.string().nullable() }),
  ),
});
export type Contact360Out = z.infer<typeof Contact360>;

export async function loadContact360(db: Kysely<Database>, c: ContactRow, now: Date): Promise<Contact360Out> {
  const [ctx, history, opps] = await Promise.all([loadContext(db, c.id, now), contactHistory(db, c.id), opportunitiesForContact(db, c.id)]);
  const raw = c.data;
  const key = Array.isArray(raw.customFields) ? 'customFields' : Array.isArray(raw.customField) ? 'customField' : null;
  const fields = (key ? raw[key] : []) as Array<{ id: string; value: unknown }>;
  const custom = fields.filter((f) => f && typeof f.id === 'string').map((f) => ({ id: f.id, value: f.value ?? null }));
  // GoHighLevel's custom fields are { id, value } and nothing else: when custom_fields holds them
  // all, the record leaves them out rather than carry every value twice (a contact with pages of
  // custom fields doubled the answer). Any entry of another shape keeps the record's list whole.
  const whole = key !== null && custom.length === fields.length && fields.every((f) => Object.keys(f).every((k) => k === 'id' || k === 'value'));
  const { [key ?? '']: _fields, ...withoutFields } = raw;
  return {
    contact: {
      id: c.id,
      name: c.name,
      first_name: c.first_name,
      last_name: c.last_name,
      company: c.company_name,
      email: c.email,
      phone: c.phone,
      type: c.type,
      source: c.source,
      tags: c.tags,
      date_added: iso(c.date_added),
      date_updated: iso(c.date_updated),
      last_activity_at: iso(c.last_activity_at),
      deleted_at: iso(c.deleted_at),
      custom_fields: custom,
      record: whole ? withoutFields : raw,
    },
    context: {
      nicknames: [...new Set([...ctx.nicknames, ...ctx.manualNicknames])],
      manual_nicknames: ctx.manualNicknames,
      importance: ctx.importanceOverride ?? ctx.computedImportance,
      computed_importance: ctx.computedImportance,
      importance_override: ctx.importanceOverride,
      notes: ctx.notes,
    },
    history: history.map((h) => ({ at: h.at.toISOString(), kind: h.kind, summary: h.summary })),
    opportunities: opps.map((o) => ({
      id: o.id,
      name: o.name,
      status: o.status,
      monetary_value: Number(o.monetary_value),
      pipeline: o.pipeline_name,
      stage: (o.stages ?? []).find((s) => s.id === o.stage_id)?.name ?? null,
      last_stage_change_at: iso(o.last_stage_change_at),
    })),
  };
}
