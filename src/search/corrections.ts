import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { editDistance, soundex } from './phonetic.js';

/**
 * The spellings to look for, per query word: the word itself when some contact's name or company
 * has a word starting with it ("alex" → alexandra); otherwise the closest known words, found by
 * shared trigrams or by sound ("micheal" → michael, "jonsen" → johnson) and ranked by edit
 * distance. Words under three letters are kept as they are.
 */
export async function spellings(db: Kysely<Database>, words: readonly string[]): Promise<string[][]> {
  return Promise.all(
    words.map(async (w) => {
      if (w.length < 3 || /^\d+$/.test(w)) return [w];
      const known = await db.selectFrom('search_terms').select('term').where('term', '>=', w).where('term', '<', `${w}\uffff`).limit(1).executeTakeFirst();
      if (known) return [w];
      // Typos seldom hit the first letter, so the words sharing it are tried first (a short index
      // range instead of a similarity over every word); the whole dictionary only when none is close.
      const sameStart = sql`term >= ${w[0]!} AND term < ${String.fromCharCode(w.charCodeAt(0) + 1)} AND`;
      for (const scope of [sameStart, sql``]) {
        const { rows } = await sql<{ term: string }>`
          (SELECT term FROM search_terms WHERE ${scope} term % ${w} ORDER BY similarity(term, ${w}) DESC LIMIT 20)
          UNION
          (SELECT term FROM search_terms WHERE sound = ${soundex(w)} LIMIT 50)`.execute(db);
        const ranked = rows
          .map((r) => ({ term: r.term, distance: editDistance(w, r.term) / Math.max(w.length, r.term.length) }))
          .filter((r) => r.distance <= 0.5)
          .sort((a, b) => a.distance - b.distance || a.term.localeCompare(b.term));
        if (ranked.length) return ranked.slice(0, 3).map((r) => r.term);
      }
      return [w];
    }),
  );
}
