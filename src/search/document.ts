import type { Insertable } from 'kysely';
import type { ContactFactsTable, ContactSearchTable } from '../db/database.js';
import { industriesOf } from './lexicon.js';
import { normalizeText } from './normalize.js';

export interface SearchRowInput {
  id: string;
  name: string | null;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  type: string | null;
  tags: readonly string[];
  dateAdded: string | Date | null;
  lastActivityAt: string | Date | null;
  nicknames: readonly string[];
  manualNicknames: readonly string[];
  importanceOverride: number | null;
}

/** Distinct normalised words of the given texts, in order. */
function words(parts: ReadonlyArray<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const part of parts) if (part) for (const w of normalizeText(part).split(' ')) if (w) out.add(w);
  return [...out];
}

/** The importance that does not depend on time: 5, +1 with tags, +2 for a lead. */
export function importanceBase(c: { tags: readonly string[]; type: string | null }): number {
  return 5 + (c.tags.length > 0 ? 1 : 0) + (c.type === 'lead' ? 2 : 0);
}

/**
 * The bases a contact can have given what a search requires of it (a type, a tag): e.g. a
 * customer is 5 or 6, a tagged lead 8. Lets a search skip index ranges that cannot hold a match.
 */
export function possibleBases(required: { type?: string; tagged?: boolean }): Set<number> {
  const types = required.type ? [required.type] : ['lead', 'customer'];
  const tags = required.tagged ? [['any']] : [['any'], []];
  return new Set(types.flatMap((type) => tags.map((t) => importanceBase({ type, tags: t }))));
}

export interface SearchRows {
  search: Insertable<ContactSearchTable>;
  facts: Insertable<ContactFactsTable>;
}

/**
 * A contact's rows in the search index: what it is found by (name, company, email name, tags and
 * every nickname, normalised so accents and punctuation do not matter) and the facts searches
 * filter and sort on.
 */
export function buildSearchRows(c: SearchRowInput): SearchRows {
  const companyNorm = normalizeText(c.companyName ?? '');
  const tagsNorm = c.tags.map((t) => normalizeText(t)).filter(Boolean);
  const base = importanceBase(c);
  return {
    search: {
      contact_id: c.id,
      doc: words([c.name, c.companyName, c.email?.split('@')[0], ...c.tags, ...c.nicknames, ...c.manualNicknames]).join(' '),
      name_norm: normalizeText(c.name ?? ''),
      company_norm: companyNorm,
      nicknames_norm: [...new Set([...c.nicknames, ...c.manualNicknames].map((n) => normalizeText(n)).filter(Boolean))],
      importance_base: base,
      importance_override: c.importanceOverride,
      date_added: c.dateAdded,
      last_activity_at: c.lastActivityAt,
    },
    facts: {
      contact_id: c.id,
      type: c.type,
      date_added: c.dateAdded,
      last_activity_at: c.lastActivityAt,
      has_email: Boolean(c.email),
      has_phone: Boolean(c.phone),
      importance_base: base,
      importance_override: c.importanceOverride,
      tags_norm: tagsNorm,
      industries: industriesOf(companyNorm, tagsNorm),
    },
  };
}
