import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { formalNames } from './diminutives.js';
import { containing } from './like.js';
import { editDistance, soundex } from './phonetic.js';

/**
 * The spellings to look for, per query word: a short form and the names it stands for ("bob":
 * robert too); the word itself when some contact's name or company has a word starting with it
 * ("alex" → alexandra), or some contact is found by it; otherwise the closest known words, found
 * by shared trigrams or by sound ("micheal" → michael, "jonsen" → johnson) and ranked by edit
 * distance. Words under three letters are kept as they are.
 */
export async function spellings(db: Kysely<Database>, words: readonly string[]): Promise<string[][]> {
  return Promise.all(
    words.map(async (w) => {
      // A short form is looked for as typed and as the names it stands for ("bill": william too).
      const formal = formalNames(w);
      if (formal.length) return [w, ...formal];
      if (w.length < 3 || /^\d+$/.test(w)) return [w];
      if (await startsKnownWord(db, w)) return [w];
      // Nor is a word some contact is found by outside the dictionary (an email's name, a tag):
      // "liz" is Elizabeth Taylor's liz@…, not a misspelt Lisa.
      if (await someoneHas(db, w)) return [w];
      // A plural of a word contacts have ("distributors" for the tag distributor): the singular
      // finds both.
      const singular = singularOf(w);
      if (singular && (await someoneHas(db, singular))) return [singular];
      // Typos seldom hit the first letter, so the words sharing it are tried first (a short range
      // instead of a similarity over every word); the whole dictionary too unless one of them is a
      // single slip away ("katherine" must still reach catherine when kathryn exists), or two of
      // its letters swapped ("coehn": cohen; over every word, its trigrams took ~20 ms).
      const near = await candidates(db, w, { sameFirstLetter: true });
      const close = near[0] && (near[0].distance < CLOSE_ENOUGH || near[0].swapped) ? near : rank([...near, ...(await candidates(db, w, { sameFirstLetter: false }))]);
      return close.length ? close.slice(0, 3).map((r) => r.term) : [w];
    }),
  );
}

/** Spellings to search again with, and which of them only count as whole words. */
export interface SwappedSpellings {
  options: string[][];
  wholeWords: ReadonlySet<string>;
}

/**
 * For a name search that found nothing: the spellings again, each word that was kept as typed only
 * for being the start of longer words ("dre": drew, dresden) replaced by the whole words it makes
 * with two letters swapped ("van dre berg": der), to be matched as whole words: der inside
 * Alexander or Snyder is not what was meant. Null when no word has one, so there is nothing new
 * to look for. Not offered up front: "dre" alone is a fair start of a name.
 */
export async function swappedWordStarts(db: Kysely<Database>, words: readonly string[], options: readonly string[][]): Promise<SwappedSpellings | null> {
  const wholeWords = new Set<string>();
  const out = await Promise.all(
    words.map(async (w, i) => {
      const opts = options[i] ?? [w];
      if (opts.length !== 1 || opts[0] !== w || /^\d+$/.test(w)) return [...opts];
      const [starts, known] = await Promise.all([startsKnownWord(db, w), knownTerms(db, [w, ...swapsOf(w)])]);
      if (!starts || known.includes(w) || known.length === 0) return [...opts];
      for (const k of known) wholeWords.add(k);
      return known;
    }),
  );
  return wholeWords.size ? { options: out, wholeWords } : null;
}

/** Whether some known word starts with `w` (or is `w`). */
async function startsKnownWord(db: Kysely<Database>, w: string): Promise<boolean> {
  return Boolean(await db.selectFrom('search_terms').select('term').where('term', '>=', w).where('term', '<', `${w}\uffff`).limit(1).executeTakeFirst());
}

/** Those of `words` that are known words, in the order given. */
async function knownTerms(db: Kysely<Database>, words: string[]): Promise<string[]> {
  if (!words.length) return [];
  const found = new Set((await db.selectFrom('search_terms').select('term').where('term', 'in', words).execute()).map((r) => r.term));
  return words.filter((x) => found.has(x));
}

/** Whether some contact's search document holds `w`. */
async function someoneHas(db: Kysely<Database>, w: string): Promise<boolean> {
  return Boolean(await db.selectFrom('contact_search').select('contact_id').where('doc', 'like', containing(w)).limit(1).executeTakeFirst());
}

/** "distributors" → distributor, "dispensaries" → dispensary, "boxes" → box; null when not a plural. */
function singularOf(w: string): string | null {
  if (w.length < 4 || !w.endsWith('s') || w.endsWith('ss')) return null;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(?:x|ch|sh)es$/.test(w)) return w.slice(0, -2);
  return w.slice(0, -1);
}

/** Under one slip in five letters: close enough that no other spelling needs looking for. */
const CLOSE_ENOUGH = 0.2;

interface Candidate {
  term: string;
  distance: number;
  /** `w` with two neighbouring letters swapped: at equal distance, the likelier slip ("maritn": martin before marin). */
  swapped: boolean;
}

/**
 * Known words near `w`, closest first: sharing trigrams (those starting with `w`'s first letter,
 * or any), sounding the same, or one slip away (see oneSlipAway). A short word with such a slip
 * shares too few trigrams ("nacny" and nancy: 2 of 10) and often not its sound (N250, N520), and
 * among many words of one sound the right one may not be in the first 50; those slips are looked
 * up exactly (a few key lookups). A word with no Latin letter has no sound to share.
 */
async function candidates(db: Kysely<Database>, w: string, o: { sameFirstLetter: boolean }): Promise<Candidate[]> {
  // The words with w's first letter are picked out before any is compared: left to the planner,
  // the trigram index offered nearly every word for a similarity check, ~15 ms at 3,000 words
  // ("coehn"), against ~1 ms this way.
  const from = o.sameFirstLetter
    ? sql`(SELECT term FROM search_terms WHERE term COLLATE "C" >= ${w[0]!} AND term COLLATE "C" < ${String.fromCharCode(w.charCodeAt(0) + 1)} OFFSET 0) t`
    : sql`search_terms`;
  const { rows } = await sql<{ term: string }>`
    (SELECT term FROM ${from} WHERE term % ${w} ORDER BY similarity(term, ${w}) DESC LIMIT 20)
    UNION
    (SELECT term FROM search_terms WHERE sound = ${soundex(w) || null} LIMIT 50)
    UNION
    (SELECT term FROM search_terms WHERE term = ANY(${oneSlipAway(w)}::text[]))`.execute(db);
  const swaps = new Set(swapsOf(w));
  return rank(rows.map((r) => ({ term: r.term, distance: editDistance(w, r.term) / Math.max(w.length, r.term.length), swapped: swaps.has(r.term) })));
}

/** The words `w` would be with two neighbouring letters swapped back ("nnacy" → nancy, "dre" → der). */
export function swapsOf(w: string): string[] {
  const letters = [...w];
  const out = new Set<string>();
  for (let i = 0; i + 1 < letters.length; i++) {
    if (letters[i] !== letters[i + 1]) out.add([...letters.slice(0, i), letters[i + 1], letters[i], ...letters.slice(i + 2)].join(''));
  }
  return [...out];
}

/** The words `w` would be with two neighbouring letters swapped back, or (from four letters) one letter fewer ("nancyy" → nancy). */
export function oneSlipAway(w: string): string[] {
  const letters = [...w];
  const drops = letters.length > 3 ? letters.map((_, i) => [...letters.slice(0, i), ...letters.slice(i + 1)].join('')) : [];
  return [...new Set([...swapsOf(w), ...drops])].filter((x) => x !== w);
}

/** Distinct words within half their length of edits, closest first. */
function rank(list: Candidate[]): Candidate[] {
  const unique = new Map(list.map((c) => [c.term, c]));
  return [...unique.values()].filter((c) => c.distance <= 0.5).sort((a, b) => a.distance - b.distance || Number(b.swapped) - Number(a.swapped) || a.term.localeCompare(b.term));
}
