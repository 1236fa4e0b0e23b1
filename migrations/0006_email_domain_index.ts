import { type Kysely, sql } from 'kysely';

// "anyone from freshheadies.com" looks contacts up by their email's domain. Without an index that
// reads every contact (about 100 ms at 100,000 on PostgreSQL). Many contacts share a domain, so
// the index deduplicates well. A first import drops and rebuilds it with the other secondary
// indexes (they are read from the catalog), and a small brain may hold it before the others.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS contacts_email_domain_idx ON contacts (split_part(lower(email), '@', 2)) WHERE email IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS contacts_email_domain_idx`.execute(db);
}
