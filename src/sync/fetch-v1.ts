import type { GhlV1Client } from '../ghl/client.js';
import { V1_MAX_LIMIT } from '../ghl/v1.js';
import type { SyncPass } from './pass.js';

/**
 * v1 pages with a cursor (startAfter/startAfterId), 100 at a time, so a full read is sequential.
 * Newest first by dateAdded for a full pass; newest first by dateUpdated for an incremental one,
 * stopping at the first page that reaches back past `from`.
 */
export async function traverseV1(pass: SyncPass, api: GhlV1Client, from: string | null): Promise<{ total: number }> {
  let cursor: { startAfter: number; startAfterId: string } | undefined;
  let total = 0;
  for (let first = true; ; first = false) {
    const page = await api.listContacts(
      { limit: V1_MAX_LIMIT, ...cursor, ...(from ? { sortBy: 'date_updated', order: 'desc' } : {}) },
      pass.signal,
    );
    if (first) {
      total = page.total;
      pass.noteRemoteTotal(total);
    }
    const wanted = from ? page.contacts.filter((c) => !c.dateUpdated || c.dateUpdated >= from) : page.contacts;
    await pass.write(wanted, page.problems);
    const reachedOld = from !== null && wanted.length < page.contacts.length;
    if (!page.next || reachedOld || page.contacts.length === 0) break;
    cursor = page.next;
  }
  return { total };
}
