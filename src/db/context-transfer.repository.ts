import { type Kysely, sql } from 'kysely';
import { readNotes, writeSavedContext } from './contact-context.repository.js';
import type { ContactNote, Database } from './database.js';

/** What people saved about one contact (by `save_contact_context`), as another brain holds it. */
export interface SavedContext {
  contactId: string;
  manualNicknames: string[];
  notes: ContactNote[];
  importanceOverride: number | null;
  /** The `context_saved` history events, oldest first. */
  events: Array<{ at: Date; summary: string; details: unknown }>;
  /** The contact is deleted in GoHighLevel, as that brain last saw it (no sync brings it here). */
  deletedThere: boolean;
}

/** Every contact with saved context. Reads only: the source brain is left as it was. */
export async function readSavedContexts(db: Kysely<Database>): Promise<SavedContext[]> {
  const rows = await db
    .selectFrom('contact_context')
    .leftJoin('contacts', 'contacts.id', 'contact_context.contact_id')
    .select(['contact_context.contact_id', 'manual_nicknames', 'notes', 'importance_override', sql<boolean>`contacts.deleted_at IS NOT NULL`.as('deleted_there')])
    .where((eb) =>
      eb.or([
        sql<boolean>`cardinality(manual_nicknames) > 0`,
        // Notes another program wrote as something other than a list count too (see readNotes).
        sql<boolean>`CASE WHEN jsonb_typeof(notes) = 'array' THEN jsonb_array_length(notes) > 0 ELSE jsonb_typeof(notes) <> 'null' END`,
        eb('importance_override', 'is not', null),
      ]),
    )
    .orderBy('contact_context.contact_id')
    .execute();
  const events = await db
    .selectFrom('interaction_history')
    .select(['contact_id', 'at', 'summary', 'details'])
    .where('kind', '=', 'context_saved')
    .orderBy('id')
    .execute();
  const byContact = new Map<string, SavedContext['events']>();
  for (const e of events) {
    const list = byContact.get(e.contact_id) ?? [];
    list.push({ at: new Date(e.at), summary: e.summary, details: e.details });
    byContact.set(e.contact_id, list);
  }
  return rows.map((r) => ({
    contactId: r.contact_id,
    manualNicknames: r.manual_nicknames ?? [],
    notes: readNotes(r.notes),
    importanceOverride: r.importance_override ?? null,
    events: byContact.get(r.contact_id) ?? [],
    deletedThere: r.deleted_there,
  }));
}

export type MergeOutcome = 'copied' | 'already_there' | 'contact_missing';

/**
 * Merges one contact's saved context into this brain, in one transaction: nicknames are added,
 * notes and history events not already present are appended (so running it twice changes
 * nothing), and an importance override set here is kept over the copied one.
 */
export async function mergeSavedContext(db: Kysely<Database>, saved: SavedContext): Promise<MergeOutcome> {
  return db.transaction().execute(async (trx) => {
    const contact = await trx.selectFrom('contacts').selectAll().where('id', '=', saved.contactId).executeTakeFirst();
    if (!contact) return 'contact_missing';
    const current = await trx.selectFrom('contact_context').selectAll().where('contact_id', '=', saved.contactId).forUpdate().executeTakeFirst();

    const manual = [...(current?.manual_nicknames ?? [])];
    for (const n of saved.manualNicknames) if (!manual.some((m) => m.toLowerCase() === n.toLowerCase())) manual.push(n);
    const notes = [...readNotes(current?.notes)];
    for (const n of saved.notes) if (!notes.some((m) => m.at === n.at && m.text === n.text)) notes.push(n);
    notes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const override = current?.importance_override ?? saved.importanceOverride;

    const known = await trx
      .selectFrom('interaction_history')
      .select(['at', 'summary'])
      .where('contact_id', '=', saved.contactId)
      .where('kind', '=', 'context_saved')
      .execute();
    const newEvents = saved.events.filter((e) => !known.some((k) => new Date(k.at).getTime() === e.at.getTime() && k.summary === e.summary));

    const contextChanged =
      manual.length !== (current?.manual_nicknames ?? []).length || notes.length !== (current?.notes ?? []).length || override !== (current?.importance_override ?? null);
    if (!contextChanged && newEvents.length === 0) return 'already_there';

    if (contextChanged) await writeSavedContext(trx, contact, { nicknames: current?.nicknames ?? [], manual, notes, override });
    if (newEvents.length) {
      await trx
        .insertInto('interaction_history')
        .values(newEvents.map((e) => ({ contact_id: saved.contactId, kind: 'context_saved' as const, at: e.at, summary: e.summary, details: e.details === null ? null : JSON.stringify(e.details) })))
        .execute();
    }
    return 'copied';
  });
}
