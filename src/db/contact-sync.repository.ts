import { isUtf8 } from 'node:buffer';
import { type Kysely, sql, type Transaction } from 'kysely';
import { VOLATILE_KEYS } from '../ghl/parse-contact.js';
import { buildSearchRows, type SearchRows } from '../search/document.js';
import { soundex } from '../search/phonetic.js';
import type { MappedContact } from '../sync/map-contact.js';
import type { Database } from './database.js';
import { useBulkPendingList } from './maintenance.js';

export interface PageWriteResult {
  created: string[];
  updated: Array<{ id: string; fields: string[] }>;
  restored: string[];
  unchanged: number;
}

export interface PageWriteOptions {
  runId: number | null;
  recordCreations: boolean;
  /** Words already sent to search_terms during this run. */
  knownTerms?: Set<string>;
  /** Part of a large pass: search documents gather in a big pending list (see PENDING_LIST_KB). */
  bulk?: boolean;
  /** The response the contacts were read from, when its records can be stored as they are. */
  page?: PageSource | null;
}

/**
 * A v2 search page's own bytes as a binary jsonb parameter (a version byte, then the JSON text).
 * The database reads each stored record straight from them, so the records are not serialised
 * again and the page's text is not encoded again: about a third of the client's CPU per page.
 */
export interface PageSource {
  jsonb: Buffer;
}

const JSONB_VERSION_1 = Buffer.from([1]);

/** The page as a PageSource, or null when the database would refuse its bytes (invalid UTF-8, a byte-order mark). */
export function pageSource(bytes: Buffer): PageSource | null {
  if (!isUtf8(bytes) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return null;
  return { jsonb: Buffer.concat([JSONB_VERSION_1, bytes]) };
}

const TYPED_COLUMNS = `id text, location_id text, first_name text, last_name text, name text, company_name text, email text,
  phone text, phone_digits text, type text, source text, assigned_to text, tags text[], date_added timestamptz,
  date_updated timestamptz, last_activity_at timestamptz`;

/** The page's contacts as rows: typed columns from the client, the record from the page's bytes when it has them. */
function inputRows(contacts: readonly MappedContact[], page: PageSource | null | undefined) {
  if (page && contacts.every((c) => c.position !== undefined)) {
    const typed = JSON.stringify(contacts.map(({ row: { data: _stored, ...columns }, position }) => ({ ...columns, position })));
    return sql`SELECT x.*, (p.list -> x.position) - ${VOLATILE_KEYS}::text[] AS data
      FROM (SELECT ${page.jsonb}::jsonb -> 'contacts' AS list) p, jsonb_to_recordset(${typed}::jsonb) AS x(position int, ${sql.raw(TYPED_COLUMNS)})`;
  }
  return sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify(contacts.map((c) => c.row))}::jsonb) AS x(${sql.raw(TYPED_COLUMNS)}, data jsonb)`;
}

/**
 * Writes one page of contacts in one transaction and a handful of statements, whatever the page size:
 * unchanged rows are skipped by the IS DISTINCT FROM guard (no write, no history), an older copy never
 * overwrites a newer one, and only real changes produce nicknames, search documents and history rows.
 */
export async function applyContactPage(
  db: Kysely<Database>,
  page: readonly MappedContact[],
  options: PageWriteOptions,
): Promise<PageWriteResult> {
  const latest = newestPerContact(page);
  const contacts = [...latest.values()];
  if (contacts.length === 0) return { created: [], updated: [], restored: [], unchanged: 0 };

  // Words sent to search_terms are remembered (knownTerms) only once their page has committed:
  // a page written again after a failure must send them again.
  let sent: string[] = [];
  const write = (source: PageSource | null | undefined) => db.transaction().execute(async (trx) => {
    sent = [];
    if (options.bulk) await useBulkPendingList(trx);
    // `old` reads the snapshot taken before the upsert, so it still holds the previous data of changed rows.
    const { rows } = await sql<{ id: string; inserted: boolean; fields: string[] | null; was_deleted: boolean }>`
      WITH input AS (${inputRows(contacts, source)}),
      old AS (SELECT c.id, c.data, c.deleted_at FROM contacts c JOIN input USING (id)),
      up AS (
        INSERT INTO contacts (id, location_id, first_name, last_name, name, company_name, email, phone, phone_digits,
                              type, source, assigned_to, tags, date_added, date_updated, last_activity_at, data)
        SELECT id, location_id, first_name, last_name, name, company_name, email, phone, phone_digits,
               type, source, assigned_to, coalesce(tags, '{}'), date_added, date_updated, last_activity_at, data
        FROM input
        ON CONFLICT (id) DO UPDATE SET
          location_id = excluded.location_id, first_name = excluded.first_name, last_name = excluded.last_name,
          name = excluded.name, company_name = excluded.company_name, email = excluded.email, phone = excluded.phone,
          phone_digits = excluded.phone_digits, type = excluded.type, source = excluded.source,
          assigned_to = excluded.assigned_to, tags = excluded.tags, date_added = excluded.date_added,
          date_updated = excluded.date_updated, last_activity_at = excluded.last_activity_at, data = excluded.data,
          deleted_at = NULL, updated_at = now()
        WHERE (contacts.data IS DISTINCT FROM excluded.data OR contacts.deleted_at IS NOT NULL)
          -- An older copy never overwrites a newer one this run wrote (pages are read side by side
          -- while contacts change). A row from an earlier run takes what GHL says now, whatever
          -- its stamp (GHL's clock corrected), and a contact GHL lists again is back.
          AND (contacts.deleted_at IS NOT NULL OR contacts.date_updated IS NULL OR excluded.date_updated IS NULL OR excluded.date_updated >= contacts.date_updated
               ${options.runId === null ? sql`` : sql`OR contacts.updated_at < (SELECT r.started_at FROM sync_runs r WHERE r.id = ${String(options.runId)})`})
        RETURNING contacts.id, (xmax = 0) AS inserted, contacts.data
      )
      -- The top-level fields an update changed, compared by the database: exactly (a 20-digit
      -- number JavaScript would round alike on both sides), and without sending the old records back.
      SELECT up.id, up.inserted, (old.deleted_at IS NOT NULL) AS was_deleted,
             CASE WHEN old.data IS NOT NULL AND old.deleted_at IS NULL THEN ARRAY(
               SELECT k FROM jsonb_object_keys(old.data || up.data) AS k
               WHERE coalesce(old.data -> k, 'null') IS DISTINCT FROM coalesce(up.data -> k, 'null')) END AS fields
      FROM up LEFT JOIN old USING (id)`.execute(trx);

    const result: PageWriteResult = { created: [], updated: [], restored: [], unchanged: contacts.length - rows.length };
    rows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    for (const r of rows) {
      if (r.inserted) result.created.push(r.id);
      else if (r.was_deleted) result.restored.push(r.id);
      else result.updated.push({ id: r.id, fields: [...(r.fields ?? [])].sort() });
    }
    if (rows.length > 0) await refreshDerived(trx, rows.map((r) => latest.get(r.id)!), result, options, sent);
    return result;
  });
  const committed = (r: PageWriteResult) => {
    rememberTerms(sent, options.knownTerms);
    return r;
  };
  try {
    return committed(await write(options.page));
  } catch (err) {
    // The database reads the page's bytes with its own JSON parser, which refuses a few things
    // JSON.parse takes (a number beyond numeric's range, nesting past its stack limit). Such a
    // page is written again from its parsed records rather than failing every sync.
    const code = (err as { code?: string }).code ?? '';
    if (!options.page || !(code.startsWith('22') || code === '54001')) throw err;
    return committed(await write(null));
  }
}

/** The page's contacts by id, the newest copy of any listed twice. */
export function newestPerContact(page: readonly MappedContact[]): Map<string, MappedContact> {
  const latest = new Map<string, MappedContact>();
  for (const c of page) {
    const prev = latest.get(c.row.id);
    if (!prev || String(c.row.date_updated ?? '') >= String(prev.row.date_updated ?? '')) latest.set(c.row.id, c);
  }
  return latest;
}

/** A contact's search rows, given what people saved about it (nothing, for a new contact). */
export function searchRowsOf(c: MappedContact, saved?: { manual_nicknames: string[]; importance_override: number | null }): SearchRows {
  return buildSearchRows({
    id: c.row.id,
    name: c.row.name,
    companyName: c.row.company_name,
    email: c.row.email,
    phone: c.row.phone,
    type: c.row.type,
    tags: c.row.tags,
    dateAdded: c.row.date_added,
    lastActivityAt: c.row.last_activity_at,
    nicknames: c.nicknames,
    manualNicknames: saved?.manual_nicknames ?? [],
    importanceOverride: saved?.importance_override ?? null,
  });
}

async function refreshDerived(
  trx: Transaction<Database>,
  changed: MappedContact[],
  result: PageWriteResult,
  options: PageWriteOptions,
  sent: string[],
): Promise<void> {
  // The upsert hands back what people saved about each contact (manual nicknames, importance),
  // which its search document needs: a separate lookup of 500 ids chose a sequential scan.
  const context = JSON.stringify(changed.map((c) => ({ contact_id: c.row.id, nicknames: c.nicknames })));
  const { rows: savedRows } = await sql<{ contact_id: string; manual_nicknames: string[]; importance_override: number | null }>`
    INSERT INTO contact_context (contact_id, nicknames)
    SELECT contact_id, coalesce(nicknames, '{}') FROM jsonb_to_recordset(${context}::jsonb) AS x(contact_id text, nicknames text[])
    ON CONFLICT (contact_id) DO UPDATE SET nicknames = excluded.nicknames, updated_at = now()
    RETURNING contact_id, manual_nicknames, importance_override`.execute(trx);
  const saved = new Map(savedRows.map((r) => [r.contact_id, r]));
  const rows = changed.map((c) => searchRowsOf(c, saved.get(c.row.id)));
  await writeSearchRows(trx, rows, options.knownTerms, sent);

  const runId = options.runId;
  const history = [
    ...(options.recordCreations ? result.created.map((id) => ({ contact_id: id, kind: 'created' as const, summary: 'Added in GoHighLevel', details: null })) : []),
    ...result.restored.map((id) => ({ contact_id: id, kind: 'restored' as const, summary: 'Reappeared in GoHighLevel after being deleted', details: null })),
    ...result.updated.map((u) => ({
      contact_id: u.id,
      kind: 'updated' as const,
      summary: `Changed in GoHighLevel: ${u.fields.join(', ') || 'details'}`,
      details: JSON.stringify({ fields: u.fields }),
    })),
  ];
  if (history.length) await trx.insertInto('interaction_history').values(history.map((h) => ({ ...h, run_id: runId }))).execute();
}

const SEARCH_COLUMNS = `contact_id text, doc text, name_norm text, company_norm text, nicknames_norm text[], importance_base smallint,
  importance_override smallint, date_added timestamptz, last_activity_at timestamptz`;
const FACT_COLUMNS = `contact_id text, type text, date_added timestamptz, last_activity_at timestamptz, has_email boolean,
  has_phone boolean, importance_base smallint, importance_override smallint, tags_norm text[], industries text[]`;

/**
 * Upserts contacts' search index rows (both tables) and their words for spelling correction.
 * Rows travel as one JSON parameter: a 500-row VALUES list of bound parameters costs PostgreSQL
 * more to parse and plan than the insert itself.
 */
export async function writeSearchRows(db: Kysely<Database> | Transaction<Database>, rows: readonly SearchRows[], knownTerms?: Set<string>, sent?: string[]): Promise<void> {
  if (rows.length === 0) return;
  const search = JSON.stringify(rows.map((r) => r.search));
  await sql`
    INSERT INTO contact_search (contact_id, doc, name_norm, company_norm, nicknames_norm, importance_base, importance_override,
                                date_added, last_activity_at)
    SELECT contact_id, doc, coalesce(name_norm, ''), coalesce(company_norm, ''), coalesce(nicknames_norm, '{}'),
           coalesce(importance_base, 5), importance_override, date_added, last_activity_at
    FROM jsonb_to_recordset(${search}::jsonb) AS x(${sql.raw(SEARCH_COLUMNS)})
    ON CONFLICT (contact_id) DO UPDATE SET doc = excluded.doc, name_norm = excluded.name_norm,
      company_norm = excluded.company_norm, nicknames_norm = excluded.nicknames_norm, importance_base = excluded.importance_base,
      importance_override = excluded.importance_override, date_added = excluded.date_added,
      last_activity_at = excluded.last_activity_at`.execute(db);
  const facts = JSON.stringify(rows.map((r) => r.facts));
  await sql`
    INSERT INTO contact_facts (contact_id, type, date_added, last_activity_at, has_email, has_phone, importance_base,
                               importance_override, tags_norm, industries)
    SELECT contact_id, type, date_added, last_activity_at, coalesce(has_email, false), coalesce(has_phone, false),
           coalesce(importance_base, 5), importance_override, coalesce(tags_norm, '{}'), coalesce(industries, '{}')
    FROM jsonb_to_recordset(${facts}::jsonb) AS x(${sql.raw(FACT_COLUMNS)})
    ON CONFLICT (contact_id) DO UPDATE SET type = excluded.type, date_added = excluded.date_added,
      last_activity_at = excluded.last_activity_at, has_email = excluded.has_email, has_phone = excluded.has_phone,
      importance_base = excluded.importance_base, importance_override = excluded.importance_override,
      tags_norm = excluded.tags_norm, industries = excluded.industries`.execute(db);
  await addSearchTerms(db, termsOf(rows), knownTerms, sent);
}

/** The words of contacts' names and companies, for the misspelling dictionary. */
export function termsOf(rows: readonly SearchRows[]): string[] {
  return rows.flatMap((r) => [...r.search.name_norm!.split(' '), ...r.search.company_norm!.split(' ')]);
}

/**
 * Longer is no word anyone types (a pasted token or hash in a name), and a key of thousands of
 * characters is more than the dictionary's index takes: one such contact would fail every sync.
 */
const MAX_TERM_LENGTH = 64;

/** The words worth sending to the dictionary: a real word's length, and not sent already as far as `known` tells. */
export function unsentTerms(words: readonly string[], known?: Set<string>): string[] {
  return [...new Set(words.filter((w) => w.length >= 2 && w.length <= MAX_TERM_LENGTH && !known?.has(w)))];
}

export function rememberTerms(terms: readonly string[], known?: Set<string>): void {
  if (known && known.size < 200_000) for (const t of terms) known.add(t);
}

/**
 * Records words for misspelling correction (names, companies, nicknames); most already exist.
 * `known` (one per sync run) skips words this run already sent; the table only ever grows.
 */
export async function addSearchTerms(db: Kysely<Database> | Transaction<Database>, words: readonly string[], known?: Set<string>, sent?: string[]): Promise<void> {
  const terms = unsentTerms(words, known);
  if (terms.length === 0) return;
  sent?.push(...terms);
  await sql`INSERT INTO search_terms (term, sound) SELECT * FROM unnest(${terms}::text[], ${terms.map(soundex)}::text[]) ON CONFLICT DO NOTHING`.execute(db);
}
