import { type Kysely, type RawBuilder, sql } from 'kysely';
import { storedSearchRows } from './contact-context.repository.js';
import { writeSearchRows } from './contact-sync.repository.js';
import type { Database } from './database.js';

const BATCH = 500;

/**
 * Writes again the search rows of the live contacts a condition picks, from what the brain holds
 * (the record's columns, nicknames, saved context). For when the way words are normalised
 * changes: a sync rewrites a contact's rows only when GHL changes it, so those rows would keep
 * the old words and stop matching queries normalised the new way. Returns how many it rewrote.
 */
export async function rederiveSearchRows(
  db: Kysely<Database>,
  picks: (contact: RawBuilder<unknown>, context: RawBuilder<unknown>) => RawBuilder<boolean>,
  o: { onlyStale?: boolean } = {},
): Promise<number> {
  let after = '';
  let written = 0;
  for (;;) {
    const { rows } = await sql<{
      id: string; name: string | null; company_name: string | null; email: string | null; phone: string | null; type: string | null;
      tags: string[]; date_added: Date | null; last_activity_at: Date | null;
      nicknames: string[] | null; manual_nicknames: string[] | null; importance_override: number | null;
      stored_doc: string | null; stored_name: string | null; stored_company: string | null; stored_nicknames: string[] | null;
    }>`
      SELECT c.id, c.name, c.company_name, c.email, c.phone, c.type, c.tags, c.date_added, c.last_activity_at,
             ctx.nicknames, ctx.manual_nicknames, ctx.importance_override,
             s.doc AS stored_doc, s.name_norm AS stored_name, s.company_norm AS stored_company, s.nicknames_norm AS stored_nicknames
      FROM contacts c LEFT JOIN contact_context ctx ON ctx.contact_id = c.id LEFT JOIN contact_search s ON s.contact_id = c.id
      WHERE c.deleted_at IS NULL AND c.id > ${after} AND ${picks(sql`c`, sql`ctx`)}
      ORDER BY c.id LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) return written;
    const derived = rows.map((r) => ({ r, rows: storedSearchRows(r, r) }));
    const stale = o.onlyStale
      ? derived.filter(({ r, rows: d }) =>
          r.stored_doc !== d.search.doc || r.stored_name !== (d.search.name_norm ?? '') || r.stored_company !== (d.search.company_norm ?? '') ||
          JSON.stringify(r.stored_nicknames ?? []) !== JSON.stringify(d.search.nicknames_norm ?? []))
      : derived;
    await writeSearchRows(db, stale.map((d) => d.rows));
    written += stale.length;
    after = rows.at(-1)!.id;
  }
}

/**
 * Text an earlier version normalised differently: letters Unicode does not decompose (written as
 * their plain form since migration 0009, Łukasz → lukasz) and letters of other scripts (kept since
 * migration 0011, Иван → иван) are all beyond ASCII; plain ASCII text has always read the same.
 */
const BEYOND_ASCII = '[^[:ascii:]]';

/**
 * Writes again the search rows, holding text beyond ASCII, that do not read as this version writes
 * them. Migrations 0009 and 0011 set them right once; a server of an earlier version still running
 * on the brain afterwards (a client not yet restarted) writes them its way again whenever it syncs
 * such a contact, and a sync of this version counts that contact unchanged. Returns how many it rewrote.
 */
export function repairEarlierVersionRows(db: Kysely<Database>): Promise<number> {
  return rederiveSearchRows(
    db,
    (c, ctx) => sql<boolean>`concat_ws(' ', ${c}.name, ${c}.company_name, ${c}.email, array_to_string(${c}.tags, ' '),
      array_to_string(${ctx}.nicknames, ' '), array_to_string(${ctx}.manual_nicknames, ' ')) ~ ${BEYOND_ASCII}`,
    { onlyStale: true },
  );
}
