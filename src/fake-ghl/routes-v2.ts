import { randomUUID } from 'node:crypto';
import { jsonText } from './json-text.js';
import { type Filter, QueryError, runQuery } from './query.js';
import { opportunityJson, pipelineJson, v2Contact, v2SearchContact } from './shapes.js';
import type { FakeStore, SortField } from './store.js';
import type { FakeContact } from './types.js';

export interface Reply {
  status: number;
  body: unknown;
  /** The body already serialised, when the route can do that cheaply (large listings). */
  json?: string | Buffer;
}

export interface RouteContext {
  store: FakeStore;
  locationId: string;
  indexLagMs: number;
  baseUrl: string;
  /** v1 lists newest-added first whatever sortBy says (as some GHL deployments may). */
  v1IgnoresSort?: boolean;
}

const SORT_FIELDS = new Set<SortField>(['dateAdded', 'dateUpdated', 'firstNameLowerCase', 'lastNameLowerCase', 'email']);
const unprocessable = (message: string): Reply => ({ status: 422, body: { statusCode: 422, message: [message], error: 'Unprocessable Entity' } });

/** Recent query results, so the pages of one traversal do not each re-filter 100,000 contacts. */
const cache = new WeakMap<FakeStore, Map<string, FakeContact[]>>();

function cachedQuery(ctx: RouteContext, key: string, run: () => FakeContact[]): FakeContact[] {
  let byKey = cache.get(ctx.store);
  if (!byKey) cache.set(ctx.store, (byKey = new Map()));
  const full = `${ctx.store.changeVersion}|${ctx.indexLagMs ? Math.floor(ctx.store.now() / 50) : 0}|${key}`;
  const hit = byKey.get(full);
  if (hit) return hit;
  const result = run();
  if (byKey.size > 16) byKey.clear();
  byKey.set(full, result);
  return result;
}

export function searchContacts(ctx: RouteContext, body: Record<string, unknown>): Reply {
  const pageLimit = body.pageLimit;
  if (typeof pageLimit !== 'number' || !Number.isInteger(pageLimit) || pageLimit < 1) return unprocessable('pageLimit must be a positive integer');
  if (pageLimit > 500) return unprocessable('pageLimit must not be greater than 500');
  const page = body.page === undefined ? 1 : body.page;
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 1) return unprocessable('page must be a positive integer');
  if (page * pageLimit > 10_000) return unprocessable('Standard pagination is limited to 10,000 records; use searchAfter beyond that');
  if (body.query !== undefined && (typeof body.query !== 'string' || body.query.length > 75)) return unprocessable('query must be a string of at most 75 characters');
  const sorts = Array.isArray(body.sort) && body.sort.length ? (body.sort as Array<{ field: SortField; direction?: string }>) : [{ field: 'dateAdded' as SortField, direction: 'desc' }];
  if (sorts.length > 2 || !sorts.every((s) => SORT_FIELDS.has(s.field))) return unprocessable('sort supports at most 2 of dateAdded, dateUpdated, firstNameLowerCase, lastNameLowerCase, email');
  const sort = sorts[0]!;
  const direction = sort.direction === 'desc' ? 'desc' : 'asc';
  const filters = Array.isArray(body.filters) ? (body.filters as Filter[]) : [];
  const now = ctx.store.now();
  let results: FakeContact[];
  try {
    results = cachedQuery(ctx, JSON.stringify([filters, sort.field, direction, body.query ?? '']), () =>
      runQuery(ctx.store, {
        filters,
        sortField: sort.field,
        direction,
        query: body.query as string | undefined,
        // The search index lags writes: very recent changes are not searchable yet.
        hidden: ctx.indexLagMs > 0 ? (c) => ctx.store.lastWrite(c.id) > now - ctx.indexLagMs : undefined,
      }),
    );
  } catch (err) {
    if (err instanceof QueryError) return unprocessable(err.message);
    throw err;
  }
  let start = (page - 1) * pageLimit;
  if (Array.isArray(body.searchAfter)) {
    const [value, id] = body.searchAfter as [number | string, string];
    start = results.findIndex((c) => isAfter(c, sort.field, direction, value, id));
    if (start < 0) start = results.length;
  }
  const slice = results.slice(start, start + pageLimit);
  const field = sort.field;
  return {
    status: 200,
    // A real GHL spends its own CPU on JSON; the fake reuses each contact's serialised form so a
    // benchmark on one machine measures the client, not the simulator.
    json: Buffer.concat([
      Buffer.from('{"contacts":['),
      ...slice.flatMap((c, i) => (i ? [COMMA, cachedJson(c, field)] : [cachedJson(c, field)])),
      Buffer.from(`],"total":${results.length},"traceId":"${randomUUID()}"}`),
    ]),
    get body() {
      return { contacts: slice.map((c) => v2SearchContact(c, sortValue(c, field))), total: results.length };
    },
  };
}

const COMMA = Buffer.from(',');
// Kept as UTF-8 bytes, so a page is a copy of its contacts' bytes (no re-encoding, no length scan).
const jsonCache = new WeakMap<FakeContact, Map<SortField, Buffer>>();

/** Serialises every contact as a date-sorted search returns it, ahead of time (benchmarks call it before measuring). */
export function warmSearchJson(contacts: readonly FakeContact[]): void {
  for (const c of contacts) for (const field of ['dateAdded', 'dateUpdated'] as const) cachedJson(c, field);
}

function cachedJson(c: FakeContact, field: SortField): Buffer {
  let byField = jsonCache.get(c);
  if (!byField) jsonCache.set(c, (byField = new Map()));
  let text = byField.get(field);
  if (text === undefined) byField.set(field, (text = Buffer.from(jsonText(v2SearchContact(c, sortValue(c, field))))));
  return text;
}

function sortValue(c: FakeContact, field: SortField): number | string {
  if (field === 'dateAdded') return c.dateAdded;
  if (field === 'dateUpdated') return c.dateUpdated;
  if (field === 'email') return (c.email ?? '').toLowerCase();
  return ((field === 'firstNameLowerCase' ? c.firstName : c.lastName) ?? '').toLowerCase();
}

function isAfter(c: FakeContact, field: SortField, direction: 'asc' | 'desc', value: number | string, id: string): boolean {
  const v = sortValue(c, field);
  const cmp = v < value ? -1 : v > value ? 1 : c.id < id ? -1 : c.id > id ? 1 : 0;
  return direction === 'asc' ? cmp > 0 : cmp < 0;
}

export function getContact(ctx: RouteContext, id: string): Reply {
  const c = ctx.store.get(id);
  if (!c) return { status: 404, body: { statusCode: 404, message: 'Contact not found' } };
  return { status: 200, body: { contact: v2Contact(c) } };
}

export function listPipelines(ctx: RouteContext): Reply {
  return { status: 200, body: { pipelines: ctx.store.pipelines.map((p) => pipelineJson(p, false, ctx.locationId)) } };
}

/** `GET /opportunities/search` and v1's per-pipeline list: newest first, cursor (createdAt, id). */
export function searchOpportunities(ctx: RouteContext, q: URLSearchParams, path: string, pipelineId: string | null, v1: boolean): Reply {
  const limitRaw = Number(q.get('limit') ?? 20);
  if (!Number.isInteger(limitRaw) || limitRaw < 1 || (!v1 && limitRaw > 100)) return unprocessable('limit must be between 1 and 100');
  const limit = Math.min(limitRaw, 100);
  const status = q.get('status') ?? 'all';
  const pipeline = pipelineId ?? q.get('pipeline_id');
  const all = ctx.store.opportunities
    .filter((o) => (!pipeline || o.pipelineId === pipeline) && (status === 'all' || o.status === status) && (!q.get('contact_id') || o.contactId === q.get('contact_id')))
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const after = q.get('startAfter');
  const afterId = q.get('startAfterId');
  let start = 0;
  if (after !== null && afterId) {
    const at = Number(after);
    start = all.findIndex((o) => o.createdAt < at || (o.createdAt === at && o.id < afterId));
    if (start < 0) start = all.length;
  }
  const slice = all.slice(start, start + limit);
  const last = slice.at(-1);
  const more = start + limit < all.length;
  const next = new URL(`${ctx.baseUrl}${path}`);
  for (const [k, v] of q) next.searchParams.set(k, v);
  if (last) {
    next.searchParams.set('startAfter', String(last.createdAt));
    next.searchParams.set('startAfterId', last.id);
  }
  const currentPage = Math.floor(start / limit) + 1;
  return {
    status: 200,
    body: {
      opportunities: slice.map((o) => opportunityJson(o, ctx.store.get(o.contactId), ctx.locationId)),
      meta: {
        total: all.length,
        nextPageUrl: more ? next.toString() : null,
        startAfterId: last?.id ?? null,
        startAfter: last?.createdAt ?? null,
        currentPage,
        nextPage: more ? currentPage + 1 : null,
        prevPage: currentPage > 1 ? currentPage - 1 : null,
      },
      aggregations: {},
    },
  };
}
