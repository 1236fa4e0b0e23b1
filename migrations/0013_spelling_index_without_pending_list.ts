import { type Kysely, sql } from 'kysely';

// search_terms_trgm indexes the dictionary the spelling lookup reads: a few thousand words, a
// handful of them new after a sync. Through a pending list (the default), the new words waited in
// up to 256 kB of pages that every spelling lookup scanned in full and that, once merged, stayed
// in the index's file: at 1,206 contacts 139 kB of an index whose words fit in 80 kB (~50 bytes
// a contact of the storage bar, on a brain that small). Without a pending list a new word goes
// straight into the index, a few index entries each, and the index is built again here, compact.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX search_terms_trgm SET (fastupdate = off)`.execute(db);
  await sql`REINDEX INDEX search_terms_trgm`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX search_terms_trgm RESET (fastupdate)`.execute(db);
}
