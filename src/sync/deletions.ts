import pLimit from 'p-limit';
import { activeContactIds, markContactsDeleted } from '../db/contacts.repository.js';
import type { SyncPass } from './pass.js';

/** Confirming a deletion costs a request each; more than this many wait for the next run. */
const MAX_CONFIRMATIONS_PER_RUN = 500;

/**
 * After a complete full pass, contacts the brain has but GHL did not list are only candidates:
 * each is looked up, and only a "not found" from GHL marks it deleted. One that still exists
 * was missed by paging (records shift when others are deleted mid-read) and is written instead.
 */
export async function reconcileDeletions(pass: SyncPass): Promise<{ deleted: number; pending: number }> {
  const candidates = (await activeContactIds(pass.db)).filter((id) => !pass.seen.has(id));
  if (candidates.length === 0) return { deleted: 0, pending: 0 };
  const batch = candidates.slice(0, MAX_CONFIRMATIONS_PER_RUN);
  const limit = pLimit(10);
  const gone: string[] = [];
  await Promise.all(
    batch.map((id) =>
      limit(async () => {
        const contact = await pass.ghl.getContact(id, pass.signal);
        if (contact) await pass.write([contact]);
        else gone.push(id);
      }),
    ),
  );
  const deleted = await markContactsDeleted(pass.db, gone, pass.runId);
  pass.counters.deleted += deleted;
  const pending = candidates.length - batch.length;
  if (pending > 0) pass.addError(`${pending} possibly deleted contacts are left to confirm on the next full sync`);
  return { deleted, pending };
}
