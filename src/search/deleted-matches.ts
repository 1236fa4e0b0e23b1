import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { containing } from './like.js';
import { normalizeText } from './normalize.js';
import type { SearchRequest } from './parse-query.js';

export interface DeletedMatch {
  id: string;
  name: string | null;
  company: string | null;
  email: string | null;
  deleted_at: Date;
}

/**
 * Contacts GoHighLevel deleted (kept here, out of the search index) that a request names: by its
 * email, its phone number or every word of its name and company. Asked only once nothing current
 * matched, so "no contact matches" is not said of someone the brain still remembers. It reads only
 * the deleted rows (contacts_deleted_idx holds just those). Names are compared in lower case
 * without removing accents: "rene" does not find a deleted René (the search documents, which do,
 * no longer hold deleted contacts).
 */
export async function deletedContactsMatching(db: Kysely<Database>, req: SearchRequest, limit = 5): Promise<DeletedMatch[]> {
  const words = normalizeText(`${req.name ?? ''} ${req.company ?? ''}`).split(' ').filter(Boolean);
  const conditions: Array<ReturnType<typeof sql<SqlBool>>> = [];
  if (req.email) conditions.push(sql<SqlBool>`lower(email) = ${req.email}`);
  else if (req.phone) conditions.push(sql<SqlBool>`phone_digits = ${req.phone}`);
  else if (words.length) {
    // Accents and case as the search documents drop them (normalizeText), near enough for a reminder.
    const text = sql`lower(coalesce(name, '') || ' ' || coalesce(company_name, '') || ' ' || coalesce(email, ''))`;
    conditions.push(...words.map((w) => sql<SqlBool>`${text} LIKE ${containing(w)}`));
  } else return [];
  const { rows } = await sql<DeletedMatch>`
    SELECT id, name, company_name AS company, email, deleted_at FROM contacts
    WHERE deleted_at IS NOT NULL AND ${sql.join(conditions, sql` AND `)}
    ORDER BY deleted_at DESC LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, deleted_at: new Date(r.deleted_at) }));
}
