import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { escapeLike } from './like.js';
import { normalizeText } from './normalize.js';
import type { SearchRequest } from './parse-query.js';

export interface DeletedMatch {
  id: string;
  name: string | null;
  company: string | null;
  email: string | null;
  deleted_at: Date;
}

/** How many of the most recently deleted contacts a name is looked for among: read whole, then compared in JavaScript. */
const DELETED_READ_FOR_NAMES = 5_000;

/**
 * Contacts GoHighLevel deleted (kept here, out of the search index) that a request names: by its
 * email, its phone number (whole, or its last seven or more digits, as a search matches one) or
 * every word of its name, company and saved nicknames. Asked only once nothing current matched,
 * so "no contact matches" is not said of someone the brain still remembers. It reads only the deleted rows
 * (contacts_deleted_idx holds just those). Their names are compared as the search documents
 * compare them (normalizeText: "rene" finds a deleted René), which the database cannot do, so
 * for a name the most recently deleted DELETED_READ_FOR_NAMES are read and compared here.
 */
export async function deletedContactsMatching(db: Kysely<Database>, req: SearchRequest, limit = 5): Promise<DeletedMatch[]> {
  const words = normalizeText(`${req.name ?? ''} ${req.company ?? ''}`).split(' ').filter(Boolean);
  const deleted = db
    .selectFrom('contacts')
    .select(['id', 'name', 'company_name as company', 'email', 'deleted_at'])
    .where('deleted_at', 'is not', null)
    .orderBy('deleted_at', 'desc');
  let rows: Array<{ id: string; name: string | null; company: string | null; email: string | null; deleted_at: Date | string | null }>;
  if (req.email) rows = await deleted.where(sql<SqlBool>`lower(email) = ${req.email}`).limit(limit).execute();
  else if (req.phone) {
    const national = req.phone.replace(/^0+/, '');
    const ending = national.length >= 7 ? sql<SqlBool>`phone_digits LIKE ${`%${escapeLike(national)}`}` : sql<SqlBool>`false`;
    rows = await deleted.where(sql<SqlBool>`(phone_digits = ${req.phone} OR ${ending})`).limit(limit).execute();
  } else if (words.length) {
    // With the nicknames people saved ("the boss"): the context outlives the deletion, and a search
    // of the living finds them by those too.
    const read = await deleted
      .leftJoin('contact_context as ctx', 'ctx.contact_id', 'contacts.id')
      .select('ctx.manual_nicknames')
      .limit(DELETED_READ_FOR_NAMES)
      .execute();
    rows = read
      .filter((r) => {
        const text = normalizeText(`${r.name ?? ''} ${r.company ?? ''} ${r.email ?? ''} ${(r.manual_nicknames ?? []).join(' ')}`);
        return words.every((w) => text.includes(w));
      })
      .map(({ manual_nicknames: _nicknames, ...r }) => r)
      .slice(0, limit);
  } else return [];
  return rows.map((r) => ({ ...r, deleted_at: new Date(r.deleted_at as Date | string) }));
}
