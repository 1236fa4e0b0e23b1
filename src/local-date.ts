/**
 * A day as the server's time zone names it ("2026-11-30"): the owner's "today" is local
 * (design: "today" = since local midnight), and toISOString's UTC date is tomorrow's in the
 * evening west of Greenwich.
 */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
