import type { Kysely } from 'kysely';
import { findContact } from '../db/contact-context.repository.js';
import type { ContactRow, Database } from '../db/database.js';
import { ToolError } from '../errors.js';
import { deletedContactsMatching } from '../search/deleted-matches.js';
import { readQuery } from '../search/read-query.js';
import { searchContacts } from '../search/search-contacts.js';
import { deletedContactLine, fenceUntrusted } from './render.js';

/**
 * One contact from an id or a query. A query must point at one contact: a single hit, or an exact
 * match no other contact shares on an email, a phone number, or a name of two words or more
 * ("rachel from fresh headies" while a Rachelle works there too). Otherwise the candidates are
 * listed (the closest first), never guessed: "james" names James Rodriguez exactly and Joshua
 * St. James partly, and only the person asking knows which one they meant.
 */
export async function resolveContact(db: Kysely<Database>, input: { contact_id?: string; query?: string }, now: Date): Promise<ContactRow> {
  // Both at once: which one the caller meant is a guess (an id from another answer, a query about
  // someone else), and a confident answer about the wrong person is worse than asking.
  if (input.contact_id && input.query) throw new ToolError('Give either contact_id or query, not both.', 'Pass contact_id alone when you have the id; query alone to find the contact by words.');
  if (input.contact_id) {
    const c = await findContact(db, input.contact_id);
    if (!c) throw new ToolError(`No contact has the id "${input.contact_id}".`, 'Find the id with search_contacts, or pass `query` instead.');
    return c;
  }
  if (!input.query) throw new ToolError('Give either contact_id or query.', 'For example { "query": "rachel from fresh headies" }.');
  const request = await readQuery(db, input.query, now);
  const { hits, total } = await searchContacts(db, request, { now, limit: 6 });
  const named = `${request.name ?? ''} ${request.company ?? ''}`.trim().split(/\s+/).filter(Boolean).length;
  const exact = hits.filter((h) => h.score >= 1 && (h.matched_on === 'email' || h.matched_on === 'phone' || named >= 2));
  const chosen = total === 1 ? hits[0] : exact.length === 1 ? exact[0] : undefined;
  if (chosen) return (await findContact(db, chosen.id))!;
  if (total === 0) {
    // Someone GoHighLevel deleted is still in the brain: "no contact matches" would read as never known.
    const deleted = await deletedContactsMatching(db, request);
    if (deleted.length) {
      const list = deleted.map((d) => deletedContactLine({ ...d, deleted_at: d.deleted_at.toISOString() }));
      throw new ToolError(
        `No current contact matches "${input.query}"; ${deleted.length === 1 ? 'a contact deleted in GoHighLevel does' : 'contacts deleted in GoHighLevel do'}:\n${fenceUntrusted(list)}`,
        'Call get_contact_360 with that contact_id to see what the brain kept (notes, history, deals).',
      );
    }
    throw new ToolError(`No contact matches "${input.query}".`, 'Try search_contacts with fewer or different words, or check that the brain is synced.');
  }
  const list = hits.map((h) => `- ${[h.name ?? '(no name)', h.company, h.email].filter(Boolean).join(' · ')} [${h.id}]`);
  throw new ToolError(
    // Names and companies are anyone's text: fenced as data, like every other answer.
    `"${input.query}" matches ${total} contacts; which one?\n${fenceUntrusted(list)}${total > hits.length ? `\n…and ${total - hits.length} more` : ''}`,
    'Call get_contact_360 again with the contact_id of the right one.',
  );
}
