import { type Kysely, sql, type Transaction } from 'kysely';
import { parseExactJson } from '../exact-json.js';
import { buildSearchRows } from '../search/document.js';
import { addSearchTerms, writeSearchRows } from './contact-sync.repository.js';
import type { ContactNote, ContactRow, Database } from './database.js';
import { computedImportance } from './importance.js';

/** One contact; its record with every number as GHL wrote it (see parseExactJson), for showing. */
export async function findContact(db: Kysely<Database>, id: string): Promise<ContactRow | null> {
  const row = await db.selectFrom('contacts').selectAll().select(sql<string>`data::text`.as('data_text')).where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const { data_text, ...contact } = row;
  return { ...contact, data: parseExactJson(data_text) as ContactRow['data'] };
}

export interface ContactContext {
  nicknames: string[];
  manualNicknames: string[];
  notes: ContactNote[];
  importanceOverride: number | null;
  computedImportance: number;
}

export async function loadContext(db: Kysely<Database>, id: string, now: Date): Promise<ContactContext> {
  const row = await db
    .selectFrom('contacts as c')
    .leftJoin('contact_context as ctx', 'ctx.contact_id', 'c.id')
    .select(['ctx.nicknames', 'ctx.manual_nicknames', 'ctx.notes', 'ctx.importance_override', computedImportance(now).as('computed')])
    .where('c.id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    nicknames: row.nicknames ?? [],
    manualNicknames: row.manual_nicknames ?? [],
    notes: row.notes ?? [],
    importanceOverride: row.importance_override ?? null,
    computedImportance: Number(row.computed),
  };
}

export interface ContextChange {
  addNicknames: string[];
  removeNicknames: string[];
  note: string | null;
  /** undefined: leave as is; null: clear. */
  importanceOverride: number | null | undefined;
}

/**
 * Saves what a person says about a contact, in one transaction: the context row, the search
 * index (so new nicknames are searchable at once) and a history event. A sync never overwrites
 * these columns.
 */
export async function saveContext(db: Kysely<Database>, contact: ContactRow, change: ContextChange, summary: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('contact_context').selectAll().where('contact_id', '=', contact.id).forUpdate().executeTakeFirst();
    const removed = new Set(change.removeNicknames.map((n) => n.toLowerCase()));
    // One nickname whatever its case ("Bobby", "bobby"), as searches and removals treat it; the first spelling stays.
    const byKey = new Map<string, string>();
    for (const n of [...(current?.manual_nicknames ?? []), ...change.addNicknames]) if (!byKey.has(n.toLowerCase())) byKey.set(n.toLowerCase(), n);
    const manual = [...byKey.values()].filter((n) => !removed.has(n.toLowerCase()));
    const notes = [...(current?.notes ?? []), ...(change.note ? [{ at: now.toISOString(), text: change.note }] : [])];
    const override = change.importanceOverride === undefined ? (current?.importance_override ?? null) : change.importanceOverride;
    await writeSavedContext(trx, contact, { nicknames: current?.nicknames ?? [], manual, notes, override });
    await trx.insertInto('interaction_history').values({ contact_id: contact.id, kind: 'context_saved', summary, details: JSON.stringify(change) }).execute();
  });
}

/**
 * Stores the columns people own (a sync never writes them) and rewrites the contact's search rows,
 * so saved nicknames and an importance override count in searches at once.
 */
export async function writeSavedContext(
  trx: Transaction<Database>,
  contact: ContactRow,
  context: { nicknames: string[]; manual: string[]; notes: ContactNote[]; override: number | null },
): Promise<void> {
  const { manual, notes, override } = context;
  await trx
    .insertInto('contact_context')
    .values({ contact_id: contact.id, manual_nicknames: manual, notes: JSON.stringify(notes), importance_override: override })
    .onConflict((oc) =>
      oc.column('contact_id').doUpdateSet({ manual_nicknames: manual, notes: JSON.stringify(notes), importance_override: override, updated_at: sql`now()` }),
    )
    .execute();
  if (contact.deleted_at) return;
  const rows = buildSearchRows({
    id: contact.id,
    name: contact.name,
    companyName: contact.company_name,
    email: contact.email,
    phone: contact.phone,
    type: contact.type,
    tags: contact.tags,
    dateAdded: contact.date_added,
    lastActivityAt: contact.last_activity_at,
    nicknames: context.nicknames,
    manualNicknames: context.manual,
    importanceOverride: context.override,
  });
  await writeSearchRows(trx, [rows]);
  // Saved nicknames become words the spelling correction knows.
  await addSearchTerms(trx, rows.search.nicknames_norm!.flatMap((n) => n.split(' ')));
}

export async function recordViewed(db: Kysely<Database>, id: string): Promise<void> {
  await db.insertInto('interaction_history').values({ contact_id: id, kind: 'viewed', summary: 'Viewed the full record' }).execute();
}

export async function contactHistory(db: Kysely<Database>, id: string, limit = 50) {
  return db.selectFrom('interaction_history').select(['at', 'kind', 'summary']).where('contact_id', '=', id).orderBy('id', 'desc').limit(limit).execute();
}
