import { type Kysely, sql } from 'kysely';
import type { Database } from '../src/db/database.js';

/**
 * Bytes on disk per stored contact, for every table that grows with the contacts (the search
 * index and its words included), indexes and toast counted: in all and table by table.
 */
export async function storagePerContact(db: Kysely<Database>): Promise<{ total: number; byTable: Record<string, number> }> {
  const { rows } = await sql<{ name: string; bytes: string; n: string }>`
    SELECT t.name, pg_total_relation_size(t.name::regclass)::text AS bytes, (SELECT count(*) FROM contacts)::text AS n
    FROM unnest(ARRAY['contacts', 'contact_context', 'contact_search', 'contact_facts', 'search_terms', 'interaction_history']) AS t(name)`.execute(db);
  const contacts = Math.max(1, Number(rows[0]!.n));
  return {
    total: Math.round(rows.reduce((sum, r) => sum + Number(r.bytes), 0) / contacts),
    byTable: Object.fromEntries(rows.map((r) => [r.name, Math.round(Number(r.bytes) / contacts)])),
  };
}
