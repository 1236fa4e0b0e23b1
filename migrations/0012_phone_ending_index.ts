import { type Kysely, sql } from 'kysely';

// "who has 591-6386?": a number asked for by its last seven or more digits (a local number, or a
// national one without its country code) was looked for by reading every contact's number, about
// 80 ms at 100,000 contacts on PostgreSQL. Indexed reversed, as text patterns, its ending is a
// prefix the index answers (~0.1 ms). contacts_phone_idx is built again with text_pattern_ops for
// the same reason: digits an earlier version stored with an extension are found by their start,
// which a default-collation index cannot answer; equality uses it as before.
//
// A first import drops and rebuilds both (see REBUILDABLE). Where contacts_phone_idx is absent
// (an import under way or killed, or a small brain waiting for its indexes) it is left absent, to
// be built with the new definition; the new index, like 0006's, may exist before the others.
// The new phone index is built beside the old one (searches go on reading meanwhile), which is
// then swapped for it: only that last step keeps readers waiting.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS contacts_phone_ending_idx ON contacts (reverse(phone_digits) text_pattern_ops) WHERE phone_digits IS NOT NULL`.execute(db);
  await replacePhoneIndex(db, sql`(phone_digits text_pattern_ops)`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS contacts_phone_ending_idx`.execute(db);
  await replacePhoneIndex(db, sql`(phone_digits)`);
}

/** contacts_phone_idx built again on `columns`, if this brain's schema has it (not one of another schema on the path). */
async function replacePhoneIndex(db: Kysely<any>, columns: ReturnType<typeof sql>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`
    SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = 'contacts_phone_idx' AND c.relkind = 'i' AND n.oid = current_schema()::regnamespace`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) return;
  await sql`CREATE INDEX contacts_phone_idx_next ON ${sql.table(`${schema}.contacts`)} ${columns} WHERE phone_digits IS NOT NULL`.execute(db);
  await sql`DROP INDEX ${sql.table(`${schema}.contacts_phone_idx`)}`.execute(db);
  await sql`ALTER INDEX ${sql.table(`${schema}.contacts_phone_idx_next`)} RENAME TO contacts_phone_idx`.execute(db);
}
