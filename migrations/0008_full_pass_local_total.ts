import { type Kysely, sql } from 'kysely';

// An automatic sync compares GHL's contact count with the brain's to see that a full pass (and
// its deletion check) is due. A gap a recent full pass ended with (GHL counting a record the
// brain cannot hold) is no reason for another; any other gap is. The brain's side of the gap
// at the end of a full pass is kept here, null when that pass left deletions to confirm.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS local_total integer`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sync_runs DROP COLUMN IF EXISTS local_total`.execute(db);
}
