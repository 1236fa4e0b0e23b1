/** `s` as a LIKE pattern's literal text: its wildcards and the escape character escaped. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern matching any text that holds `s`. */
export const containing = (s: string): string => `%${escapeLike(s)}%`;
