import { type Kysely, sql } from 'kysely';

// The trigram index's pending-list size moves from the index to the session (the
// `gin_pending_list_limit` setting; an index's own value would override any session's). Sessions
// keep it small, as 0002 did; a sync writing a large account raises it for its own transactions,
// so new documents reach the index in big sorted batches, and flushes the list when done.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX contact_search_doc_trgm RESET (gin_pending_list_limit)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX contact_search_doc_trgm SET (gin_pending_list_limit = 256)`.execute(db);
}
