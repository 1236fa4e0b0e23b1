import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { spellings } from './corrections.js';
import { industryRegex } from './lexicon.js';
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
  const where: Expression<SqlBool>[] = [];
  let score: RawBuilder<number> = sql<number>`0`;
  let matchedOn: RawBuilder<string> = sql<string>`'filters'`;
  const corrected: string[] = [];

  if (req.email || req.phone) {
    const ids = db
      .selectFrom('contacts')
      .select('id')
      .where('deleted_at', 'is', null)
      .where((eb) => (req.email ? eb(eb.fn('lower', ['email']), '=', req.email) : eb('phone_digits', '=', req.phone!)));
    where.push(sql<SqlBool>`s.contact_id IN (${ids})`);
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
      where.push(sql<SqlBool>`(${sql.join(opts.map((w) => sql`s.doc LIKE ${`%${escapeLike(w)}%`}`), sql` OR `)})`);
    });
    const fixed = (q: string) => q.split(' ').map((w) => options[words.indexOf(w)]?.[0] ?? w).join(' ');
    const nq = fixed(nameQ);
    const cq = fixed(companyQ);
    const nameScore = nq ? sql<number>`GREATEST(similarity(s.name_norm, ${nq}), word_similarity(${nq}, s.doc))` : null;
    const companyScore = cq ? sql<number>`similarity(s.company_norm, ${cq})` : null;
    const nickname = nq ? sql<boolean>`${nq} = ANY(s.nicknames_norm)` : sql<boolean>`false`;
    score =
      nameScore && companyScore
        ? sql<number>`CASE WHEN ${nickname} THEN 1 ELSE 0.6 * ${nameScore} + 0.4 * ${companyScore} END`
        : sql<number>`CASE WHEN ${nickname} THEN 1 ELSE ${nameScore ?? companyScore!} END`;
    matchedOn = nq
      ? sql<string>`CASE WHEN ${nickname} THEN 'nickname' ELSE ${cq ? 'name and company' : 'name'} END`
      : sql<string>`'company'`;
  }

  if (req.type) where.push(sql<SqlBool>`s.type = ${req.type}`);
  if (req.tag) where.push(sql<SqlBool>`${normalizeText(req.tag)} = ANY(s.tags_norm)`);
  if (req.industry) {
    const re = industryRegex(req.industry);
    if (re) where.push(sql<SqlBool>`(s.company_norm ~ ${re} OR array_to_string(s.tags_norm, ' ') ~ ${re})`);
  }
  if (req.addedSince) where.push(sql<SqlBool>`s.date_added >= ${req.addedSince}`);
  if (req.silentForDays !== undefined) {
    where.push(sql<SqlBool>`(s.last_activity_at IS NULL OR s.last_activity_at < ${o.now}::timestamptz - make_interval(days => ${req.silentForDays}))`);
  }
  if (req.minImportance !== undefined) where.push(sql<SqlBool>`${importance} >= ${req.minImportance}`);
  if (req.hasEmail !== undefined) where.push(sql<SqlBool>`s.has_email = ${req.hasEmail}`);
  if (req.hasPhone !== undefined) where.push(sql<SqlBool>`s.has_phone = ${req.hasPhone}`);

  const sort: SortOrder = req.sort ?? (words.length || req.email || req.phone ? 'relevance' : 'importance');
  const order = {
    relevance: sql`score DESC, importance DESC, s.date_added DESC, s.contact_id`,
    importance: sql`importance DESC, s.last_activity_at ASC NULLS FIRST, s.contact_id`,
    recent: sql`s.date_added DESC NULLS LAST, s.contact_id`,
    silence: sql`s.last_activity_at ASC NULLS FIRST, importance DESC, s.contact_id`,
  }[sort];

  const filter = where.length ? sql.join(where, sql` AND `) : sql`true`;
  const { rows } = await sql<SearchHit & { total: string }>`
    WITH hits AS (
      SELECT s.contact_id, ${score} AS score, ${matchedOn} AS matched_on, ${importance} AS importance,
             s.date_added, s.last_activity_at, count(*) OVER () AS total
      FROM contact_search s
      WHERE ${filter}
      ORDER BY ${order}
      LIMIT ${o.limit}
    )
    SELECT c.id, c.name, c.company_name AS company, c.email, c.phone, c.type, c.tags, s.importance,
           coalesce(ctx.nicknames, '{}') || coalesce(ctx.manual_nicknames, '{}') AS nicknames,
           c.date_added, c.last_activity_at, round(s.score::numeric, 3)::float AS score, s.matched_on, s.total
    FROM hits s
    JOIN contacts c ON c.id = s.contact_id
    LEFT JOIN contact_context ctx ON ctx.contact_id = s.contact_id
    ORDER BY ${order}`.execute(db);

  return {
    total: Number(rows[0]?.total ?? 0),
    corrected,
    hits: rows.map(({ total: _t, ...h }) => ({
      ...h,
      importance: Number(h.importance),
      score: Number(h.score),
      date_added: toIso(h.date_added),
      last_activity_at: toIso(h.last_activity_at),
    })),
  };
}

function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
