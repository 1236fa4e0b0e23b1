import { makeStorable } from './storable-text.js';
import type { GhlContact } from './types.js';

/** Keys GHL adds per response (cursor, trace) that say nothing about the contact itself. */
export const VOLATILE_KEYS: readonly string[] = ['searchAfter', 'sort', 'traceId', 'score'];

/**
 * The record without VOLATILE_KEYS (the names below must be the same). A rest copy, which makes a
 * key named __proto__ (JSON allows it) a key of the copy rather than its prototype, as any other
 * key: a fifth of the CPU of copying key by key with defineProperty (~3.5 µs a contact against
 * ~15.6), and its copies serialise faster.
 */
function withoutVolatileKeys(r: Record<string, unknown>): Record<string, unknown> {
  const { searchAfter: _searchAfter, sort: _sort, traceId: _traceId, score: _score, ...rest } = r;
  return rest;
}

/**
 * A time already in the form `toISOString` gives, with a day and hour that cannot roll over
 * (GHL's usual form): kept as it is, skipping a Date round trip. Anything else goes through Date.
 */
const CANONICAL_TIME = /^(19|[2-9]\d)\d\d-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * The years a contact's time may fall in. Past 9999 `toISOString` writes a six-digit year
 * (`+058300-…`, a microsecond epoch read as milliseconds) that PostgreSQL rejects, failing the
 * whole page; before 1900 it is a placeholder (`0001-01-01`) or a broken value, not a time a
 * contact was added, changed or active.
 */
const FIRST_YEAR = 1900;
const LAST_YEAR = 9999;

/** Below this an epoch number is in seconds: as milliseconds it would be before March 1973; as seconds it reaches year 5138. */
const SECONDS_EPOCH_BELOW = 1e11;

/** A date and time with no zone ("2026-05-01T10:00:00", "2026-05-01 10:00"): GHL's times are UTC. */
const ZONELESS_TIME = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)$/;

/** A GHL time as a Date (null or an invalid Date when it is none): epoch seconds or milliseconds, or text, read as UTC when it names no zone. */
function readTime(v: unknown): Date | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null;
  if (n !== null) return new Date(Math.abs(n) < SECONDS_EPOCH_BELOW ? n * 1000 : n);
  if (typeof v !== 'string') return null;
  const zoneless = ZONELESS_TIME.exec(v.trim());
  return new Date(zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : v);
}

/**
 * A GHL time (a contact's or an opportunity's) as the ISO text the brain stores, or why it is none;
 * null when there is no value. Epoch seconds or milliseconds, or text read as UTC when it names no zone.
 */
export function storableTime(v: unknown): { iso: string } | { problem: string } | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string' && CANONICAL_TIME.test(v)) return { iso: v };
  const d = readTime(v);
  if (!d || Number.isNaN(d.getTime())) return { problem: 'not a date' };
  const year = d.getUTCFullYear();
  if (year >= FIRST_YEAR && year <= LAST_YEAR) return { iso: d.toISOString() };
  return { problem: `not a date: year ${year}, expected ${FIRST_YEAR}–${LAST_YEAR}` };
}

// Only the id is checked up front (and without copying the record): every other field is read
// one by one below, so a bad value costs that field, not the contact. This runs for every record
// of every page, so it is plain code rather than a schema.
// "." and ".." would turn GET /contacts/{id} into another path, whose 404 would then "confirm" a deletion.
const isContactId = (id: unknown): id is string => typeof id === 'string' && id.length >= 1 && id.length <= 128 && id !== '.' && id !== '..';

// The brain indexes emails, phone numbers and tags, and an index entry holds at most ~2,700 bytes:
// one contact with a longer value would fail its page and every sync after it. Real ones are far
// shorter (an email address has at most 254 characters); a longer value is dropped from the typed
// column with a warning and kept in the stored record.
const MAX_EMAIL_LENGTH = 320;
const MAX_PHONE_LENGTH = 64;
const MAX_TAG_LENGTH = 255;

export type ParsedContact = { ok: true; contact: GhlContact; warnings: string[] } | { ok: false; problem: string };

/**
 * Tolerant reading of one GHL contact (v1 or v2 shape). A record without a usable id cannot be
 * stored and is rejected; a bad field (say a numeric email) is dropped with a warning and the
 * rest of the contact is kept.
 */
export function parseContact(input: unknown, o: { clean?: boolean } = {}): ParsedContact {
  const isRecord = typeof input === 'object' && input !== null && !Array.isArray(input);
  // Cleaned before anything is read from it, the id included.
  const cleaned = isRecord && o.clean === true && makeStorable(input as Record<string, unknown>);
  if (!isRecord || !isContactId((input as { id?: unknown }).id)) {
    const id = isRecord && 'id' in input ? JSON.stringify((input as { id: unknown }).id) : 'missing';
    return { ok: false, problem: `skipped a contact without a valid id (id: ${id})` };
  }
  const r = input as Record<string, unknown> & { id: string };
  const warnings: string[] = [];
  if (cleaned) warnings.push(`contact ${r.id}: removed characters the database cannot store (NUL, a broken surrogate)`);
  const str = (key: string, max = Number.POSITIVE_INFINITY): string | null => {
    const v = r[key];
    if (v === null || v === undefined || v === '') return null;
    if (typeof v !== 'string') {
      warnings.push(`contact ${r.id}: ignored ${key} (${typeof v}, expected text)`);
      return null;
    }
    const text = v.trim();
    if (text.length <= max) return text || null;
    warnings.push(`contact ${r.id}: ignored ${key} (${text.length} characters, at most ${max} expected)`);
    return null;
  };
  const date = (key: string): string | null => {
    const t = storableTime(r[key]);
    if (t && 'problem' in t) warnings.push(`contact ${r.id}: ignored ${key} (${t.problem})`);
    return t && 'iso' in t ? t.iso : null;
  };
  const tags = Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '').map((t) => t.trim()) : [];
  if (tags.some((t) => t.length > MAX_TAG_LENGTH)) warnings.push(`contact ${r.id}: ignored tags longer than ${MAX_TAG_LENGTH} characters`);
  if (r.tags !== undefined && r.tags !== null && !Array.isArray(r.tags)) warnings.push(`contact ${r.id}: ignored tags (not a list)`);

  // Copied only when there is something to leave out (v2 search answers carry a cursor per record).
  const raw = VOLATILE_KEYS.some((k) => k in r) ? withoutVolatileKeys(r) : r;

  const contact: GhlContact = {
    id: r.id,
    locationId: str('locationId'),
    firstName: str('firstName'),
    lastName: str('lastName'),
    contactName: str('contactName') ?? str('name'),
    companyName: str('companyName'),
    email: str('email', MAX_EMAIL_LENGTH),
    phone: str('phone', MAX_PHONE_LENGTH),
    type: str('type'),
    source: str('source'),
    assignedTo: str('assignedTo'),
    tags: tags.filter((t) => t.length <= MAX_TAG_LENGTH),
    dateAdded: date('dateAdded'),
    dateUpdated: date('dateUpdated'),
    lastActivity: date('lastActivity'),
    raw,
  };
  return { ok: true, contact, warnings };
}

export interface ParsedPage {
  contacts: GhlContact[];
  /** Where each of `contacts` sits in the list read (records without a usable id are left out). */
  positions: number[];
  problems: string[];
}

/** `clean`: the records may hold text the database cannot store (see mayHoldUnstorableText). */
export function parseContacts(items: readonly unknown[], o: { clean?: boolean } = {}): ParsedPage {
  const page: ParsedPage = { contacts: [], positions: [], problems: [] };
  items.forEach((item, position) => {
    const p = parseContact(item, o);
    if (p.ok) {
      page.contacts.push(p.contact);
      page.positions.push(position);
      page.problems.push(...p.warnings);
    } else page.problems.push(p.problem);
  });
  return page;
}
