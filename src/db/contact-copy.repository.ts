import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ConnectForCopy } from './connection.js';
import { soundex } from '../search/phonetic.js';
import type { MappedContact } from '../sync/map-contact.js';
import { newestPerContact, type PageWriteResult, rememberTerms, searchRowsOf, termsOf, unsentTerms } from './contact-sync.repository.js';

const UNIQUE_VIOLATION = '23505';

/** A page's COPY, encoded: what is left of a page once its parsed records can be let go. */
export interface PreparedCopy {
  /** The bodies of COPY_STATEMENTS, in order. */
  bodies: Buffer[];
  created: string[];
  terms: string[];
}

/**
 * Encodes a first import's page of new contacts for COPY into all four contact tables. Synchronous,
 * so that the page's parsed records (a few MB of small objects) can be garbage before the database
 * is waited for: held across its round trips, they outlive young-generation collections, which
 * copy them. (bench:load --write copy, 20,000 contacts: scavenges 656 → 390–490 ms, the client's
 * CPU 117 → 101 µs a contact.)
 */
export function prepareCopy(page: readonly MappedContact[], knownTerms?: Set<string>): PreparedCopy {
  const contacts = [...newestPerContact(page).values()];
  const rows = contacts.map((c) => searchRowsOf(c));
  return {
    bodies: [
      encode(contacts.map(({ row: r }) => `${fields([r.id, r.location_id, r.first_name, r.last_name, r.name, r.company_name, r.email, r.phone, r.phone_digits, r.type, r.source, r.assigned_to, arrayLiteral(r.tags), r.date_added, r.date_updated, r.last_activity_at])}\t${jsonText(r.data)}\n`)),
      encode(contacts.map((c) => line([c.row.id, arrayLiteral(c.nicknames)]))),
      encode(rows.map(({ search: s }) => line([s.contact_id, s.doc, s.name_norm ?? '', s.company_norm ?? '', arrayLiteral(s.nicknames_norm ?? []), s.importance_base ?? 5, s.importance_override, s.date_added, s.last_activity_at]))),
      encode(rows.map(({ facts: f }) => line([f.contact_id, f.type, f.date_added, f.last_activity_at, f.has_email ?? false, f.has_phone ?? false, f.importance_base ?? 5, f.importance_override, arrayLiteral(f.tags_norm ?? []), arrayLiteral(f.industries ?? [])]))),
    ],
    created: contacts.map((c) => c.row.id).sort(),
    terms: unsentTerms(termsOf(rows), knownTerms),
  };
}

/** Each prepared body's statement. */
const COPY_STATEMENTS = [
  'COPY contacts (id, location_id, first_name, last_name, name, company_name, email, phone, phone_digits, type, source, assigned_to, tags, date_added, date_updated, last_activity_at, data) FROM STDIN',
  'COPY contact_context (contact_id, nicknames) FROM STDIN',
  'COPY contact_search (contact_id, doc, name_norm, company_norm, nicknames_norm, importance_base, importance_override, date_added, last_activity_at) FROM STDIN',
  'COPY contact_facts (contact_id, type, date_added, last_activity_at, has_email, has_phone, importance_base, importance_override, tags_norm, industries) FROM STDIN',
];

/**
 * Writes a prepared page with COPY, in one transaction: the rows of all four contact tables stream
 * in as text, with none of an upsert's parameter decoding, conflict checks or joins (at 20,000
 * contacts and two writers: ~60 µs of database CPU a contact against ~165). Only for contacts the
 * brain cannot hold yet: should one be there after all (listed again on a later page), the page is
 * rolled back and the result is null, for the caller to merge it the usual way.
 * Not for PGlite: COPY FROM STDIN through its socket stops the engine.
 */
export async function copyNewContacts(connect: ConnectForCopy, prepared: PreparedCopy, knownTerms?: Set<string>): Promise<PageWriteResult | null> {
  const { bodies, created, terms } = prepared;
  if (created.length === 0) return { created: [], updated: [], restored: [], unchanged: 0 };
  const client = await connect();
  try {
    await client.query('BEGIN');
    for (const [i, statement] of COPY_STATEMENTS.entries()) await copyBody(client, statement, bodies[i]!);
    if (terms.length) await client.query('INSERT INTO search_terms (term, sound) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [terms, terms.map(soundex)]);
    await client.query('COMMIT');
    client.release();
  } catch (err) {
    // A connection that cannot even roll back is closed, not handed out again.
    const clean = await client.query('ROLLBACK').then(() => true, () => false);
    client.release(clean ? undefined : (err as Error));
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return null;
    throw err;
  }
  rememberTerms(terms, knownTerms);
  return { created, updated: [], restored: [], unchanged: 0 };
}

/**
 * Encoded line by line: one accented letter makes a joined page a two-byte string, which Node 20
 * encodes ~10× slower than the mostly one-byte lines (~10 µs a contact). Written into one buffer
 * sized first, rather than a buffer a line then joined.
 */
function encode(lines: readonly string[]): Buffer {
  let size = 0;
  for (const l of lines) size += Buffer.byteLength(l);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const l of lines) at += out.write(l, at);
  return out;
}

async function copyBody(client: pg.PoolClient, statement: string, body: Buffer): Promise<void> {
  const stream = client.query(copyFrom(statement));
  await pipeline(async function* () {
    yield body;
  }, stream);
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/**
 * A record as a COPY field: JSON.stringify writes tabs, newlines and carriage returns inside
 * strings as escapes, so only its backslashes need doubling, found with a plain search instead of
 * the pattern every other field takes (the record is most of a row's text).
 */
function jsonText(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

type Field = string | number | boolean | Date | null | undefined;

/** One row in COPY's text format: tab-separated, \N for null, backslash escapes. */
function line(values: readonly Field[]): string {
  return `${fields(values)}\n`;
}

function fields(values: readonly Field[]): string {
  return values.map(field).join('\t');
}

function field(v: Field): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const text = v instanceof Date ? v.toISOString() : String(v);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A text[] literal: every element quoted, quotes and backslashes escaped (COPY escapes the result again). */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
