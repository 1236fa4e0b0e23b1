import { type Kysely, sql } from 'kysely';

// A search that finds nobody current looks among the contacts GoHighLevel deleted (the brain keeps
// them) before saying "no contact matches". Without an index that reads every contact (tens of ms
// at 100,000) for the handful deleted; this one holds only those, so it costs a sync nothing.
// A first import leaves it in place: it has no rows to slow the import down.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS contacts_deleted_idx ON contacts (deleted_at DESC) WHERE deleted_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS contacts_deleted_idx`.execute(db);
}
