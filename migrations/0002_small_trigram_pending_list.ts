import { type Kysely, sql } from 'kysely';

// New rows reach a GIN index through its "pending list", which every trigram search scans in full
// and which occupies up to 4 MB until a flush. 256 kB keeps searches and a small brain's disk
// footprint lean; at 20,000 contacts per sync pass, bulk writes measured no slower.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX contact_search_doc_trgm SET (gin_pending_list_limit = 256)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX contact_search_doc_trgm RESET (gin_pending_list_limit)`.execute(db);
}
