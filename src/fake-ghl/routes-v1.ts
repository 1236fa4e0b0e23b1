import { lowerBound, runQuery } from './query.js';
import type { Reply, RouteContext } from './routes-v2.js';
import { pipelineJson, v1Contact } from './shapes.js';
import { sortKey } from './store.js';

/** `GET /v1/contacts/`: newest first, 100 at most, cursor (startAfter ms, startAfterId) of the last item. */
export function listContactsV1(ctx: RouteContext, q: URLSearchParams): Reply {
  const limit = Math.max(1, Math.min(100, Number(q.get('limit') ?? 20) || 20));
  const field = q.get('sortBy') === 'date_updated' && !ctx.v1IgnoresSort ? 'dateUpdated' : 'dateAdded';
  const order = q.get('order') === 'asc' && !ctx.v1IgnoresSort ? 'asc' : 'desc';
  const query = q.get('query') ?? undefined;
  const key = sortKey(field);
  const view = query ? runQuery(ctx.store, { filters: [], sortField: field, direction: 'asc', query }) : ctx.store.sorted(field);
  const after = q.get('startAfter');
  const afterId = q.get('startAfterId');
  // Positions in the ascending view; "after the cursor" means below it when newest-first.
  let from: number;
  if (after !== null && afterId) {
    const p = lowerBound(view, key, Number(after), afterId);
    from = order === 'desc' ? p - 1 : view[p]?.id === afterId ? p + 1 : p;
  } else from = order === 'desc' ? view.length - 1 : 0;
  const page = [];
  for (let i = from; page.length < limit && i >= 0 && i < view.length; i += order === 'desc' ? -1 : 1) page.push(view[i]!);
  const last = page.at(-1);
  const consumed = order === 'desc' ? view.length - 1 - from : from;
  const more = consumed + page.length < view.length;
  const currentPage = Math.floor(consumed / limit) + 1;
  const next = new URL(`${ctx.baseUrl.replace(/^https?:/, 'http:')}/v1/contacts`);
  for (const [k, v] of q) next.searchParams.set(k, v);
  if (last) {
    next.searchParams.set('startAfter', String(key(last)));
    next.searchParams.set('startAfterId', last.id);
  }
  return {
    status: 200,
    body: {
      contacts: page.map(v1Contact),
      meta: {
        total: view.length,
        nextPageUrl: more ? next.toString() : null,
        startAfterId: last?.id ?? null,
        startAfter: last ? key(last) : null,
        currentPage,
        nextPage: more ? currentPage + 1 : null,
        prevPage: currentPage > 1 ? currentPage - 1 : null,
      },
    },
  };
}

export function getContactV1(ctx: RouteContext, id: string, notFoundStatus: 400 | 404): Reply {
  const c = ctx.store.get(id);
  if (!c) return { status: notFoundStatus, body: notFoundStatus === 400 ? { msg: 'Contact not found', message: 'Contact not found' } : { statusCode: 404, message: 'Contact not found' } };
  return { status: 200, body: { contact: v1Contact(c) } };
}

export function listPipelinesV1(ctx: RouteContext): Reply {
  return { status: 200, body: { pipelines: ctx.store.pipelines.map((p) => pipelineJson(p, true, ctx.locationId)) } };
}
