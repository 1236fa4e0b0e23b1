import pLimit from 'p-limit';
import type { GhlV2Client } from '../ghl/client.js';
import { GhlError } from '../ghl/errors.js';
import type { GhlContact } from '../ghl/types.js';
import { V2_MAX_PAGE_LIMIT, V2_PAGE_WINDOW, type V2ContactPage, type V2Filter, type V2SearchRequest } from '../ghl/v2.js';
import type { SyncPass } from './pass.js';

export const PAGE_SIZE = V2_MAX_PAGE_LIMIT;
const PAGES_PER_WINDOW = V2_PAGE_WINDOW / PAGE_SIZE;

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
  const limit = pLimit(concurrency);
  let excludeSupported = true;
  const fetchPage = (bound: Bound | null, page: number): Promise<V2ContactPage> =>
    limit(async () => {
      try {
        return await api.searchContacts(request(field, bound, page, excludeSupported), pass.signal);
      } catch (err) {
        // Should GHL refuse the id filter, chunks overlap by a record instead (duplicates are skipped).
        if (!(excludeSupported && bound?.excludeId && err instanceof GhlError && (err.status === 400 || err.status === 422))) throw err;
        excludeSupported = false;
        pass.log.warn('GoHighLevel refused the id filter between chunks; continuing with overlapping chunks', { error: err.message });
        return api.searchContacts(request(field, bound, page, false), pass.signal);
      }
    });
  const consume = async (p: V2ContactPage): Promise<V2ContactPage> => {
    await pass.write(p.contacts, p.problems);
    return p;
  };

  const start: Bound | null = from ? { from, excludeId: null } : null;
  const first = await consume(await fetchPage(start, 1));
  const total = first.total;
  pass.counters.remoteTotal ??= total;

  let bound = start;
  let chunkTotal = total;
  let firstPageDone = true;
  const jobs: Promise<unknown>[] = [];
  for (;;) {
    const pages = Math.ceil(chunkTotal / PAGE_SIZE);
    if (pages <= PAGES_PER_WINDOW) {
      for (let page = firstPageDone ? 2 : 1; page <= pages; page++) jobs.push(fetchPage(bound, page).then(consume));
      break;
    }
    // The chunk's last page decides where the next chunk starts: fetch it first, the rest alongside.
    const lastPage = fetchPage(bound, PAGES_PER_WINDOW).then(consume);
    for (let page = firstPageDone ? 2 : 1; page < PAGES_PER_WINDOW; page++) jobs.push(fetchPage(bound, page).then(consume));
    const edge = await lastPage;
    const boundary = lastOf(edge.contacts, field);
    if (!boundary) break;
    // What is left: the chunk's total minus the 10,000 just covered. Later chunks learn their
    // own total from their first answer, so contacts added meanwhile are not missed.
    const nextBound: Bound = { from: boundary.at, excludeId: boundary.id };
    const probe = await consume(await fetchPage(nextBound, 1));
    chunkTotal = probe.total;
    bound = nextBound;
    firstPageDone = true;
  }
  await Promise.all(jobs);
  return { total };
}

function lastOf(contacts: readonly GhlContact[], field: SortField): { at: string; id: string } | null {
  const last = contacts.at(-1);
  const at = last?.[field];
  return last && at ? { at, id: last.id } : null;
}

function request(field: SortField, bound: Bound | null, page: number, exclude: boolean): V2SearchRequest {
  const filters: V2Filter[] = [];
  if (bound) {
    filters.push({ field, operator: 'range', value: { gte: bound.from } });
    if (bound.excludeId && exclude) filters.push({ field: 'id', operator: 'not_eq', value: bound.excludeId });
  }
  return { pageLimit: PAGE_SIZE, page, sort: [{ field, direction: 'asc' }], ...(filters.length ? { filters } : {}) };
}

/** GHL's total for the whole location, at the cost of one small request. */
export async function remoteContactTotal(api: GhlV2Client, signal: AbortSignal): Promise<number> {
  const p = await api.searchContacts({ pageLimit: 1, page: 1 }, signal);
  return p.total;
}

