import { pageSource } from '../db/contact-sync.repository.js';
import type { GhlV1Client } from '../ghl/client.js';
import { GhlResponseError } from '../ghl/errors.js';
import type { GhlContact } from '../ghl/types.js';
import { V1_MAX_LIMIT } from '../ghl/v1.js';
import type { SyncPass } from './pass.js';

/**
 * v1 pages with a cursor (startAfter/startAfterId), 100 at a time, so a full read is sequential.
 * Newest first by dateAdded for a full pass; newest first by dateUpdated for an incremental one,
 * stopping at the first page that reaches back past `from` (read whole when GHL does not list in
 * that order).
 */
export async function traverseV1(pass: SyncPass, api: GhlV1Client, from: string | null): Promise<{ total: number }> {
  let cursor: { startAfter: number; startAfterId: string } | undefined;
  let total = 0;
  // A cursor GHL hands out twice would page in a circle until the daily budget is gone.
  const cursors = new Set<string>();
  let sortedByChange = true;
  for (let first = true; ; first = false) {
    const page = await api.listContacts(
      { limit: V1_MAX_LIMIT, ...cursor, ...(from ? { sortBy: 'date_updated', order: 'desc' } : {}) },
      pass.signal,
      { checkNumbers: pass.copies },
    );
    if (first) {
      total = page.total;
      pass.noteRemoteTotal(total);
    }
    const wanted = page.contacts.flatMap((c, i) => (!from || !c.dateUpdated || c.dateUpdated >= from ? [i] : []));
    // Stopping at the first old contact assumes the list is newest-changed first. A list that is
    // not (sortBy ignored) is read whole, or edits to older contacts would be missed.
    if (from && sortedByChange && !newestChangedFirst(page.contacts)) {
      sortedByChange = false;
      pass.log.warn("GoHighLevel's v1 list is not sorted by last change as asked; this incremental sync reads the whole list");
    }
    // The records are stored from the page's own bytes, found by their place in its list.
    await pass.writePage(() => ({
      contacts: wanted.map((i) => page.contacts[i]!),
      positions: wanted.map((i) => page.positions[i]!),
      problems: page.problems,
      source: page.bytes && pageSource(page.bytes),
      inexactNumbers: page.inexactNumbers,
    }));
    const reachedOld = from !== null && sortedByChange && wanted.length < page.contacts.length;
    if (!page.next || reachedOld || page.contacts.length === 0) break;
    const key = `${page.next.startAfter}/${page.next.startAfterId}`;
    if (cursors.has(key)) throw new GhlResponseError(`GoHighLevel's v1 paging came back to a page it had given (startAfterId ${page.next.startAfterId}) after ${cursors.size + 1} pages, so the list cannot be read whole`);
    cursors.add(key);
    cursor = page.next;
  }
  return { total };
}

function newestChangedFirst(contacts: readonly GhlContact[]): boolean {
  return contacts.every((c, i) => i === 0 || (contacts[i - 1]!.dateUpdated ?? '') >= (c.dateUpdated ?? ''));
}
