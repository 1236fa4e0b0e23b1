import { type Kysely, sql } from 'kysely';

// A name or company search ranks its matches by similarity, then importance, then date added.
// With those facts beside the text, ranking thousands of matches ("who's at <a big company>?",
// where every employee ties on the company) reads one table instead of looking each match up in
// contact_facts. contact_facts stays the table filters scan; both are written together.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE contact_search
      ADD COLUMN importance_base     smallint NOT NULL DEFAULT 5,
      ADD COLUMN importance_override smallint,
      ADD COLUMN date_added          timestamptz,
      ADD COLUMN last_activity_at    timestamptz`.execute(db);
  await sql`
    UPDATE contact_search d SET importance_base = s.importance_base, importance_override = s.importance_override,
      date_added = s.date_added, last_activity_at = s.last_activity_at
    FROM contact_facts s WHERE s.contact_id = d.contact_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE contact_search DROP COLUMN importance_base, DROP COLUMN importance_override,
      DROP COLUMN date_added, DROP COLUMN last_activity_at`.execute(db);
}
