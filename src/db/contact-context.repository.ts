import { type Kysely, sql, type Transaction } from 'kysely';
import { parseExactJson } from '../exact-json.js';
import { buildSearchRows, type SearchRows } from '../search/document.js';
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
    notes: readNotes(row.notes),
    importanceOverride: row.importance_override ?? null,
    computedImportance: Number(row.computed),
  };
}

/**
 * The notes column as this product writes it: `[{ at, text }]`. Other programs sharing the
 * database may write it their own way (a list of strings, an object); those notes are shown as
 * well as they can be rather than breaking every read of the contact.
 */
export function readNotes(value: unknown): ContactNote[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  return items.map((item) => {
    if (typeof item === 'string') return { at: '', text: item };
    const o = item as { at?: unknown; text?: unknown } | null;
    if (o && typeof o === 'object' && typeof o.text === 'string') return { at: typeof o.at === 'string' ? o.at : '', text: o.text };
    return { at: '', text: JSON.stringify(item) };
  });
}

export interface ContextChange {
  addNicknames: string[];
  removeNicknames: string[];
  note: string | null;
  /** undefined: leave as is; null: clear. */
  importanceOverride: number | null | undefined;
}

/** What a saved change did, decided against the row as it stood under its lock. */
export interface ContextOutcome {
  /** Nicknames it added (the first spelling of each, whatever its case). */
  added: string[];
  /** Nicknames asked for that were saved already. */
  alreadySaved: string[];
  /** Nicknames it removed. */
  removed: string[];
  note: boolean;
  /** The override it set (null: back to the computed score); undefined when it left the importance as it was. */
  importanceSet?: number | null;
  /** An override was asked for that the contact already had. */
  sameImportance: boolean;
}

/**
 * Saves what a person says about a contact, in one transaction: the context row, the search
 * index (so new nicknames are searchable at once) and a history event, whose summary `describe`
 * writes from what changed. What changed is decided with the row locked, so two calls at once
 * cannot both add the same nickname, or lose each other's. Nothing new: no write, no history row.
 * A sync never overwrites these columns.
 */
export async function saveContext(
  db: Kysely<Database>,
  contact: ContactRow,
  change: ContextChange,
  describe: (o: ContextOutcome) => string,
  now: Date,
): Promise<ContextOutcome> {
  return db.transaction().execute(async (trx) => {
    // A row to lock, for a contact that has none yet: two calls would otherwise both insert.
    await trx.insertInto('contact_context').values({ contact_id: contact.id }).onConflict((oc) => oc.column('contact_id').doNothing()).execute();
    const current = await trx.selectFrom('contact_context').selectAll().where('contact_id', '=', contact.id).forUpdate().executeTakeFirstOrThrow();
    const saved = current.manual_nicknames ?? [];
    const savedKeys = new Set(saved.map((n) => n.toLowerCase()));
    const removeKeys = new Set(change.removeNicknames.map((n) => n.toLowerCase()));
    // One nickname whatever its case ("Bobby", "bobby"), as searches and removals treat it; the first spelling stays.
    const added: string[] = [];
    for (const n of change.addNicknames) if (!savedKeys.has(n.toLowerCase()) && !added.some((a) => a.toLowerCase() === n.toLowerCase())) added.push(n);
    const outcome: ContextOutcome = {
      added,
      alreadySaved: change.addNicknames.filter((n) => savedKeys.has(n.toLowerCase())),
      removed: saved.filter((n) => removeKeys.has(n.toLowerCase())),
      note: Boolean(change.note),
      sameImportance: change.importanceOverride !== undefined && change.importanceOverride === (current.importance_override ?? null),
    };
    if (change.importanceOverride !== undefined && !outcome.sameImportance) outcome.importanceSet = change.importanceOverride;
    if (!added.length && !outcome.removed.length && !outcome.note && outcome.importanceSet === undefined) return outcome;
    const byKey = new Map<string, string>();
    for (const n of [...saved, ...added]) if (!byKey.has(n.toLowerCase())) byKey.set(n.toLowerCase(), n);
    const manual = [...byKey.values()].filter((n) => !removeKeys.has(n.toLowerCase()));
    const notes = [...readNotes(current.notes), ...(change.note ? [{ at: now.toISOString(), text: change.note }] : [])];
    const override = outcome.importanceSet === undefined ? (current.importance_override ?? null) : outcome.importanceSet;
    await writeSavedContext(trx, contact, { nicknames: current.nicknames ?? [], manual, notes, override });
    const done: ContextChange = { addNicknames: added, removeNicknames: outcome.removed, note: change.note, importanceOverride: outcome.importanceSet };
    await trx.insertInto('interaction_history').values({ contact_id: contact.id, kind: 'context_saved', summary: describe(outcome), details: JSON.stringify(done) }).execute();
    return outcome;
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
  const rows = storedSearchRows(contact, { nicknames: context.nicknames, manual_nicknames: manual, importance_override: override });
  await writeSearchRows(trx, [rows]);
  // Saved nicknames become words the spelling correction knows.
  await addSearchTerms(trx, rows.search.nicknames_norm!.flatMap((n) => n.split(' ')));
}

/** A stored contact's search rows, from its columns and what is saved about it. */
export function storedSearchRows(
  contact: Pick<ContactRow, 'id' | 'name' | 'company_name' | 'email' | 'phone' | 'type' | 'tags' | 'date_added' | 'last_activity_at'>,
  saved: { nicknames: string[] | null; manual_nicknames: string[] | null; importance_override: number | null },
): SearchRows {
  return buildSearchRows({
    id: contact.id,
    name: contact.name,
    companyName: contact.company_name,
    email: contact.email,
    phone: contact.phone,
    type: contact.type,
    tags: contact.tags,
    dateAdded: contact.date_added,
    lastActivityAt: contact.last_activity_at,
    nicknames: saved.nicknames ?? [],
    manualNicknames: saved.manual_nicknames ?? [],
    importanceOverride: saved.importance_override,
  });
}

export async function recordViewed(db: Kysely<Database>, id: string): Promise<void> {
  await db.insertInto('interaction_history').values({ contact_id: id, kind: 'viewed', summary: 'Viewed the full record' }).execute();
}

/**
 * What happened to a contact, newest first: the changes (up to `limit`) and only the latest view,
 * saying how many there were. Every read of the 360 records a view; listed one by one they would
 * push the changes out of sight.
 */
export async function contactHistory(db: Kysely<Database>, id: string, limit = 50) {
  const [changes, views] = await Promise.all([
    db.selectFrom('interaction_history').select(['at', 'kind', 'summary']).where('contact_id', '=', id).where('kind', '<>', 'viewed').orderBy('id', 'desc').limit(limit).execute(),
    db
      .selectFrom('interaction_history')
      .select([sql<Date>`max(at)`.as('at'), sql<number>`count(*)::int`.as('n')])
      .where('contact_id', '=', id)
      .where('kind', '=', 'viewed')
      .executeTakeFirstOrThrow(),
  ]);
  if (!views.n) return changes;
  const viewed = { at: new Date(views.at), kind: 'viewed' as const, summary: views.n === 1 ? 'Viewed the full record' : `Viewed the full record (${views.n} times in all; the latest shown)` };
  return [...changes, viewed].sort((a, b) => b.at.getTime() - a.at.getTime());
}
