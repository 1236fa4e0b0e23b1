import { type Kysely, sql } from 'kysely';

// "Most important first" is answered level by level: for each importance level, the contacts
// without an override whose base and activity put them there, most silent first. An index on
// (base, last activity) in that order hands each level's top rows over without sorting, and
// lets the counts behind "who needs follow-up?" be read from the index alone. The base is bounded
// (5, +1 with tags, +2 for a lead), so base + activity bonus never exceeds 10; the check states it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE contact_facts ADD CONSTRAINT contact_facts_importance_base_range CHECK (importance_base BETWEEN 1 AND 8)`.execute(db);
  await sql`DROP INDEX IF EXISTS contact_facts_importance_idx`.execute(db);
  await sql`CREATE INDEX contact_facts_rank_idx ON contact_facts (importance_base, last_activity_at NULLS FIRST, contact_id) WHERE importance_override IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS contact_facts_rank_idx`.execute(db);
  await sql`CREATE INDEX contact_facts_importance_idx ON contact_facts (importance_base, last_activity_at)`.execute(db);
  await sql`ALTER TABLE contact_facts DROP CONSTRAINT IF EXISTS contact_facts_importance_base_range`.execute(db);
}
