import { z } from 'zod';
import { type ContextOutcome, findContact, loadContext, saveContext } from '../db/contact-context.repository.js';
import { ToolError } from '../errors.js';
import { defineTool } from './define-tool.js';
import { storableText } from './schemas.js';
import { fenceUntrusted } from './render.js';

const Nickname = storableText(60);

export const saveContactContext = defineTool({
  name: 'save_contact_context',
  title: 'Remember something about a contact',
  description:
    'Saves what the person tells you about a contact in the brain: extra nicknames to find them by ("the jar guy"), a note, ' +
    'or an importance from 1 to 10 that replaces the computed one (null clears it). Saved context is never overwritten by ' +
    'a sync and does not change GoHighLevel. Get the contact_id from search_contacts or get_contact_360 first.',
  inputSchema: z.object({
    contact_id: storableText(128).describe('The contact id'),
    add_nicknames: z.array(Nickname).max(20).optional().describe('Nicknames to add'),
    remove_nicknames: z.array(Nickname).max(20).optional().describe('Nicknames saved earlier to remove'),
    note: storableText(2000).optional().describe('A note to add (kept with the date)'),
    importance_override: z.number().int().min(1).max(10).nullable().optional().describe('1–10 to fix the importance by hand; null to go back to the computed score'),
  }),
  outputSchema: z.object({
    contact_id: z.string(),
    saved: z.array(z.string()).describe('What was saved, in words (what changed)'),
    unchanged: z.array(z.string()).optional().describe('What was asked but already so: a nickname saved before, the importance it already had'),
    nicknames: z.array(z.string()),
    manual_nicknames: z.array(z.string()),
    notes_count: z.number().int(),
    importance: z.number().int(),
    importance_override: z.number().int().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, deps) {
    const add = input.add_nicknames ?? [];
    const remove = input.remove_nicknames ?? [];
    if (!add.length && !remove.length && !input.note && input.importance_override === undefined) {
      throw new ToolError('Nothing to save.', 'Pass add_nicknames, remove_nicknames, note or importance_override.');
    }
    // Both at once leaves it unclear what the person wants kept: asked, not guessed.
    const both = add.filter((n) => remove.some((r) => r.toLowerCase() === n.toLowerCase()));
    if (both.length) throw new ToolError(`${both.map((n) => `"${n}"`).join(', ')} is both in add_nicknames and in remove_nicknames. Nothing was changed.`, 'Pass each nickname in one of the two lists.');
    const db = await deps.db();
    const now = deps.now();
    const contact = await findContact(db, input.contact_id);
    if (!contact) throw new ToolError(`No contact has the id "${input.contact_id}".`, 'Find the id with search_contacts.');
    const before = await loadContext(db, contact.id, now);
    const auto = new Set(before.nicknames.map((n) => n.toLowerCase()));
    const manual = new Set(before.manualNicknames.map((n) => n.toLowerCase()));
    const notRemovable = remove.filter((n) => !manual.has(n.toLowerCase()));
    if (notRemovable.length) {
      const why = notRemovable.some((n) => auto.has(n.toLowerCase())) ? 'automatic nicknames come from the name and company and cannot be removed' : 'they were never saved';
      throw new ToolError(`Cannot remove ${notRemovable.map((n) => `"${n}"`).join(', ')}: ${why}. Nothing was changed.`, `Saved nicknames: ${before.manualNicknames.join(', ') || 'none'}.`);
    }
    // What the answer and the history say was saved is what changed: a nickname saved before, or
    // the importance it already had, is said as such (a model would otherwise report a change).
    const change = { addNicknames: add, removeNicknames: remove, note: input.note ?? null, importanceOverride: input.importance_override };
    const outcome = await saveContext(db, contact, change, (o) => `Context saved: ${savedWords(o).join('; ')}`, now);
    const saved = savedWords(outcome);
    const unchanged = [
      ...(outcome.alreadySaved.length ? [`nicknames already saved: ${outcome.alreadySaved.join(', ')}`] : []),
      ...(outcome.sameImportance ? [input.importance_override === null ? 'importance was already the computed one' : `importance was already set to ${input.importance_override}`] : []),
    ];
    const after = await loadContext(db, contact.id, now);
    return {
      contact_id: contact.id,
      saved,
      ...(unchanged.length ? { unchanged } : {}),
      nicknames: [...new Set([...after.nicknames, ...after.manualNicknames])],
      manual_nicknames: after.manualNicknames,
      notes_count: after.notes.length,
      importance: after.importanceOverride ?? after.computedImportance,
      importance_override: after.importanceOverride,
    };
  },
  render(o) {
    // The automatic nicknames come from names and companies, which anyone can write: fenced as data.
    const nicknames = o.nicknames.length ? `nicknames:\n${fenceUntrusted([o.nicknames.join(', ')])}` : 'no nicknames.';
    const what = [o.saved.length ? `Saved for ${o.contact_id}: ${o.saved.join('; ')}.` : `Nothing new to save for ${o.contact_id}.`, ...(o.unchanged?.length ? [`Already so: ${o.unchanged.join('; ')}.`] : [])].join(' ');
    return `${what} Importance now ${o.importance}${o.importance_override !== null ? ' (set by hand)' : ''}; ${o.notes_count} note(s); ${nicknames}`;
  },
});

/** What a save changed, in words, for the answer and the history. */
function savedWords(o: ContextOutcome): string[] {
  return [
    ...(o.added.length ? [`nicknames added: ${o.added.join(', ')}`] : []),
    ...(o.removed.length ? [`nicknames removed: ${o.removed.join(', ')}`] : []),
    ...(o.note ? ['a note'] : []),
    ...(o.importanceSet === undefined ? [] : o.importanceSet === null ? ['importance back to computed'] : [`importance set to ${o.importanceSet}`]),
  ];
}
