import pLimit from 'p-limit';
import { activeContactIds, markContactsDeleted, storedRecords } from '../db/contacts.repository.js';
import { parseContact } from '../ghl/parse-contact.js';
import type { GhlContact } from '../ghl/types.js';
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
  const found: GhlContact[] = [];
  // One lookup failing fails the run: the others still queued or in flight are called off, not
  // left spending the rate limit (and retrying a failing GHL) after the run has ended.
  const stop = new AbortController();
  const signal = AbortSignal.any([pass.signal, stop.signal]);
  try {
    await Promise.all(
      batch.map((id) =>
        limit(async () => {
          const contact = await pass.ghl.getContact(id, signal);
          if (contact) found.push(contact);
          else gone.push(id);
        }),
      ),
    );
  } catch (err) {
    limit.clearQueue();
    stop.abort();
    throw err;
  }
  if (found.length) {
    const stored = await storedRecords(pass.db, found.map((c) => c.id));
    await pass.write(found.map((c) => shapedLike(stored.get(c.id), c)));
  }
  const deleted = await markContactsDeleted(pass.db, gone, pass.runId);
  pass.counters.deleted += deleted;
  const pending = candidates.length - batch.length;
  if (pending > 0) pass.addError(`${pending} possibly deleted contacts are left to confirm on the next full sync`);
  return { deleted, pending };
}

/**
 * A single read (GET /contacts/{id}) has other keys than a list's records (name,
 * fullNameLowerCase, lastActivity, timezone…). Stored as it comes, the next list would "change"
 * it back: a history row and an activity date for nothing. So it takes the stored record's keys:
 * their values from the single read where it has them, the stored ones where it has not.
 */
function shapedLike(stored: Record<string, unknown> | undefined, read: GhlContact): GhlContact {
  if (!stored) return read;
  const raw: Record<string, unknown> = {};
  // defineProperty: a key named "__proto__" is data here, as parse-contact treats it.
  for (const key of Object.keys(stored)) {
    Object.defineProperty(raw, key, { value: Object.hasOwn(read.raw, key) ? read.raw[key] : stored[key], enumerable: true, writable: true, configurable: true });
  }
  const p = parseContact(raw);
  return p.ok ? p.contact : read;
}
