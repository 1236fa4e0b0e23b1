import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

/** int8 columns arrive from node-postgres as strings; write them as numbers or strings. */
type Int8 = ColumnType<string, string | number, string | number>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ContactsTable {
  id: string;
  location_id: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  company_name: string | null;
  email: string | null;
  phone: string | null;
  phone_digits: string | null;
  type: string | null;
  source: string | null;
  assigned_to: string | null;
  tags: string[];
  date_added: Timestamp | null;
  date_updated: Timestamp | null;
  last_activity_at: Timestamp | null;
  data: JSONColumnType<Record<string, unknown>, string, string>;
  deleted_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ContactNote {
  at: string;
  text: string;
}

export interface ContactContextTable {
  contact_id: string;
  nicknames: ColumnType<string[], string[] | undefined, string[]>;
  manual_nicknames: ColumnType<string[], string[] | undefined, string[]>;
  notes: JSONColumnType<ContactNote[], string | undefined, string>;
  importance_override: number | null;
  updated_at: DefaultTimestamp;
}

export interface ContactSearchTable {
  contact_id: string;
  doc: string;
  name_norm: ColumnType<string, string | undefined, string>;
  company_norm: ColumnType<string, string | undefined, string>;
  nicknames_norm: ColumnType<string[], string[] | undefined, string[]>;
  // Copies of contact_facts' ranking columns, so ranking text matches reads this table alone.
  importance_base: ColumnType<number, number | undefined, number>;
  importance_override: number | null;
  date_added: Timestamp | null;
  last_activity_at: Timestamp | null;
}

export interface ContactFactsTable {
  contact_id: string;
  type: string | null;
  date_added: Timestamp | null;
  last_activity_at: Timestamp | null;
  has_email: ColumnType<boolean, boolean | undefined, boolean>;
  has_phone: ColumnType<boolean, boolean | undefined, boolean>;
  importance_base: ColumnType<number, number | undefined, number>;
  importance_override: number | null;
  tags_norm: ColumnType<string[], string[] | undefined, string[]>;
  industries: ColumnType<string[], string[] | undefined, string[]>;
}

export type HistoryKind = 'created' | 'updated' | 'deleted' | 'restored' | 'context_saved' | 'viewed';

export interface InteractionHistoryTable {
  id: Generated<string>;
  contact_id: string;
  at: DefaultTimestamp;
  kind: HistoryKind;
  summary: string;
  details: JSONColumnType<Record<string, unknown>, string | null, string | null> | null;
  run_id: Int8 | null;
}

export interface ToolExecutionsTable {
  id: Generated<string>;
  tool: string;
  arguments: JSONColumnType<Record<string, unknown>, string, string>;
  started_at: Timestamp;
  duration_ms: number;
  outcome: 'ok' | 'error';
  error: string | null;
}

export type SyncTrigger = 'schedule' | 'startup' | 'tool' | 'cli';
export type SyncMode = 'full' | 'incremental';
export type SyncStatus = 'running' | 'succeeded' | 'failed';

export interface SyncRunsTable {
  id: Generated<string>;
  trigger: SyncTrigger;
  mode: SyncMode;
  status: SyncStatus;
  holder: string;
  started_at: DefaultTimestamp;
  heartbeat_at: DefaultTimestamp;
  finished_at: Timestamp | null;
  contacts_fetched: Generated<number>;
  contacts_created: Generated<number>;
  contacts_updated: Generated<number>;
  contacts_unchanged: Generated<number>;
  contacts_deleted: Generated<number>;
  api_requests: Generated<number>;
  rate_limited: Generated<number>;
  errors: ColumnType<string[], string | undefined, string>;
  error: string | null;
  high_water_mark: Timestamp | null;
  remote_total: number | null;
  /** Live contacts in the brain when a full pass ended with every deletion confirmed; null otherwise. */
  local_total: number | null;
  api_budget_remaining: number | null;
}

export interface PipelinesTable {
  id: string;
  name: string;
  stages: JSONColumnType<Array<{ id: string; name: string; position?: number }>, string, string>;
  data: JSONColumnType<Record<string, unknown>, string, string>;
  synced_at: DefaultTimestamp;
}

export interface OpportunitiesTable {
  id: string;
  pipeline_id: string;
  stage_id: string | null;
  contact_id: string | null;
  name: string | null;
  status: string;
  monetary_value: ColumnType<number, number | undefined, number>;
  last_status_change_at: Timestamp | null;
  last_stage_change_at: Timestamp | null;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
  data: JSONColumnType<Record<string, unknown>, string, string>;
  synced_at: DefaultTimestamp;
}

export interface SyncStateTable {
  key: string;
  value: JSONColumnType<Record<string, unknown>, string, string>;
  updated_at: DefaultTimestamp;
}

export interface SearchTermsTable {
  term: string;
  /** Soundex of the term, so "jonsen" finds "johnson". */
  sound: string;
}

export interface Database {
  search_terms: SearchTermsTable;
  contacts: ContactsTable;
  contact_context: ContactContextTable;
  contact_search: ContactSearchTable;
  contact_facts: ContactFactsTable;
  interaction_history: InteractionHistoryTable;
  tool_executions: ToolExecutionsTable;
  sync_runs: SyncRunsTable;
  pipelines: PipelinesTable;
  opportunities: OpportunitiesTable;
  sync_state: SyncStateTable;
}

export type ContactRow = Selectable<ContactsTable>;
export type NewContactRow = Insertable<ContactsTable>;
export type SyncRunRow = Selectable<SyncRunsTable>;
