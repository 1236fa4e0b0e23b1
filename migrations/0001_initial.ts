import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must never change once released. Later changes go in new files.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  await sql`
    CREATE TABLE contacts (
      id               text PRIMARY KEY,
      location_id      text NOT NULL,
      first_name       text,
      last_name        text,
      name             text,
      company_name     text,
      email            text,
      phone            text,
      phone_digits     text,
      type             text,
      source           text,
      assigned_to      text,
      tags             text[] NOT NULL DEFAULT '{}',
      date_added       timestamptz,
      date_updated     timestamptz,
      last_activity_at timestamptz,
      data             jsonb NOT NULL,
      deleted_at       timestamptz,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Searches filter and sort on contact_facts; here only exact email and phone lookups need indexes.
  await sql`CREATE INDEX contacts_email_idx ON contacts (lower(email)) WHERE email IS NOT NULL`.execute(db);
  await sql`CREATE INDEX contacts_phone_idx ON contacts (phone_digits) WHERE phone_digits IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE contact_context (
      contact_id          text PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
      nicknames           text[] NOT NULL DEFAULT '{}',
      manual_nicknames    text[] NOT NULL DEFAULT '{}',
      notes               jsonb NOT NULL DEFAULT '[]',
      importance_override smallint CHECK (importance_override BETWEEN 1 AND 10),
      updated_at          timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX contact_context_override_idx ON contact_context (importance_override) WHERE importance_override IS NOT NULL`.execute(db);

  // The search index, in two narrow tables so neither scans nor trigram lookups touch the wide
  // contacts rows. Only live contacts have rows here.
  // contact_search: what a contact is found by, normalised (accents and punctuation removed).
  await sql`
    CREATE TABLE contact_search (
      contact_id     text PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
      doc            text NOT NULL,
      name_norm      text NOT NULL DEFAULT '',
      company_norm   text NOT NULL DEFAULT '',
      nicknames_norm text[] NOT NULL DEFAULT '{}'
    )`.execute(db);
  await sql`CREATE INDEX contact_search_doc_trgm ON contact_search USING gin (doc gin_trgm_ops)`.execute(db);
  // contact_facts: what searches filter and sort on (about 120 bytes a contact).
  await sql`
    CREATE TABLE contact_facts (
      contact_id          text PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
      type                text,
      date_added          timestamptz,
      last_activity_at    timestamptz,
      has_email           boolean NOT NULL DEFAULT false,
      has_phone           boolean NOT NULL DEFAULT false,
      importance_base     smallint NOT NULL DEFAULT 5,
      importance_override smallint,
      tags_norm           text[] NOT NULL DEFAULT '{}',
      industries          text[] NOT NULL DEFAULT '{}'
    )`.execute(db);
  await sql`CREATE INDEX contact_facts_tags_idx ON contact_facts USING gin (tags_norm)`.execute(db);
  await sql`CREATE INDEX contact_facts_industries_idx ON contact_facts USING gin (industries)`.execute(db);
  await sql`CREATE INDEX contact_facts_added_idx ON contact_facts (date_added DESC NULLS LAST, contact_id)`.execute(db);
  await sql`CREATE INDEX contact_facts_importance_idx ON contact_facts (importance_base, last_activity_at)`.execute(db);
  await sql`CREATE INDEX contact_facts_activity_idx ON contact_facts (last_activity_at NULLS FIRST, contact_id)`.execute(db);
  await sql`CREATE INDEX contact_facts_override_idx ON contact_facts (importance_override) WHERE importance_override IS NOT NULL`.execute(db);
  // Every word that names a contact or company: a small dictionary for correcting misspelt queries.
  await sql`CREATE TABLE search_terms (term text PRIMARY KEY, sound text NOT NULL)`.execute(db);
  await sql`CREATE INDEX search_terms_trgm ON search_terms USING gin (term gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX search_terms_sound ON search_terms (sound)`.execute(db);

  await sql`
    CREATE TABLE interaction_history (
      id         bigserial PRIMARY KEY,
      contact_id text NOT NULL,
      at         timestamptz NOT NULL DEFAULT now(),
      kind       text NOT NULL CHECK (kind IN ('created', 'updated', 'deleted', 'restored', 'context_saved', 'viewed')),
      summary    text NOT NULL,
      details    jsonb,
      run_id     bigint
    )`.execute(db);
  await sql`CREATE INDEX interaction_history_contact_idx ON interaction_history (contact_id, at DESC)`.execute(db);

  await sql`
    CREATE TABLE tool_executions (
      id          bigserial PRIMARY KEY,
      tool        text NOT NULL,
      arguments   jsonb NOT NULL DEFAULT '{}',
      started_at  timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      outcome     text NOT NULL CHECK (outcome IN ('ok', 'error')),
      error       text
    )`.execute(db);
  await sql`CREATE INDEX tool_executions_started_idx ON tool_executions (started_at DESC)`.execute(db);

  await sql`
    CREATE TABLE sync_runs (
      id                   bigserial PRIMARY KEY,
      trigger              text NOT NULL CHECK (trigger IN ('schedule', 'startup', 'tool', 'cli')),
      mode                 text NOT NULL CHECK (mode IN ('full', 'incremental')),
      status               text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
      holder               text NOT NULL,
      started_at           timestamptz NOT NULL DEFAULT now(),
      heartbeat_at         timestamptz NOT NULL DEFAULT now(),
      finished_at          timestamptz,
      contacts_fetched     integer NOT NULL DEFAULT 0,
      contacts_created     integer NOT NULL DEFAULT 0,
      contacts_updated     integer NOT NULL DEFAULT 0,
      contacts_unchanged   integer NOT NULL DEFAULT 0,
      contacts_deleted     integer NOT NULL DEFAULT 0,
      api_requests         integer NOT NULL DEFAULT 0,
      rate_limited         integer NOT NULL DEFAULT 0,
      errors               jsonb NOT NULL DEFAULT '[]',
      error                text,
      high_water_mark      timestamptz,
      remote_total         integer,
      api_budget_remaining integer
    )`.execute(db);
  // At most one running sync per database, whichever process or connection starts it.
  await sql`CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs ((true)) WHERE status = 'running'`.execute(db);
  await sql`CREATE INDEX sync_runs_started_idx ON sync_runs (started_at DESC)`.execute(db);

  await sql`
    CREATE TABLE pipelines (
      id         text PRIMARY KEY,
      name       text NOT NULL,
      stages     jsonb NOT NULL DEFAULT '[]',
      data       jsonb NOT NULL,
      synced_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE opportunities (
      id                    text PRIMARY KEY,
      pipeline_id           text NOT NULL,
      stage_id              text,
      contact_id            text,
      name                  text,
      status                text NOT NULL,
      monetary_value        double precision NOT NULL DEFAULT 0,
      last_status_change_at timestamptz,
      last_stage_change_at  timestamptz,
      created_at            timestamptz,
      updated_at            timestamptz,
      data                  jsonb NOT NULL,
      synced_at             timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX opportunities_contact_idx ON opportunities (contact_id)`.execute(db);
  await sql`CREATE INDEX opportunities_pipeline_idx ON opportunities (pipeline_id, status)`.execute(db);

  // Small key/value facts about the mirror (e.g. when opportunities were last re-paged).
  await sql`
    CREATE TABLE sync_state (
      key        text PRIMARY KEY,
      value      jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['search_terms', 'contact_facts', 'sync_state', 'opportunities', 'pipelines', 'sync_runs', 'tool_executions', 'interaction_history', 'contact_search', 'contact_context', 'contacts']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
