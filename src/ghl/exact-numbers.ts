// JSON numbers have no size limit; JavaScript's hold 15–17 significant digits. A number read with
// JSON.parse and written back with JSON.stringify can come out different
// (12345678901234567890 → 12345678901234567000, 1e400 → null), so a record holding such a number is
// stored from the response's own bytes, which PostgreSQL reads exactly (see PageSource).

/**
 * Whether a number JSON.parse gave may not be the one the text held: an integer beyond 2^53, a
 * decimal written with more than 15 significant digits, or an overflow. (A decimal of more than 15
 * digits that happens to round to a short one, 0.30000000000000001 → 0.3, is not seen: no such
 * value is known in GHL's records.)
 */
function mayBeInexact(n: number): boolean {
  if (Number.isSafeInteger(n)) return false;
  if (Number.isInteger(n) || !Number.isFinite(n)) return true;
  return significantDigits(n) > 15;
}

function significantDigits(n: number): number {
  const [mantissa] = Math.abs(n).toExponential().split('e') as [string];
  return mantissa.replace('.', '').length;
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
