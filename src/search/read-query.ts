import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { ToolError } from '../errors.js';
import { containing, escapeLike } from './like.js';
import { normalizeText } from './normalize.js';
import { meaningful, parseQuery, type SearchRequest, TAG_INTRO } from './parse-query.js';

/**
 * Reads a plain-English query (see parseQuery), unless the query is what some contact is called:
 * a name, a company, "first from company" or a saved nickname. Then it is that name, even where
 * its words are also a filter's: "Lead Generation Inc", "Today's Harvest", "Priority
 * Packaging", a Ms Weed, an "An Do" made of two stop words.
 */
export async function readQuery(db: Kysely<Database>, query: string, now: Date): Promise<SearchRequest> {
  const parsed = parseQuery(query, now);
  // Punctuation alone ("???", an ellipsis) is no name; read as one it would match everyone or nobody.
  const hasLetters = /[\p{L}\p{N}]/u.test(query);
  if (!hasLetters && Object.keys(parsed).every((k) => k === 'name' || k === 'company')) {
    throw new ToolError(`The query has no letters or digits to search by (${JSON.stringify(query)}).`, 'Ask with a name, a company, an email, a phone number or a plain-English filter such as "recent leads".');
  }
  // A word or phrase that is a tag contacts carry and nobody's name ("vip", "vip leads",
  // "wholesale customers") is that tag: read as a name it matched the tag's letters anywhere.
  const asTag = await tagNotName(db, parsed);
  if (asTag) return asTag;
  const nickname = await calledWithStopWords(db, query, parsed);
  if (nickname) return { name: nickname };
  // A reading that only split the words into a name and a company lost none of them.
  const claimedWords = Object.keys(parsed).some((k) => k !== 'name' && k !== 'company') || (!parsed.name && !parsed.company);
  if (!claimedWords || parsed.email || parsed.phone) return parsed;
  // One word is left to the rules: a name as short as "new" is rare, and checking one costs a scan
  // of every name holding it.
  const phrases = [...new Set([normalizeText(query), meaningful(query)].filter((p): p is string => Boolean(p && p.includes(' '))))];
  // An industry reading finds a company by the industry words in its name ("emerald triangle
  // contacts": Emerald Triangle Farms among them), so only an exact name overrides it there.
  for (const phrase of phrases) if (await someoneIsCalled(db, phrase, parsed.industry ? 'exactly' : 'beginning with')) return { name: phrase };
  return withLongerTag(db, query, parsed, now);
}

/**
 * The request with its name read as a tag, when some contact carries that tag and no contact's
 * name, company or nickname holds those words ("wholesale" stays a name while Pacific Wholesale Co
 * is a customer: the name reading finds the tag too); else null.
 */
async function tagNotName(db: Kysely<Database>, parsed: SearchRequest): Promise<SearchRequest | null> {
  if (!parsed.name || parsed.company || parsed.tag || parsed.email || parsed.phone) return null;
  const name = normalizeText(parsed.name);
  // The name reading finds "Greenleaf Farms" by "green": read as the tag green, it would lose it.
  if (!name || !(await someoneIsTagged(db, name)) || (await someoneIsCalled(db, name, 'with a word beginning with'))) return null;
  const { name: _name, ...rest } = parsed;
  return { ...rest, tag: name };
}

/** The most words of a query's end tried as a nickname said with stop words (see calledWithStopWords). */
const MAX_NICKNAME_WORDS = 6;

/**
 * The longest ending of the query that is exactly a contact's nickname, when the query was read
 * as a name alone with stop words dropped from it: "the boss" (a nickname saved by hand) read as
 * "boss" ranked Boss Packaging first. Said with its stop words, the nickname is the one meant;
 * words before it that were dropped too ("tell me about the boss") are left out. Null otherwise.
 */
async function calledWithStopWords(db: Kysely<Database>, query: string, parsed: SearchRequest): Promise<string | null> {
  if (!parsed.name || Object.keys(parsed).length > 1) return null;
  const words = normalizeText(query).split(' ').filter(Boolean);
  const endings: string[] = [];
  for (let i = Math.max(0, words.length - MAX_NICKNAME_WORDS); i < words.length - 1; i++) {
    const ending = words.slice(i).join(' ');
    if (ending !== parsed.name && meaningful(ending) === parsed.name) endings.push(ending);
  }
  if (!endings.length) return null;
  // Every ending holds the name's words: the trigram index finds the rows holding them.
  const inDoc = parsed.name.split(' ').map((w) => sql`d.doc LIKE ${containing(w)}`);
  const { rows } = await sql<{ n: string }>`
    SELECT n FROM contact_search d CROSS JOIN LATERAL unnest(d.nicknames_norm) n
    WHERE ${sql.join(inDoc, sql` AND `)} AND n = ANY(${endings}::text[])
    ORDER BY length(n) DESC LIMIT 1`.execute(db);
  return rows[0]?.n ?? null;
}

/**
 * "tagged facebook leads" reads as the tag facebook, and leads; when no contact has the tag
 * facebook but some have "facebook leads", that is the tag meant.
 */
async function withLongerTag(db: Kysely<Database>, query: string, parsed: SearchRequest, now: Date): Promise<SearchRequest> {
  if (!parsed.tag || (await someoneIsTagged(db, parsed.tag))) return parsed;
  const after = new RegExp(`${TAG_INTRO} ${parsed.tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}((?: [a-z0-9_-]+){1,3})`, 'i').exec(query.toLowerCase());
  const more = after?.[1]!.trim().split(' ') ?? [];
  for (let n = more.length; n >= 1; n--) {
    const longer = `${parsed.tag} ${more.slice(0, n).join(' ')}`;
    if (await someoneIsTagged(db, longer)) return parseQuery(query.toLowerCase().replace(longer, `"${longer}"`), now);
  }
  return parsed;
}

/**
 * Asked of nearly every name ("linda king" as a tag). Planned with its LIMIT, a tag nobody has
 * (the estimate says 500 rows) reads as found within the first few: the planner scanned the whole
 * table instead of the tag index, 25–50 ms at 100,000 contacts. Planned whole (the MATERIALIZED
 * fence), it reads the index: ~0.1 ms for a tag nobody has, ~3 ms for one 18,000 contacts carry.
 */
async function someoneIsTagged(db: Kysely<Database>, tag: string): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    WITH tagged AS MATERIALIZED (SELECT 1 AS one FROM contact_facts WHERE tags_norm @> ARRAY[${normalizeText(tag)}]::text[])
    SELECT one FROM tagged LIMIT 1`.execute(db);
  return rows.length > 0;
}

/**
 * Whether a contact's nicknames (the automatic ones hold the name and the company) are `phrase`
 * exactly, begin with it as whole words ("lead generation" names Lead Generation Inc.), or hold a
 * word beginning with it ("green" in Greenleaf Farms).
 */
async function someoneIsCalled(db: Kysely<Database>, phrase: string, how: 'exactly' | 'beginning with' | 'with a word beginning with'): Promise<boolean> {
  // Every word in the search document first: the trigram index finds those few rows.
  const inDoc = phrase.split(' ').map((w) => sql`d.doc LIKE ${containing(w)}`);
  const p = escapeLike(phrase);
  const called =
    how === 'exactly' ? sql`n = ${phrase}` : how === 'beginning with' ? sql`n = ${phrase} OR n LIKE ${`${p} %`}` : sql`n LIKE ${`${p}%`} OR n LIKE ${`% ${p}%`}`;
  const { rows } = await sql<{ one: number }>`
    SELECT 1 AS one FROM contact_search d
    WHERE ${sql.join(inDoc, sql` AND `)} AND EXISTS (SELECT 1 FROM unnest(d.nicknames_norm) n WHERE ${called})
    LIMIT 1`.execute(db);
  return rows.length > 0;
}
