import type { Kysely } from 'kysely';
import { findContact } from '../db/contact-context.repository.js';
import type { ContactRow, Database } from '../db/database.js';
import { ToolError } from '../errors.js';
import { parseQuery } from '../search/parse-query.js';
import { searchContacts } from '../search/search-contacts.js';

/**
 * One contact from an id or a query. A query must point at one contact: an exact match (email,
 * phone, nickname) that no other contact shares, or a single hit. Otherwise the candidates are
 * listed, never guessed.
 */
export async function resolveContact(db: Kysely<Database>, input: { contact_id?: string; query?: string }, now: Date): Promise<ContactRow> {
  if (input.contact_id) {
    const c = await findContact(db, input.contact_id);
    if (!c) throw new ToolError(`No contact has the id "${input.contact_id}".`, 'Find the id with search_contacts, or pass `query` instead.');
    return c;
  }
  if (!input.query) throw new ToolError('Give either contact_id or query.', 'For example { "query": "rachel from fresh headies" }.');
  const { hits, total } = await searchContacts(db, parseQuery(input.query, now), { now, limit: 6 });
  const exact = hits.filter((h) => h.score >= 1);
  const chosen = exact.length === 1 ? exact[0] : total === 1 ? hits[0] : undefined;
  if (chosen) return (await findContact(db, chosen.id))!;
  if (total === 0) throw new ToolError(`No contact matches "${input.query}".`, 'Try search_contacts with fewer or different words, or check that the brain is synced.');
  const list = hits.map((h) => `- ${[h.name ?? '(no name)', h.company, h.email].filter(Boolean).join(' · ')} [${h.id}]`).join('\n');
  throw new ToolError(
    `"${input.query}" matches ${total} contacts; which one?\n${list}${total > hits.length ? `\n…and ${total - hits.length} more` : ''}`,
    'Call get_contact_360 again with the contact_id of the right one.',
  );
}
