import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** PGlite runs no autovacuum: after a big sync, reclaim dead rows and refresh planner statistics. */
export async function vacuumAfterSync(db: Kysely<Database>): Promise<void> {
  await sql`VACUUM (ANALYZE) contacts, contact_context, contact_search, contact_facts, search_terms`.execute(db);
}
