import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { type ActivityCutoffs, activityCutoffs } from '../db/importance.js';
import { spellings } from './corrections.js';
import { possibleBases } from './document.js';
import { normalizeText } from './normalize.js';
import type { SearchRequest, SortOrder } from './parse-query.js';

export interface SearchHit {
  id: string;
  name: string | null;
  company: string | null;
  email: string | null;
  phone: string | null;
  type: string | null;
  tags: string[];
  importance: number;
  nicknames: string[];
  date_added: string | null;
  last_activity_at: string | null;
  score: number;
  matched_on: string;
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  /** The spellings searched for, when a word was corrected (e.g. "micheal" → "michael"). */
  corrected: string[];
}

const DAY_MS = 86_400_000;

type Condition = Expression<SqlBool>;
const and = (xs: readonly Condition[]): Condition => (xs.length ? sql<SqlBool>`(${sql.join(xs, sql` AND `)})` : sql<SqlBool>`true`);

/** The effective importance over the search index row `s`. */
function importanceOf(cut: ActivityCutoffs): RawBuilder<number> {
  return sql<number>`COALESCE(s.importance_override::int, LEAST(10, s.importance_base
    + CASE WHEN s.last_activity_at >= ${cut.week}::timestamptz THEN 2
           WHEN s.last_activity_at >= ${cut.month}::timestamptz THEN 1 ELSE 0 END))`;
}

/** What bounds the importance parts of a search: the bases its filters allow, its silence cut-off. */
interface Bounds {
  cut: ActivityCutoffs;
  bases: Set<number>;
  silentBefore: Date | null;
}

/**
 * The contacts without an override fall in three activity classes (bonus 0, +1, +2); within each,
 * importance is base + bonus (never above 10: the base is at most 8). These are the parts of
 * "effective importance >= k" (or "= k" when `exact`), each an index range on (importance_base,
 * last_activity_at). Parts no match can be in (a base the filters rule out, an activity class the
 * silence filter rules out) are left out.
 */
function importanceParts(k: number, { cut, bases, silentBefore }: Bounds, exact: boolean): Condition[] {
  const allowed = (from: number) => [...bases].filter((b) => (exact ? b === from : b >= from));
  // A single base as `=` so the index hands rows over in silence order.
  const base = (from: number) => (exact ? sql`s.importance_base = ${from}` : sql`s.importance_base = ANY(${allowed(from)}::smallint[])`);
  const possible = (from: number) => allowed(from).length > 0;
  const parts: Condition[] = [exact ? sql<SqlBool>`s.importance_override = ${k}` : sql<SqlBool>`s.importance_override >= ${k}`];
  if (possible(k)) {
    parts.push(sql<SqlBool>`s.importance_override IS NULL AND ${base(k)} AND (s.last_activity_at IS NULL OR s.last_activity_at < ${cut.month}::timestamptz)`);
  }
  if (possible(k - 1) && (!silentBefore || silentBefore > cut.month)) {
    parts.push(sql<SqlBool>`s.importance_override IS NULL AND ${base(k - 1)} AND s.last_activity_at >= ${cut.month}::timestamptz AND s.last_activity_at < ${cut.week}::timestamptz`);
  }
  if (possible(k - 2) && (!silentBefore || silentBefore > cut.week)) {
    parts.push(sql<SqlBool>`s.importance_override IS NULL AND ${base(k - 2)} AND s.last_activity_at >= ${cut.week}::timestamptz`);
  }
  return parts;
}

const ORDER = {
  relevance: sql`score DESC, importance DESC, s.date_added DESC, s.contact_id`,
  importance: sql`importance DESC, s.last_activity_at ASC NULLS FIRST, s.contact_id`,
  recent: sql`s.date_added DESC NULLS LAST, s.contact_id`,
  silence: sql`s.last_activity_at ASC NULLS FIRST, s.contact_id`,
} satisfies Record<SortOrder, RawBuilder<unknown>>;

/** The page: the ranked hits (CTE `hits`, built by the caller) joined to what a result shows. */
function details(order: RawBuilder<unknown>, extra: RawBuilder<unknown> = sql``): RawBuilder<SearchHit & { total?: string }> {
  return sql<SearchHit & { total?: string }>`
      SELECT c.id, c.name, c.company_name AS company, c.email, c.phone, c.type, c.tags, s.importance,
             coalesce(ctx.nicknames, '{}') || coalesce(ctx.manual_nicknames, '{}') AS nicknames,
             c.date_added, c.last_activity_at, round(s.score::numeric, 3)::float AS score, s.matched_on${extra}
      FROM hits s
      JOIN contacts c ON c.id = s.contact_id
      LEFT JOIN contact_context ctx ON ctx.contact_id = s.contact_id
      ORDER BY ${order}`;
}

/**
 * Searches the brain. Exact email and phone first; otherwise every query word (or its corrected
 * spellings) must appear in the contact's search document, which the trigram index answers
 * without scanning, and the candidates are ranked by name and company similarity, exact
 * nicknames first. Filters and the other sort orders run on the narrow facts table.
 */
export async function searchContacts(db: Kysely<Database>, req: SearchRequest, o: { now: Date; limit: number }): Promise<SearchResult> {
  const cut = activityCutoffs(o.now);
  const importance = importanceOf(cut);
  const silentBefore = req.silentForDays !== undefined ? new Date(o.now.getTime() - req.silentForDays * DAY_MS) : null;
  // Conditions on the facts table (s) and on the text table (d), kept apart so each query reads
  // only the table it needs.
  const where: Condition[] = [];
  const docWhere: Condition[] = [];
  let score: RawBuilder<number> = sql<number>`0`;
  let matchedOn: RawBuilder<string> = sql<string>`'filters'::text`;
  const corrected: string[] = [];

  if (req.email || req.phone) {
    const ids = (
      await db
        .selectFrom('contacts')
        .select('id')
        .where('deleted_at', 'is', null)
        .where((eb) => (req.email ? eb(eb.fn('lower', ['email']), '=', req.email) : eb('phone_digits', '=', req.phone!)))
        .execute()
    ).map((r) => r.id);
    where.push(sql<SqlBool>`s.contact_id = ANY(${ids}::text[])`);
    score = sql<number>`1`;
    matchedOn = sql<string>`${req.email ? 'email' : 'phone'}::text`;
  }

  const nameQ = req.name ? normalizeText(req.name) : '';
  const companyQ = req.company ? normalizeText(req.company) : '';
  const words = [...nameQ.split(' '), ...companyQ.split(' ')].filter(Boolean);
  if (words.length) {
    const options = await spellings(db, words);
    options.forEach((opts, i) => {
      if (opts[0] !== words[i]) corrected.push(`${words[i]} → ${opts.join(' / ')}`);
      docWhere.push(sql<SqlBool>`(${sql.join(opts.map((w) => sql`d.doc LIKE ${`%${escapeLike(w)}%`}`), sql` OR `)})`);
    });
    const fixed = (q: string) => q.split(' ').map((w) => options[words.indexOf(w)]?.[0] ?? w).join(' ');
    const nq = fixed(nameQ);
    const cq = fixed(companyQ);
    const nameScore = nq ? sql<number>`similarity(d.name_norm, ${nq})` : null;
    const companyScore = cq ? sql<number>`similarity(d.company_norm, ${cq})` : null;
    const nickname = nq ? sql<boolean>`${nq} = ANY(d.nicknames_norm)` : sql<boolean>`false`;
    score =
      nameScore && companyScore
        ? sql<number>`CASE WHEN ${nickname} THEN 1 ELSE 0.6 * ${nameScore} + 0.4 * ${companyScore} END`
        : sql<number>`CASE WHEN ${nickname} THEN 1 ELSE ${nameScore ?? companyScore!} END`;
    matchedOn = nq
      ? sql<string>`CASE WHEN ${nickname} THEN 'nickname' ELSE ${cq ? 'name and company' : 'name'} END`
      : sql<string>`'company'::text`;
  }

  if (req.type) where.push(sql<SqlBool>`s.type = ${req.type}`);
  if (req.tag) where.push(sql<SqlBool>`s.tags_norm @> ARRAY[${normalizeText(req.tag)}]::text[]`);
  if (req.industry) where.push(sql<SqlBool>`s.industries @> ARRAY[${req.industry}]::text[]`);
  if (req.addedSince) where.push(sql<SqlBool>`s.date_added >= ${req.addedSince}::timestamptz`);
  if (silentBefore) where.push(sql<SqlBool>`(s.last_activity_at IS NULL OR s.last_activity_at < ${silentBefore}::timestamptz)`);
  if (req.hasEmail !== undefined) where.push(sql<SqlBool>`s.has_email = ${req.hasEmail}`);
  if (req.hasPhone !== undefined) where.push(sql<SqlBool>`s.has_phone = ${req.hasPhone}`);
  const minImportance = req.minImportance !== undefined && req.minImportance > 1 ? req.minImportance : null;
  const bounds: Bounds = { cut, silentBefore, bases: possibleBases({ type: req.type, tagged: Boolean(req.tag) }) };
  const atLeast = minImportance ? sql<SqlBool>`(${sql.join(importanceParts(minImportance, bounds, false), sql`) OR (`)})` : null;

  const sort: SortOrder = req.sort ?? (words.length || req.email || req.phone ? 'relevance' : 'importance');
  const q = { db, where, docWhere, score, matchedOn, importance, limit: o.limit };
  let found: { rows: SearchHit[]; total: number };
  if (docWhere.length && !where.length && !atLeast && sort === 'relevance') {
    found = await rankedText(q);
  } else if (!docWhere.length && sort === 'importance') {
    // The page and the count run side by side (two connections on PostgreSQL).
    const [rows, total] = await Promise.all([byImportance(q, bounds, minImportance ?? 1), countFacts(q, minImportance, bounds)]);
    found = { rows, total };
  } else {
    const all = [...docWhere, ...where, ...(atLeast ? [atLeast] : [])];
    const from = docWhere.length ? sql`contact_facts s JOIN contact_search d ON d.contact_id = s.contact_id` : sql`contact_facts s`;
    const page = sql<SearchHit>`
      WITH hits AS (
        SELECT s.contact_id, ${score} AS score, ${matchedOn} AS matched_on, ${importance} AS importance, s.date_added, s.last_activity_at
        FROM ${from} WHERE ${and(all)} ORDER BY ${ORDER[sort]} LIMIT ${o.limit}
      ) ${details(ORDER[sort])}`;
    const count = sql<{ n: string }>`SELECT count(*) AS n FROM ${from} WHERE ${and(all)}`;
    const [rows, counted] = await Promise.all([page.execute(db), count.execute(db)]);
    found = { rows: rows.rows, total: Number(counted.rows[0]?.n ?? 0) };
  }

  return {
    total: found.total,
    corrected,
    hits: found.rows.map((h) => ({
      id: h.id,
      name: h.name,
      company: h.company,
      email: h.email,
      phone: h.phone,
      type: h.type,
      tags: h.tags,
      importance: Number(h.importance),
      nicknames: h.nicknames,
      date_added: toIso(h.date_added),
      last_activity_at: toIso(h.last_activity_at),
      score: Number(h.score),
      matched_on: h.matched_on,
    })),
  };
}

interface QueryParts {
  db: Kysely<Database>;
  where: Condition[];
  docWhere: Condition[];
  score: RawBuilder<number>;
  matchedOn: RawBuilder<string>;
  importance: RawBuilder<number>;
  limit: number;
}

/**
 * Text alone, by relevance: scores every match from the text table, keeps those scoring at least
 * the page's last score (ties included, so the order below is exactly the full order's top), and
 * reads the facts of those few only (`OFFSET 0` keeps that a lookup per kept match, never a scan of
 * the facts table). Counting the same matches costs nothing more.
 */
async function rankedText(q: QueryParts): Promise<{ rows: SearchHit[]; total: number }> {
  const { rows } = await sql<SearchHit & { total: string }>`
    WITH m AS MATERIALIZED (
      SELECT d.contact_id, ${q.score} AS score, ${q.matchedOn} AS matched_on FROM contact_search d WHERE ${and(q.docWhere)}
    ),
    bar AS (SELECT m.score FROM m ORDER BY m.score DESC LIMIT 1 OFFSET ${q.limit - 1}),
    hits AS (
      SELECT t.contact_id, t.score, t.matched_on, s.importance, s.date_added, s.last_activity_at
      FROM m t CROSS JOIN LATERAL (
        SELECT ${q.importance} AS importance, s.date_added, s.last_activity_at, s.contact_id FROM contact_facts s WHERE s.contact_id = t.contact_id OFFSET 0
      ) s
      WHERE t.score >= COALESCE((SELECT bar.score FROM bar), -1)
      ORDER BY ${ORDER.relevance} LIMIT ${q.limit}
    ) ${details(ORDER.relevance, sql`, (SELECT count(*) FROM m) AS total`)}`.execute(q.db);
  return { rows, total: rows.length ? Number(rows[0]!.total) : 0 };
}

/**
 * Most important first. Importance depends on the time, so no index orders by it; instead each
 * level, from 10 down, is the union of a few index ranges (an override at that level, or a base
 * that the activity bonus lifts to it), each read in silence order and stopped at the page size.
 * The first levels that fill the page hold exactly the top of the full ordering.
 */
async function byImportance(q: QueryParts, bounds: Bounds, lowest: number): Promise<SearchHit[]> {
  const out: SearchHit[] = [];
  for (let level = 10; level >= lowest && out.length < q.limit; level--) {
    const want = q.limit - out.length;
    const branches = importanceParts(level, bounds, true).map(
      (part) => sql`(SELECT s.contact_id, ${q.score} AS score, ${q.matchedOn} AS matched_on, s.date_added, s.last_activity_at
        FROM contact_facts s WHERE ${part} AND ${and(q.where)} ORDER BY ${ORDER.silence} LIMIT ${want})`,
    );
    const { rows } = await sql<SearchHit>`
      WITH hits AS (
        SELECT s.contact_id, s.score, s.matched_on, ${level}::int AS importance, s.date_added, s.last_activity_at
        FROM (${sql.join(branches, sql` UNION ALL `)}) s ORDER BY ${ORDER.silence} LIMIT ${want}
      ) ${details(ORDER.importance)}`.execute(q.db);
    out.push(...rows);
  }
  return out;
}

/** How many contacts the facts filters match; an importance floor is counted part by part, from the index. */
async function countFacts(q: QueryParts, minImportance: number | null, bounds: Bounds): Promise<number> {
  const parts = minImportance ? importanceParts(minImportance, bounds, false) : [sql<SqlBool>`true`];
  const counts = parts.map((part) => sql`(SELECT count(*) FROM contact_facts s WHERE ${part} AND ${and(q.where)})`);
  const { rows } = await sql<{ n: string }>`SELECT ${sql.join(counts, sql` + `)} AS n`.execute(q.db);
  return Number(rows[0]?.n ?? 0);
}

function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
