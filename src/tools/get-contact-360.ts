import { z } from 'zod';
import { recordViewed } from '../db/contact-context.repository.js';
import { Contact360, loadContact360 } from './contact-360.js';
import { defineTool } from './define-tool.js';
import { storableText } from './schemas.js';
import { fenceUntrusted } from './render.js';
import { resolveContact } from './resolve-contact.js';

/** The database refusing writes: no privilege (42501) or a read-only transaction / replica (25006). */
function refusedWrite(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '42501' || code === '25006';
}

export const getContact360 = defineTool({
  name: 'get_contact_360',
  title: 'Everything about one contact',
  description:
    'The whole picture of one contact from the brain (no API call): the full GoHighLevel record with custom fields, the ' +
    'nicknames, importance and notes people saved, what changed over time, and their deals. Pass contact_id, or a query ' +
    'that points at one person ("rachel from fresh headies", an email, a phone number); an ambiguous query returns the ' +
    'candidates to choose from. Viewing is recorded in the history.',
  inputSchema: z.object({
    contact_id: storableText(128).optional().describe('The contact id (from search_contacts)'),
    query: storableText(200).optional().describe('Words that identify one contact, if the id is not known'),
  }),
  outputSchema: Contact360,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, deps) {
    const db = await deps.db();
    const now = deps.now();
    const c = await resolveContact(db, input, now);
    try {
      await recordViewed(db, c.id);
    } catch (err) {
      // A reader on a read-only role or replica still gets the contact; only the view goes unrecorded.
      if (!refusedWrite(err)) throw err;
      deps.log.warn(`get_contact_360: the view of ${c.id} was not recorded`, { error: err instanceof Error ? err.message : String(err) });
    }
    return loadContact360(db, c, now);
  },
  render(o) {
    const c = o.contact;
    const lines = [
      `${c.name ?? '(no name)'}${c.company ? ` — ${c.company}` : ''}${c.deleted_at ? ' (deleted in GoHighLevel)' : ''} [${c.id}]`,
      `Email: ${c.email ?? '—'} · Phone: ${c.phone ?? '—'} · Type: ${c.type ?? '—'} · Tags: ${listed(c.tags, 'tags')}`,
      `Importance ${o.context.importance}${o.context.importance_override !== null ? ` (set by hand; computed ${o.context.computed_importance})` : ''} · Last activity: ${c.last_activity_at ?? 'none recorded'} · Added: ${c.date_added ?? '—'}`,
      `Nicknames: ${listed(o.context.nicknames, 'nicknames')}`,
      ...(o.opportunities.length ? ['Deals:', ...o.opportunities.map((d) => `- ${d.name ?? d.id}: ${d.status}, $${d.monetary_value} (${d.pipeline ?? '?'} / ${d.stage ?? '?'})`)] : []),
      'History:',
      ...o.history.slice(0, 10).map((h) => `- ${h.at.slice(0, 16).replace('T', ' ')} UTC ${h.kind}: ${h.summary}`),
    ];
    // The whole record is in the structured content (and contact://); the text is what a client
    // puts before the model, so a contact with pages of custom fields or notes must not fill its
    // context. Those come last, within what is left of the budget, whole lines only.
    const bulky = [
      ...(o.context.notes.length ? ['Notes:', ...o.context.notes.map((n) => `- ${n.at ? `${n.at.slice(0, 10)}: ` : ''}${clip(n.text, NOTE_CHARS)}`)] : []),
      ...(c.custom_fields.length ? ['Custom fields:', ...c.custom_fields.map((f) => `- ${f.id} = ${clip(JSON.stringify(f.value) ?? 'null', FIELD_CHARS)}`)] : []),
    ];
    let budget = TEXT_CHARS - lines.join('\n').length;
    let shown = 0;
    for (const line of bulky) {
      if (line.length + 1 > budget) break;
      budget -= line.length + 1;
      shown += 1;
    }
    lines.push(...bulky.slice(0, shown));
    if (shown < bulky.length) lines.push(`… ${bulky.length - shown} more lines of notes and custom fields: the structured result and contact://${c.id} hold all of them`);
    return fenceUntrusted(lines);
  },
});

/** Most of a tag or nickname list shown in the text (a contact can carry hundreds of tags); the rest is counted. */
const LIST_CHARS = 1_000;

function listed(items: readonly string[], what: string): string {
  if (!items.length) return '—';
  const shown: string[] = [];
  let length = 0;
  for (const item of items) {
    if (shown.length && length + item.length > LIST_CHARS) break;
    shown.push(clip(item, LIST_CHARS));
    length += item.length + 2;
  }
  return shown.join(', ') + (shown.length < items.length ? ` … and ${items.length - shown.length} more ${what} (all of them in the structured result)` : '');
}

/** Longest custom-field value and note shown whole in the text; longer ones are cut with their length said. */
const FIELD_CHARS = 300;
const NOTE_CHARS = 1_000;
/** The longest text answer: about 2,500 tokens. */
const TEXT_CHARS = 10_000;

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Not between the two halves of an emoji (a lone half cannot be stored or shown).
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return `${text.slice(0, cut)}… (${text.length - cut} more characters)`;
}
