import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './database.js';

/**
 * Records in sync_state that something happened (the opportunity mirror refreshed, the embedded
 * brain vacuumed, old records removed): at `at`, or at the database's now() when not given.
 */
export async function stamp(db: Kysely<Database> | Transaction<Database>, key: string, at?: Date): Promise<void> {
  await db
    .insertInto('sync_state')
    .values({ key, value: JSON.stringify({ at: (at ?? new Date()).toISOString() }), updated_at: at ?? sql`now()` })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: sql`excluded.updated_at` }))
    .execute();
}

/** When `key` was last stamped, or null if never. */
export async function stampedAt(db: Kysely<Database>, key: string): Promise<Date | null> {
  const row = await db.selectFrom('sync_state').select('updated_at').where('key', '=', key).executeTakeFirst();
  return row ? new Date(row.updated_at) : null;
}
