import { type Kysely, type RawBuilder, sql } from 'kysely';
import { buildSearchRows } from '../search/document.js';
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
    const searchRows = rows.map((r) =>
      buildSearchRows({
        id: r.id,
        name: r.name,
        companyName: r.company_name,
        email: r.email,
        phone: r.phone,
        type: r.type,
        tags: r.tags,
        dateAdded: r.date_added,
        lastActivityAt: r.last_activity_at,
        nicknames: r.nicknames ?? [],
        manualNicknames: r.manual_nicknames ?? [],
        importanceOverride: r.importance_override,
      }),
    );
    await writeSearchRows(db, searchRows);
    written += rows.length;
    after = rows.at(-1)!.id;
  }
}
