// JSON numbers have no size limit; JavaScript's hold 15–17 significant digits. A number read with
// JSON.parse and written back with JSON.stringify can come out different
// (12345678901234567890 → 12345678901234567000, 1e400 → null). So a record holding such a number is
// stored from the response's own bytes, which PostgreSQL reads exactly (see PageSource), and a
// record shown to a person is read with its numbers exact (parseExactJson).

/**
 * Whether a number JSON.parse gave may not be the one the text held: an integer beyond 2^53, a
 * decimal written with more than 15 significant digits, or an overflow. (A decimal of more than 15
 * digits that happens to round to a short one, 0.30000000000000001 → 0.3, is not seen: no such
 * value is known in GHL's records.)
 */
function mayBeInexact(n: number): boolean {
  if (Number.isSafeInteger(n)) return false;
  if (Number.isInteger(n) || !Number.isFinite(n)) return true;
  return shortestDigits(n).length > 15;
}

/**
 * Whether a freshly parsed record holds a number that may differ from its text (see mayBeInexact).
 * A walk over the parsed values: a few hundred nanoseconds a contact, where a scan of the text for
 * long numbers takes microseconds.
 */
export function holdsInexactNumber(value: unknown): boolean {
  if (typeof value === 'number') return mayBeInexact(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (holdsInexactNumber(v)) return true;
    return false;
  }
  for (const k in value) if (holdsInexactNumber((value as Record<string, unknown>)[k])) return true;
  return false;
}

/** The significant digits of a decimal mantissa ("0.0120" → "12"). */
function significant(mantissa: string): string {
  return mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
}

/** The significant digits of the shortest decimal that reads back as `n` (what JSON.stringify writes). */
function shortestDigits(n: number): string {
  return significant(Math.abs(n).toExponential().split('e')[0]!);
}

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;


/**
 * Whether a JSON number, as written, comes out of JSON.parse as a different value: its digits are
 * not those of the shortest form of the number it parses to (too many digits, 1e400, 1e-400). The
 * way it is written (1.50, 1E5) is not its value.
 */
function inexactToken(token: string): boolean {
  return significant(token.replace('-', '').toLowerCase().split('e')[0]!) !== shortestDigits(Number(token));
}

/**
 * Parses JSON, giving each number a JavaScript number cannot hold exactly as a string of its
 * exact digits ("12345678901234567890") rather than a rounded number: for answers read by people
 * and models, where a rounded account number is a wrong one.
 */
export function parseExactJson(text: string): unknown {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skipped whole, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    NUMBER_TOKEN.lastIndex = i;
    const token = NUMBER_TOKEN.exec(text)?.[0];
    if (!token) continue;
    if (inexactToken(token)) {
      out += `${text.slice(copied, i)}"${token}"`;
      copied = i + token.length;
    }
    i += token.length - 1;
  }
  return JSON.parse(copied === 0 ? text : out + text.slice(copied));
}
