import { type Kysely, sql } from 'kysely';

// Searches rank and filter by a copy of each contact's importance override, kept beside its other
// ranking facts (contact_facts, contact_search) so they read one table. This product writes the
// copies with the override; another program sharing the database (an agent writing
// `UPDATE contact_context SET importance_override = 9`, as the old system's habits go) did not,
// and the brain then contradicted itself until GHL changed that contact. The database now keeps
// the copies in step itself. The trigger fires only for an override that is set, changed or
// removed: a sync never writes the column, so its inserts and updates do not pay for it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION medtainer_copy_importance_override() RETURNS trigger LANGUAGE plpgsql
    -- The brain's schema, fixed now: the program whose write fires it may have another search_path.
    SET search_path FROM CURRENT AS $$
    DECLARE
      id text := CASE WHEN TG_OP = 'DELETE' THEN OLD.contact_id ELSE NEW.contact_id END;
      v smallint := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.importance_override END;
    BEGIN
      UPDATE contact_facts SET importance_override = v WHERE contact_id = id AND importance_override IS DISTINCT FROM v;
      UPDATE contact_search SET importance_override = v WHERE contact_id = id AND importance_override IS DISTINCT FROM v;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER contact_context_override_inserted AFTER INSERT ON contact_context
    FOR EACH ROW WHEN (NEW.importance_override IS NOT NULL) EXECUTE FUNCTION medtainer_copy_importance_override()`.execute(db);
  await sql`
    CREATE TRIGGER contact_context_override_updated AFTER UPDATE OF importance_override ON contact_context
    FOR EACH ROW WHEN (OLD.importance_override IS DISTINCT FROM NEW.importance_override) EXECUTE FUNCTION medtainer_copy_importance_override()`.execute(db);
  await sql`
    CREATE TRIGGER contact_context_override_deleted AFTER DELETE ON contact_context
    FOR EACH ROW WHEN (OLD.importance_override IS NOT NULL) EXECUTE FUNCTION medtainer_copy_importance_override()`.execute(db);
  // Copies that already disagree (written around this product before now) are set right once.
  for (const table of ['contact_facts', 'contact_search']) {
    await sql`
      UPDATE ${sql.table(table)} t SET importance_override = c.importance_override
      FROM contact_context c WHERE c.contact_id = t.contact_id AND t.importance_override IS DISTINCT FROM c.importance_override`.execute(db);
    await sql`
      UPDATE ${sql.table(table)} t SET importance_override = NULL
      WHERE t.importance_override IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact_context c WHERE c.contact_id = t.contact_id)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS contact_context_override_inserted ON contact_context`.execute(db);
  await sql`DROP TRIGGER IF EXISTS contact_context_override_updated ON contact_context`.execute(db);
  await sql`DROP TRIGGER IF EXISTS contact_context_override_deleted ON contact_context`.execute(db);
  await sql`DROP FUNCTION IF EXISTS medtainer_copy_importance_override()`.execute(db);
}
