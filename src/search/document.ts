import { normalizeText } from './normalize.js';

export interface SearchDocInput {
  name: string | null;
  companyName: string | null;
  email: string | null;
  nicknames: readonly string[];
  manualNicknames: readonly string[];
}

/**
 * The text a contact is found by: name, company, email local part and every nickname, normalised.
 * Kept in the narrow contact_search table so trigram scans stay small.
 */
export function buildSearchDoc(c: SearchDocInput): string {
  const parts = [c.name, c.companyName, c.email?.split('@')[0], ...c.nicknames, ...c.manualNicknames];
  const words = new Set<string>();
  for (const part of parts) {
    if (!part) continue;
    for (const w of normalizeText(part).split(' ')) if (w) words.add(w);
  }
  return [...words].join(' ');
}
