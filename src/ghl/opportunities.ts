import pLimit from 'p-limit';
import { z } from 'zod';
import { GhlResponseError } from './errors.js';
import type { GhlHttp } from './http.js';
import { parseOpportunity, parsePipeline } from './parse-opportunity.js';
import type { GhlOpportunity, GhlPipeline, OpportunityStatus } from './types.js';

export interface OpportunityRead {
  pipelines: GhlPipeline[];
  opportunities: GhlOpportunity[];
  problems: string[];
}

const PAGE_LIMIT = 100;
const PipelinesResponse = z.looseObject({ pipelines: z.array(z.unknown()) });
const OpportunitiesResponse = z.looseObject({
  opportunities: z.array(z.unknown()),
  meta: z.looseObject({ total: z.number().nullish(), startAfter: z.union([z.number(), z.string()]).nullish(), startAfterId: z.string().nullish() }).nullish(),
});

type PageFetcher = (cursor: { startAfter?: string | number; startAfterId?: string }, signal?: AbortSignal) => Promise<unknown>;

/**
 * Every pipeline and every opportunity (all pages, never just the first). The API pages
 * opportunities with a cursor only, so reads are split by pipeline and status and the chains run
 * side by side.
 */
export async function readAllOpportunities(http: GhlHttp, version: 'v1' | 'v2', locationId: string, signal?: AbortSignal): Promise<OpportunityRead> {
  const problems: string[] = [];
  const pipelinesBody = PipelinesResponse.safeParse(
    version === 'v2' ? await http.get('opportunities/pipelines', { locationId }, signal) : await http.get('pipelines/', undefined, signal),
  );
  if (!pipelinesBody.success) throw new GhlResponseError('GoHighLevel answered the pipelines request without a pipelines list');
  const pipelines: GhlPipeline[] = [];
  for (const p of pipelinesBody.data.pipelines.map(parsePipeline)) p.ok ? pipelines.push(p.value) : problems.push(p.problem);

  const limit = pLimit(8);
  const seen = new Map<string, GhlOpportunity>();
  const chain = (pipeline: string, status: OpportunityStatus | 'all'): PageFetcher =>
    version === 'v2'
      ? (cursor, s) => http.get('opportunities/search', { location_id: locationId, pipeline_id: pipeline, status, limit: PAGE_LIMIT, ...cursor }, s)
      : (cursor, s) => http.get(`pipelines/${encodeURIComponent(pipeline)}/opportunities`, { ...(status === 'all' ? {} : { status }), limit: PAGE_LIMIT, ...cursor }, s);
  const keep = (list: GhlOpportunity[]) => list.forEach((o) => seen.set(o.id, o));
  await Promise.all(
    pipelines.map((p) =>
      limit(async () => {
        // Small pipelines are read in one chain; big ones in one chain per status, side by side.
        const probe = await readChain(chain(p.id, 'all'), problems, signal, SPLIT_ABOVE_PAGES);
        if (probe.complete) return keep(probe.items);
        await Promise.all(STATUSES.map((st) => readChain(chain(p.id, st), problems, signal).then((r) => keep(r.items))));
      }),
    ),
  );
  return { pipelines, opportunities: [...seen.values()], problems };
}

const STATUSES: OpportunityStatus[] = ['open', 'won', 'lost', 'abandoned'];
/** A pipeline with more pages than this is re-read split by status so the chains run in parallel. */
const SPLIT_ABOVE_PAGES = 5;

async function readChain(
  fetchPage: PageFetcher,
  problems: string[],
  signal?: AbortSignal,
  maxPagesIfLarger = Infinity,
): Promise<{ items: GhlOpportunity[]; complete: boolean }> {
  const out: GhlOpportunity[] = [];
  let cursor: { startAfter?: string | number; startAfterId?: string } = {};
  for (let pageNo = 1; ; pageNo++) {
    const body = OpportunitiesResponse.safeParse(await fetchPage(cursor, signal));
    if (!body.success) throw new GhlResponseError('GoHighLevel answered an opportunities request without an opportunities list');
    for (const o of body.data.opportunities.map(parseOpportunity)) o.ok ? out.push(o.value) : problems.push(o.problem);
    const meta = body.data.meta;
    const total = meta?.total ?? null;
    const more = body.data.opportunities.length >= PAGE_LIMIT && meta?.startAfterId && meta.startAfter !== null && meta.startAfter !== undefined;
    if (!more || (total !== null && out.length >= total)) return { items: out, complete: true };
    if (pageNo === 1 && total !== null && total > maxPagesIfLarger * PAGE_LIMIT) return { items: out, complete: false };
    const next = { startAfter: meta!.startAfter!, startAfterId: meta!.startAfterId! };
    // A cursor that does not move would repeat the same page for ever, or (counted against the
    // total) pass a partial read off as complete; the mirror is kept instead.
    if (next.startAfter === cursor.startAfter && next.startAfterId === cursor.startAfterId) {
      throw new GhlResponseError('GoHighLevel answered an opportunities page with the cursor it was asked for; the read cannot go on');
    }
    cursor = next;
  }
}
