import { z } from 'zod';
import { contactHistory, loadContext, recordViewed } from '../db/contact-context.repository.js';
import { opportunitiesForContact } from '../db/opportunities.repository.js';
import { defineTool } from './define-tool.js';
import { fenceUntrusted } from './render.js';
import { resolveContact } from './resolve-contact.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const getContact360 = defineTool({
  name: 'get_contact_360',
  title: 'Everything about one contact',
  description:
    'The whole picture of one contact from the brain (no API call): the full GoHighLevel record with custom fields, the ' +
    'nicknames, importance and notes people saved, what changed over time, and their deals. Pass contact_id, or a query ' +
    'that points at one person ("rachel from fresh headies", an email, a phone number); an ambiguous query returns the ' +
    'candidates to choose from. Viewing is recorded in the history.',
  inputSchema: z.object({
    contact_id: z.string().trim().min(1).max(128).optional().describe('The contact id (from search_contacts)'),
    query: z.string().trim().min(1).max(200).optional().describe('Words that identify one contact, if the id is not known'),
  }),
  outputSchema: z.object({
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
        record: z.record(z.string(), z.unknown()).describe('The full record as GoHighLevel sent it'),
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
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, deps) {
    const db = await deps.db();
    const now = deps.now();
    const c = await resolveContact(db, input, now);
    await recordViewed(db, c.id);
    const [ctx, history, opps] = await Promise.all([loadContext(db, c.id, now), contactHistory(db, c.id), opportunitiesForContact(db, c.id)]);
    const raw = c.data;
    const fields = (Array.isArray(raw.customFields) ? raw.customFields : Array.isArray(raw.customField) ? raw.customField : []) as Array<{ id: string; value: unknown }>;
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
        custom_fields: fields.filter((f) => f && typeof f.id === 'string').map((f) => ({ id: f.id, value: f.value ?? null })),
        record: raw,
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
  },
  render(o) {
    const c = o.contact;
    const lines = [
      `${c.name ?? '(no name)'}${c.company ? ` — ${c.company}` : ''}${c.deleted_at ? ' (deleted in GoHighLevel)' : ''} [${c.id}]`,
      `Email: ${c.email ?? '—'} · Phone: ${c.phone ?? '—'} · Type: ${c.type ?? '—'} · Tags: ${c.tags.join(', ') || '—'}`,
      `Importance ${o.context.importance}${o.context.importance_override !== null ? ` (set by hand; computed ${o.context.computed_importance})` : ''} · Last activity: ${c.last_activity_at ?? 'none recorded'} · Added: ${c.date_added ?? '—'}`,
      `Nicknames: ${o.context.nicknames.join(', ') || '—'}`,
      ...(c.custom_fields.length ? [`Custom fields: ${c.custom_fields.map((f) => `${f.id}=${JSON.stringify(f.value)}`).join('; ')}`] : []),
      ...(o.context.notes.length ? ['Notes:', ...o.context.notes.map((n) => `- ${n.at.slice(0, 10)}: ${n.text}`)] : []),
      ...(o.opportunities.length ? ['Deals:', ...o.opportunities.map((d) => `- ${d.name ?? d.id}: ${d.status}, $${d.monetary_value} (${d.pipeline ?? '?'} / ${d.stage ?? '?'})`)] : []),
      'History:',
      ...o.history.slice(0, 10).map((h) => `- ${h.at.slice(0, 16).replace('T', ' ')} ${h.kind}: ${h.summary}`),
    ];
    return fenceUntrusted(lines.join('\n'));
  },
});
