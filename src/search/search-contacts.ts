import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { spellings } from './corrections.js';
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

/** The effective importance over the search index row `s`, against `now`. */
function importanceOf(now: Date): RawBuilder<number> {
  return sql<number>`COALESCE(s.importance_override::int, LEAST(10, s.importance_base
    + CASE WHEN s.last_activity_at >= ${now}::timestamptz - interval '7 days' THEN 2
           WHEN s.last_activity_at >= ${now}::timestamptz - interval '30 days' THEN 1 ELSE 0 END))`;
}

/**
 * Searches the brain. Exact email and phone first; otherwise every query word (or its corrected
 * spellings) must appear in the contact's search document, which the trigram index answers
 * without scanning, and the few candidates are ranked by name and company similarity, exact
 * nicknames first. Filters and the other sort orders run on the narrow search index table.
 */
export async function searchContacts(db: Kysely<Database>, req: SearchRequest, o: { now: Date; limit: number }): Promise<SearchResult> {
  const importance = importanceOf(o.now);
  // Conditions on the facts table (s) and on the text table (d), kept apart so a count reads only
  // the table it needs.
  const where: Expression<SqlBool>[] = [];
  const docWhere: Expression<SqlBool>[] = [];
  let score: RawBuilder<number> = sql<number>`0`;
  let matchedOn: RawBuilder<string> = sql<string>`'filters'`;
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
      : sql<string>`'company'`;
  }

  if (req.type) where.push(sql<SqlBool>`s.type = ${req.type}`);
  if (req.tag) where.push(sql<SqlBool>`s.tags_norm @> ARRAY[${normalizeText(req.tag)}]::text[]`);
  if (req.industry) where.push(sql<SqlBool>`s.industries @> ARRAY[${req.industry}]::text[]`);
  if (req.addedSince) where.push(sql<SqlBool>`s.date_added >= ${req.addedSince}`);
  if (req.silentForDays !== undefined) {
    where.push(sql<SqlBool>`(s.last_activity_at IS NULL OR s.last_activity_at < ${o.now}::timestamptz - make_interval(days => ${req.silentForDays}))`);
  }
  if (req.minImportance !== undefined) where.push(importanceAtLeast(req.minImportance, o.now));
  if (req.hasEmail !== undefined) where.push(sql<SqlBool>`s.has_email = ${req.hasEmail}`);
  if (req.hasPhone !== undefined) where.push(sql<SqlBool>`s.has_phone = ${req.hasPhone}`);

  const sort: SortOrder = req.sort ?? (words.length || req.email || req.phone ? 'relevance' : 'importance');
  const order = {
    relevance: sql`score DESC, importance DESC, s.date_added DESC, s.contact_id`,
    importance: sql`importance DESC, s.last_activity_at ASC NULLS FIRST, s.contact_id`,
    recent: sql`s.date_added DESC NULLS LAST, s.contact_id`,
    silence: sql`s.last_activity_at ASC NULLS FIRST, s.contact_id`,
  }[sort];

  const all = [...docWhere, ...where];
  const filter = all.length ? sql.join(all, sql` AND `) : sql`true`;
  const from = docWhere.length ? sql`contact_facts s JOIN contact_search d ON d.contact_id = s.contact_id` : sql`contact_facts s`;
  const countSql =
    docWhere.length && !where.length
      ? sql<{ n: string }>`SELECT count(*) AS n FROM contact_search d WHERE ${sql.join(docWhere, sql` AND `)}`
      : sql<{ n: string }>`SELECT count(*) AS n FROM ${from} WHERE ${filter}`;
  const top = (extra: Expression<SqlBool> | null) => sql<SearchHit>`
      WITH hits AS (
        SELECT s.contact_id, ${score} AS score, ${matchedOn} AS matched_on, ${importance} AS importance, s.date_added, s.last_activity_at
        FROM ${from}
        WHERE ${filter}${extra ? sql` AND ${extra}` : sql``}
        ORDER BY ${order}
        LIMIT ${o.limit}
      )
      SELECT c.id, c.name, c.company_name AS company, c.email, c.phone, c.type, c.tags, s.importance,
             coalesce(ctx.nicknames, '{}') || coalesce(ctx.manual_nicknames, '{}') AS nicknames,
             c.date_added, c.last_activity_at, round(s.score::numeric, 3)::float AS score, s.matched_on
      FROM hits s
      JOIN contacts c ON c.id = s.contact_id
      LEFT JOIN contact_context ctx ON ctx.contact_id = s.contact_id
      ORDER BY ${order}`.execute(db);

  // Importance depends on the time, so no index orders by it. Instead take the contacts scoring at
  // least 10, then 9, …: each step is an index range scan, and the first step that fills the page
  // holds exactly the top of the full ordering.
  const page = async () => {
    if (sort !== 'importance') return (await top(null)).rows;
    for (let level = 10; ; level--) {
      const { rows } = await top(level > 1 ? importanceAtLeast(level, o.now) : null);
      if (rows.length >= o.limit || level <= 1) return rows;
    }
  };
  // The page of hits and the count run side by side (two connections on PostgreSQL).
  const [rows, counted] = await Promise.all([page(), countSql.execute(db)]);

  return {
    total: Number(counted.rows[0]?.n ?? 0),
    corrected,
    hits: rows.map((h) => ({
      ...h,
      importance: Number(h.importance),
      score: Number(h.score),
      date_added: toIso(h.date_added),
      last_activity_at: toIso(h.last_activity_at),
    })),
  };
}

/**
 * `importance >= k` written so the (importance_base, last_activity_at) index can answer it:
 * an override decides alone; otherwise the base, plus 2 if active within 7 days, plus 1 within 30.
 */
function importanceAtLeast(k: number, now: Date): Expression<SqlBool> {
  return sql<SqlBool>`(s.importance_override >= ${k} OR (s.importance_override IS NULL AND (
    s.importance_base >= ${k}
    OR (s.importance_base >= ${k - 1} AND s.last_activity_at >= ${now}::timestamptz - interval '30 days')
    OR (s.importance_base >= ${k - 2} AND s.last_activity_at >= ${now}::timestamptz - interval '7 days'))))`;
}

function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
