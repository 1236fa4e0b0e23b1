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
export async function rederiveSearchRows(db: Kysely<Database>, picks: (contact: RawBuilder<unknown>, context: RawBuilder<unknown>) => RawBuilder<boolean>): Promise<number> {
  let after = '';
  let written = 0;
  for (;;) {
    const { rows } = await sql<{
      id: string; name: string | null; company_name: string | null; email: string | null; phone: string | null; type: string | null;
      tags: string[]; date_added: Date | null; last_activity_at: Date | null;
      nicknames: string[] | null; manual_nicknames: string[] | null; importance_override: number | null;
    }>`
      SELECT c.id, c.name, c.company_name, c.email, c.phone, c.type, c.tags, c.date_added, c.last_activity_at,
             ctx.nicknames, ctx.manual_nicknames, ctx.importance_override
      FROM contacts c LEFT JOIN contact_context ctx ON ctx.contact_id = c.id
      WHERE c.deleted_at IS NULL AND c.id > ${after} AND ${picks(sql`c`, sql`ctx`)}
      ORDER BY c.id LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) return written;
    await writeSearchRows(db, rows.map((r) => storedSearchRows(r, r)));
    written += rows.length;
    after = rows.at(-1)!.id;
  }
}
