import pLimit from 'p-limit';
import type { GhlV2Client } from '../ghl/client.js';
import { pageSource } from '../db/contact-sync.repository.js';
import { GhlError, GhlResponseError } from '../ghl/errors.js';
import type { GhlContact } from '../ghl/types.js';
import { parseSearchPage, V2_MAX_PAGE_LIMIT, V2_PAGE_WINDOW, type V2Filter, type V2SearchRequest } from '../ghl/v2.js';
import type { SyncPass } from './pass.js';

export const PAGE_SIZE = V2_MAX_PAGE_LIMIT;
const PAGES_PER_WINDOW = V2_PAGE_WINDOW / PAGE_SIZE;
/**
 * Pages read but not yet written, held as response bytes (~0.7 MB each at 500 contacts). A few
 * pages ahead keep the writer from waiting on a round trip, and the next rate window's pages
 * arrive as fast as it opens instead of at the pace the previous window was written. More costs
 * memory for no measurable gain: 16 (100,000 contacts on PostgreSQL, four alternating pairs) moved
 * the pass by -0.7, +1.4, -1.0 and -0.4 s, and peak RSS up by ~10 MB.
 */
export const PAGES_READ_AHEAD = 6;
/** Pages of the chunk chain (a chunk's first and last) read and not yet written. */
export const CHAIN_PAGES_HELD = 4;

type SortField = 'dateAdded' | 'dateUpdated';

interface Bound {
  from: string;
  /** The record the previous chunk ended on; excluded so chunks do not overlap. */
  excludeId: string | null;
}

/**
 * Reads every contact whose `field` is at or after `from` (all contacts when null), sorted by it.
 *
 * Numbered pages reach only the first 10,000 records of a query, so beyond that the range is
 * cut into chunks of 10,000: each chunk starts where the previous chunk's last page ended
 * (`field >= boundary`, boundary record excluded). Only the last page of each chunk is on the
 * critical path; every other page is fetched concurrently, so a large account syncs at the
 * speed of the rate limit instead of the speed of a cursor.
 */
export async function traverseV2(
  pass: SyncPass,
  api: GhlV2Client,
  field: SortField,
  from: string | null,
  concurrency: number,
): Promise<{ total: number }> {
  // Requests in flight are limited by `concurrency`. A page read but not yet written waits as
  // bytes, and their number is bounded, so memory stays bounded: PAGES_READ_AHEAD ordinary pages,
  // plus CHAIN_PAGES_HELD of the pages that decide where the next chunk starts. Those use their own
  // slots, so the chain of chunks keeps moving while earlier pages are being stored.
  const limit = pLimit(concurrency);
  const readAheadSlots = pLimit(PAGES_READ_AHEAD);
  const chainSlots = pLimit(CHAIN_PAGES_HELD);
  let excludeSupported = true;
  const fetchBytes = async (bound: Bound | null, page: number): Promise<Buffer> => {
    try {
      return await api.searchContactsBytes(request(field, bound, page, excludeSupported), pass.signal);
    } catch (err) {
      // Should GHL refuse the id filter, chunks overlap by a record instead (duplicates are skipped).
      if (!(excludeSupported && bound?.excludeId && err instanceof GhlError && (err.status === 400 || err.status === 422))) throw err;
      excludeSupported = false;
      pass.log.warn('GoHighLevel refused the id filter between chunks; continuing with overlapping chunks', { error: err.message });
      return api.searchContactsBytes(request(field, bound, page, false), pass.signal);
    }
  };
  const jobs: Promise<unknown>[] = [];
  // Settled together at the end; until then a failure must not count as an unhandled rejection.
  const track = (job: Promise<unknown>) => {
    job.catch(() => {});
    jobs.push(job);
  };
  let failed = false;
  // Queues a page for writing from its bytes; once a write fails, no further page is read.
  const store = (bytes: Buffer) =>
    pass.writePage(() => {
      const page = parseSearchPage(bytes, { checkNumbers: pass.copies });
      return { ...page, source: page.textChanged ? null : pageSource(bytes) };
    }).catch((err: unknown) => {
      failed = true;
      throw err;
    });
  const readAndWrite = (bound: Bound | null, page: number) =>
    track(
      readAheadSlots(async () => {
        try {
          // After a failure, pages not yet read are skipped: the run fails anyway.
          const bytes = await limit(() => (failed ? null : fetchBytes(bound, page)));
          if (bytes !== null && !failed) await store(bytes);
        } catch (err) {
          failed = true;
          throw err;
        }
      }),
    );
  // Reads a page the chain needs now (its count, its last record), and queues it for writing from its bytes.
  const readAhead = (bound: Bound | null, page: number) =>
    new Promise<{ total: number; last: { at: string; id: string } | null }>((resolve, reject) =>
      track(
        chainSlots(async () => {
          let bytes: Buffer;
          try {
            bytes = await fetchBytes(bound, page);
            const p = parseSearchPage(bytes);
            // Without a count, a full page is all that would be read: 500 of any number, "succeeded".
            if (p.totalUnknown && p.listed >= PAGE_SIZE) throw new GhlResponseError(`GoHighLevel answered POST /contacts/search with a full page of ${p.listed} contacts but no usable total, so the list cannot be read whole`);
            resolve({ total: p.total, last: lastOf(p.contacts, field) });
          } catch (err) {
            reject(err);
            return;
          }
          // The slot is held until the page is stored.
          await store(bytes);
        }),
      ),
    );

  const start: Bound | null = from ? { from, excludeId: null } : null;
  const first = await readAhead(start, 1);
  const total = first.total;
  pass.noteRemoteTotal(total);

  let bound = start;
  let chunkTotal = total;
  try {
    while (!failed) {
      const pages = Math.ceil(chunkTotal / PAGE_SIZE);
      if (pages <= PAGES_PER_WINDOW) {
        for (let page = 2; page <= pages; page++) readAndWrite(bound, page);
        break;
      }
      // The chunk's last page decides where the next chunk starts: fetch it first, the rest alongside.
      const edgePage = readAhead(bound, PAGES_PER_WINDOW);
      for (let page = 2; page < PAGES_PER_WINDOW; page++) readAndWrite(bound, page);
      const boundary = (await edgePage).last;
      if (!boundary) break;
      // A chunk of 10,000 contacts all stamped at the very moment it starts from cannot move on.
      if (bound && boundary.at === bound.from) throw new GhlResponseError(`more than ${V2_PAGE_WINDOW} contacts share the ${field} ${boundary.at}, beyond what GoHighLevel's numbered pages reach, so the list cannot be read whole`);
      // The next chunk learns its own total from its first answer, so contacts added meanwhile are not missed.
      bound = { from: boundary.at, excludeId: boundary.id };
      chunkTotal = (await readAhead(bound, 1)).total;
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Every page started must settle before the caller decides anything (e.g. deletions).
    const results = await Promise.allSettled(jobs);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
  }
  return { total };
}

/** Pages of changes read with the cursor beyond those GHL counted at first (see followChangesV2). */
const CHASE_PAGES = 10;

/**
 * Reads the contacts changed since `from`, oldest change first, with GHL's cursor (searchAfter):
 * each page starts after the last record read, one page after another. Numbered pages, read side
 * by side, can lose a record between two of them: one already read that changes again moves to the
 * end of a list sorted by change, every later record moves back a place, and the first of the next
 * page is then on a page already read. A cursor skips nothing; the one that moved is read again at
 * the end. The next page is asked for while the last one is written.
 *
 * Records changed after this run began are read by the next run too, so the read stops a few pages
 * past the count GHL gave at first rather than chase an account that keeps changing. Should GHL
 * hand out no cursor, the list is read with numbered pages instead (`exact: false`).
 */
export async function followChangesV2(pass: SyncPass, api: GhlV2Client, from: string, concurrency: number): Promise<{ total: number; exact: boolean }> {
  let cursor: readonly [number, string] | undefined;
  let total = 0;
  // Without GHL's count, no page is known to be past the changes made before this run: read to the end.
  let lastPage = Infinity;
  let written: Promise<void> = Promise.resolve();
  const cursors = new Set<string>();
  try {
    for (let page = 1; ; page++) {
      const bytes = await api.searchContactsBytes(request('dateUpdated', { from, excludeId: null }, cursor ?? 1, false), pass.signal);
      const read = parseSearchPage(bytes);
      const more = read.listed >= PAGE_SIZE;
      if (page === 1) {
        // A full first page without a cursor to go on from: numbered pages, as for a full pass.
        if (more && !read.lastCursor) {
          pass.log.warn("GoHighLevel's contact search gave no cursor (searchAfter); reading the changes with numbered pages");
          return { ...(await traverseV2(pass, api, 'dateUpdated', from, concurrency)), exact: false };
        }
        total = read.total;
        pass.noteRemoteTotal(total);
        if (!read.totalUnknown) lastPage = Math.ceil(total / PAGE_SIZE) + CHASE_PAGES;
      }
      // One page waits while the one before it is written, no more.
      await written;
      written = pass.writePage(() => ({ ...read, source: read.textChanged ? null : pageSource(bytes) }));
      written.catch(() => {}); // Awaited below or on the next page; until then a rejection is not "unhandled".
      if (!more) break;
      if (!read.lastCursor) throw new GhlResponseError(`GoHighLevel answered POST /contacts/search with a full page but no cursor (searchAfter) to read on from, after ${page} pages`);
      const key = read.lastCursor.join('/');
      if (cursors.has(key)) throw new GhlResponseError(`GoHighLevel's search cursor came back to a page it had given (searchAfter ${key}) after ${page} pages, so the changes cannot be read whole`);
      cursors.add(key);
      if (page >= lastPage) {
        pass.log.info(`the changes kept coming while they were read; those after page ${page} wait for the next sync`);
        break;
      }
      cursor = read.lastCursor;
    }
  } finally {
    await written.catch(() => {});
  }
  await written;
  return { total, exact: true };
}

function lastOf(contacts: readonly GhlContact[], field: SortField): { at: string; id: string } | null {
  const last = contacts.at(-1);
  const at = last?.[field];
  return last && at ? { at, id: last.id } : null;
}

/** A page of the list: numbered, or after a cursor (searchAfter, which is sent without a page number). */
function request(field: SortField, bound: Bound | null, page: number | readonly [number, string], exclude: boolean): V2SearchRequest {
  const filters: V2Filter[] = [];
  if (bound) {
    filters.push({ field, operator: 'range', value: { gte: bound.from } });
    if (bound.excludeId && exclude) filters.push({ field: 'id', operator: 'not_eq', value: bound.excludeId });
  }
  return { pageLimit: PAGE_SIZE, ...(typeof page === 'number' ? { page } : { searchAfter: page }), sort: [{ field, direction: 'asc' }], ...(filters.length ? { filters } : {}) };
}

/** GHL's total for the whole location, at the cost of one small request. */
export async function remoteContactTotal(api: GhlV2Client, signal: AbortSignal): Promise<number> {
  const p = await api.searchContacts({ pageLimit: 1, page: 1 }, signal);
  return p.total;
}

