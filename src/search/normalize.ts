const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * Recent results: a sync normalises the same company names and tags thousands of times, and each
 * contact's name twice (its search words and its sort key). Emptied when full, so it stays small.
 */
const recent = new Map<string, string>();
const RECENT_MAX = 20_000;
const RECENT_MAX_LENGTH = 120;

/**
 * Lower-case, strip accents (René → rene, Søren → soren) and turn punctuation into spaces, so
 * "O'Brien" matches "obrien" and "o brien". Letters of other scripts stay letters (Иван → иван,
 * 王伟, Σωκράτης → σωκρατης): marks go in every script alike, on both sides of a search.
 */
export function normalizeText(text: string): string {
  // Long texts (a whole query, say) are rare and not worth keeping.
  if (text.length > RECENT_MAX_LENGTH) return normalize(text);
  let out = recent.get(text);
  if (out === undefined) {
    out = normalize(text);
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(text, out);
  }
  return out;
}

/**
 * Latin letters Unicode does not decompose into a base letter and a mark, written as people type
 * them on an English keyboard: Łukasz → lukasz, Søren → soren, Straße → strasse, Ærø → aero.
 * Migration 0009 re-derives the search rows of contacts holding one (listed there as well).
 */
const PLAIN_LETTERS: Record<string, string> = {
  ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ð: 'd', Ð: 'D', ß: 'ss', ẞ: 'SS',
  æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', þ: 'th', Þ: 'TH', ı: 'i', ħ: 'h', Ħ: 'H', ŧ: 't', Ŧ: 'T',
};
const UNDECOMPOSED = new RegExp(`[${Object.keys(PLAIN_LETTERS).join('')}]`, 'g');

function normalize(text: string): string {
  // Most names are plain ASCII; Unicode decomposition is the costly step and changes nothing there.
  const decomposed = PLAIN_ASCII.test(text) ? text : text.replace(UNDECOMPOSED, (ch) => PLAIN_LETTERS[ch]!).normalize('NFKD');
  return decomposed
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`ʼʻ]/g, '')
    .replace(/[^\p{L}\p{N}@.+]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** An extension after the number: "ext 12", "x3", "extension 4410", "#7". */
const EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$/i;

/**
 * The digits of a phone number, without a leading US country code or an extension, so
 * +1 (555) 010-2000 = 555.010.2000 = 555-010-2000 ext 12.
 */
export function phoneDigits(phone: string | null | undefined): string | null {
  if (!phone) return null;
  let digits = phone.replace(EXTENSION, '').replace(/\D+/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  return digits.length >= 7 ? digits : null;
}
