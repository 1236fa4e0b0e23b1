// PostgreSQL's text and jsonb cannot hold every string JSON can carry. A record holding one would
// fail its whole page (and every later sync), so such text is made storable as it is read.

/**
 * Escapes JSON allows and PostgreSQL's text and jsonb refuse: NUL, and a UTF-16 surrogate on its
 * own. (A surrogate pair is fine, but its first half looks the same, so it takes the slow path too.)
 */
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
const UNSTORABLE_CHAR = /[\0\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a JSON text may hold text the database cannot store (see makeStorable); a cheap scan. */
export function mayHoldUnstorableText(json: string): boolean {
  // A plain substring search is twenty times faster than the pattern, and most pages hold no escape at all.
  return json.includes('\\u') && UNSTORABLE_ESCAPE.test(json);
}

/** Whether the database can store this string as it is (no NUL, no lone surrogate). */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE_CHAR.test(text) || storable(text) === text;
}

/** The string with what the database cannot store (NUL, a lone surrogate) removed or replaced. */
export function storable(text: string): string {
  return UNSTORABLE_CHAR.test(text) ? text.replaceAll('\0', '').replace(LONE_SURROGATE, '\uFFFD') : text;
}

/**
 * Makes every string of a freshly parsed record storable, in place: NULs removed, lone surrogates
 * replaced by U+FFFD (as a UTF-8 decoder does). Says whether anything changed.
 */
export function makeStorable(value: Record<string, unknown> | unknown[]): boolean {
  let changed = false;
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const s = storable(v);
      if (s !== v) changed = true;
      return s;
    }
    if (v && typeof v === 'object') changed = makeStorable(v as Record<string, unknown>) || changed;
    return v;
  };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fix(value[i]);
    return changed;
  }
  for (const key of Object.keys(value)) {
    const fixed = fix(value[key]);
    const k = storable(key);
    if (k !== key) {
      changed = true;
      delete value[key];
    }
    // defineProperty: a key that becomes __proto__ stays a key instead of replacing the prototype.
    Object.defineProperty(value, k, { value: fixed, enumerable: true, writable: true, configurable: true });
  }
  return changed;
}
