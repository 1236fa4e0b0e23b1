import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { type ActivityCutoffs, activityCutoffs } from '../db/importance.js';
import { spellings, swappedWordStarts } from './corrections.js';
import { possibleBases } from './document.js';
import { containing, escapeLike } from './like.js';
import { normalizeText } from './normalize.js';
import type { SearchRequest, SortOrder } from './parse-query.js';
import { daysAgo } from './time-words.js';

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

type Condition = Expression<SqlBool>;
const and = (xs: readonly Condition[]): Condition => (xs.length ? sql<SqlBool>`(${sql.join(xs, sql` AND `)})` : sql<SqlBool>`true`);

/** The effective importance of the search index row `t` (contact_facts or contact_search). */
function importanceOf(cut: ActivityCutoffs, t = 's'): RawBuilder<number> {
  const col = (name: string) => sql.ref(`${t}.${name}`);
  return sql<number>`COALESCE(${col('importance_override')}::int, LEAST(10, ${col('importance_base')}
    + CASE WHEN ${col('last_activity_at')} >= ${cut.week}::timestamptz THEN 2
           WHEN ${col('last_activity_at')} >= ${cut.month}::timestamptz THEN 1 ELSE 0 END))`;
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

/** A text search's words, spelling-corrected and normalised: the name part and the company part. */
interface TextQuery {
  name: string;
  company: string;
}

/** Name and company similarity of the row `t` to the query (60/40 when both were asked). */
function similarityOf(text: TextQuery, t: string): RawBuilder<number> {
  const name = text.name ? sql<number>`similarity(${sql.ref(`${t}.name_norm`)}, ${text.name})` : null;
  const company = text.company ? sql<number>`similarity(${sql.ref(`${t}.company_norm`)}, ${text.company})` : null;
  return name && company ? sql<number>`(0.6 * ${name} + 0.4 * ${company})` : (name ?? company ?? sql<number>`0`);
}

/** Whether the query's name is one of the row's nicknames exactly. */
function nicknameMatch(text: TextQuery, t: string): RawBuilder<boolean> {
  return text.name ? sql<boolean>`(${text.name} = ANY(${sql.ref(`${t}.nicknames_norm`)}))` : sql<boolean>`false`;
}

function matchedOnText(text: TextQuery, nickname: RawBuilder<boolean>): RawBuilder<string> {
  if (!text.name) return sql<string>`'company'::text`;
  return sql<string>`CASE WHEN ${nickname} THEN 'nickname' ELSE ${text.company ? 'name and company' : 'name'}::text END`;
}

const ORDER = {
  relevance: sql`score DESC, importance DESC, s.date_added DESC, s.contact_id`,
  importance: sql`importance DESC, s.last_activity_at ASC NULLS FIRST, s.contact_id`,
  recent: sql`s.date_added DESC NULLS LAST, s.contact_id`,
  silence: sql`s.last_activity_at ASC NULLS FIRST, s.contact_id`,
  activity: sql`s.last_activity_at DESC NULLS LAST, s.contact_id`,
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
  const typed = typedText(req);
  const options = typed.words.length ? await spellings(db, typed.words) : [];
  const found = await searchSpelt(db, req, o, typed, options);
  if (found.total > 0 || !typed.words.length) return found;
  const swapped = await swappedWordStarts(db, typed.words, options);
  if (!swapped) return found;
  const again = await searchSpelt(db, req, o, typed, swapped.options, swapped.wholeWords);
  return again.total > 0 ? again : found;
}

/** The query's name and company, normalized, and their words. */
interface TypedText {
  nameQ: string;
  companyQ: string;
  words: string[];
}

function typedText(req: SearchRequest): TypedText {
  const nameQ = req.name ? normalizeText(req.name) : '';
  const companyQ = req.company ? normalizeText(req.company) : '';
  return { nameQ, companyQ, words: [...nameQ.split(' '), ...companyQ.split(' ')].filter(Boolean) };
}

/** searchContacts with each typed word looked for in any of its `options` (see corrections.ts). */
async function searchSpelt(
  db: Kysely<Database>,
  req: SearchRequest,
  o: { now: Date; limit: number },
  { nameQ, companyQ, words }: TypedText,
  options: string[][],
  wholeWords: ReadonlySet<string> = new Set(),
): Promise<SearchResult> {
  const cut = activityCutoffs(o.now);
  const importance = importanceOf(cut);
  const silentBefore = req.silentForDays !== undefined ? daysAgo(o.now, req.silentForDays) : (req.silentSince ?? null);
  // Conditions on the facts table (s) and on the text table (d), kept apart so each query reads
  // only the table it needs.
  const where: Condition[] = [];
  const docWhere: Condition[] = [];
  let score: RawBuilder<number> = sql<number>`0`;
  let matchedOn: RawBuilder<string> = sql<string>`'filters'::text`;
  const corrected: string[] = [];
  let text: TextQuery = { name: '', company: '' };

  if (req.email || req.phone) {
    const ids = (
      await db
        .selectFrom('contacts')
        .select('id')
        .where('deleted_at', 'is', null)
        .where((eb) => (req.email ? eb(eb.fn('lower', ['email']), '=', req.email) : eb('phone_digits', '=', req.phone!)))
        .execute()
    ).map((r) => r.id);
    if (req.phone && ids.length === 0) ids.push(...(await phoneEndingOrStarting(db, req.phone)));
    where.push(sql<SqlBool>`s.contact_id = ANY(${ids}::text[])`);
    score = sql<number>`1`;
    matchedOn = sql<string>`${req.email ? 'email' : 'phone'}::text`;
  }

  if (words.length) {
    options.forEach((opts, i) => {
      if (opts[0] !== words[i]) corrected.push(`${words[i]} → ${opts.join(' / ')}`);
      // A whole word is still looked for as letters first: that part the trigram index answers.
      const holds = (w: string) => (wholeWords.has(w) ? sql`(d.doc LIKE ${containing(w)} AND (' ' || d.doc || ' ') LIKE ${containing(` ${w} `)})` : sql`d.doc LIKE ${containing(w)}`);
      docWhere.push(sql<SqlBool>`(${sql.join(opts.map(holds), sql` OR `)})`);
    });
    const fixed = (q: string) => q.split(' ').map((w) => options[words.indexOf(w)]?.[0] ?? w).join(' ');
    text = { name: fixed(nameQ), company: fixed(companyQ) };
    const nickname = nicknameMatch(text, 'd');
    score = sql<number>`CASE WHEN ${nickname} THEN 1 ELSE ${similarityOf(text, 'd')} END`;
    matchedOn = matchedOnText(text, nickname);
  }

  if (req.emailDomain) {
    // The expression contacts_email_domain_idx indexes (migration 0006).
    where.push(sql<SqlBool>`s.contact_id IN (SELECT id FROM contacts WHERE email IS NOT NULL AND split_part(lower(email), '@', 2) = ${req.emailDomain} AND deleted_at IS NULL)`);
    if (!words.length) matchedOn = sql<string>`'email'::text`;
  }
  if (req.type) where.push(sql<SqlBool>`s.type = ${req.type}`);
  if (req.tag) where.push(sql<SqlBool>`s.tags_norm @> ARRAY[${normalizeText(req.tag)}]::text[]`);
  if (req.industry) where.push(sql<SqlBool>`s.industries @> ARRAY[${req.industry}]::text[]`);
  if (req.addedSince) where.push(sql<SqlBool>`s.date_added >= ${req.addedSince}::timestamptz`);
  if (req.addedBefore) where.push(sql<SqlBool>`s.date_added < ${req.addedBefore}::timestamptz`);
  if (silentBefore) where.push(sql<SqlBool>`(s.last_activity_at IS NULL OR s.last_activity_at < ${silentBefore}::timestamptz)`);
  if (req.activeSince) where.push(sql<SqlBool>`s.last_activity_at >= ${req.activeSince}::timestamptz`);
  if (req.hasEmail !== undefined) where.push(sql<SqlBool>`s.has_email = ${req.hasEmail}`);
  if (req.hasPhone !== undefined) where.push(sql<SqlBool>`s.has_phone = ${req.hasPhone}`);
  const minImportance = req.minImportance !== undefined && req.minImportance > 1 ? req.minImportance : null;
  const bounds: Bounds = { cut, silentBefore, bases: possibleBases({ type: req.type, tagged: Boolean(req.tag) }) };
  // Bracketed whole: it is ANDed with the other conditions, and AND binds tighter than OR.
  const atLeast = minImportance ? sql<SqlBool>`((${sql.join(importanceParts(minImportance, bounds, false), sql`) OR (`)}))` : null;

  const sort: SortOrder = req.sort ?? (words.length || req.email || req.phone || req.emailDomain ? 'relevance' : 'importance');
  const q = { db, where, docWhere, text, score, matchedOn, importance, cut, limit: o.limit };
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
  text: TextQuery;
  score: RawBuilder<number>;
  matchedOn: RawBuilder<string>;
  importance: RawBuilder<number>;
  cut: ActivityCutoffs;
  limit: number;
}

/**
 * Text alone, by relevance: the text table carries the ranking facts too, so every match is
 * scored, ranked and counted from it; only the page's contacts are read from elsewhere.
 * Similarity is computed once per distinct name / company: every employee of a big company
 * shares one company score, and it is the costly part.
 */
async function rankedText(q: QueryParts): Promise<{ rows: SearchHit[]; total: number }> {
  const keys = [...(q.text.name ? ['name_norm'] : []), ...(q.text.company ? ['company_norm'] : [])].map((k) => sql.ref(k));
  const joinOn = sql.join(keys.map((k) => sql`sim.${k} = m.${k}`), sql` AND `);
  const { rows } = await sql<SearchHit & { total: string }>`
    WITH m AS MATERIALIZED (
      SELECT d.contact_id, d.name_norm, d.company_norm, ${nicknameMatch(q.text, 'd')} AS nickname,
             ${importanceOf(q.cut, 'd')} AS importance, d.date_added, d.last_activity_at
      FROM contact_search d WHERE ${and(q.docWhere)}
    ),
    sim AS MATERIALIZED (
      SELECT ${sql.join(keys)}, ${similarityOf(q.text, 'x')} AS score FROM (SELECT DISTINCT ${sql.join(keys)} FROM m) x
    ),
    hits AS (
      SELECT m.contact_id, CASE WHEN m.nickname THEN 1 ELSE sim.score END AS score, ${matchedOnText(q.text, sql`m.nickname`)} AS matched_on,
             m.importance, m.date_added, m.last_activity_at
      FROM m JOIN sim ON ${joinOn}
      ORDER BY score DESC, importance DESC, m.date_added DESC, m.contact_id LIMIT ${q.limit}
    )
    ${details(ORDER.relevance, sql`, (SELECT count(*) FROM m) AS total`)}`.execute(q.db);
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

/**
 * Contacts whose number ends with the digits asked for (a local "555-0110", a national
 * "020 7946 0958" without its country code) or starts with them (digits stored with an extension
 * by an earlier version, with or without the US code's 1). Read only when no number matched
 * exactly. Each is a prefix the phone indexes answer (migration 0012): the ending is the start of
 * the reversed digits.
 */
async function phoneEndingOrStarting(db: Kysely<Database>, digits: string): Promise<string[]> {
  const rows = (await phoneEndingOrStartingQuery(db, digits)?.execute()) ?? [];
  return rows.map((r) => r.id);
}

/** The query of phoneEndingOrStarting (exported so a test can read its plan); null for too few digits. */
export function phoneEndingOrStartingQuery(db: Kysely<Database>, digits: string) {
  const national = digits.replace(/^0+/, '');
  if (national.length < 7) return null;
  const reversed = [...national].reverse().join('');
  return db
    .selectFrom('contacts')
    .select('id')
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        sql<SqlBool>`reverse(phone_digits) LIKE ${`${escapeLike(reversed)}%`}`,
        eb('phone_digits', 'like', `${escapeLike(digits)}%`),
        eb('phone_digits', 'like', `1${escapeLike(digits)}%`),
      ]),
    )
    .limit(100);
}

function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}
