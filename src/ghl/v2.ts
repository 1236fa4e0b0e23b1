import { z } from 'zod';
import { GhlError, GhlResponseError } from './errors.js';
import { type GhlHttp, parseJson } from './http.js';
import { parseContact, parseContacts, type ParsedPage } from './parse-contact.js';
import { holdsInexactNumber } from '../exact-json.js';
import { mayHoldUnstorableText } from './storable-text.js';
import type { GhlContact } from './types.js';

export const V2_VERSION_HEADER = '2021-07-28';
/** GHL's documented ceiling for numbered pages: page × pageLimit ≤ 10,000. */
export const V2_PAGE_WINDOW = 10_000;
export const V2_MAX_PAGE_LIMIT = 500;

export type V2Filter =
  | { field: string; operator: 'range'; value: { gte?: string; lte?: string; gt?: string; lt?: string } }
  | { field: string; operator: 'eq' | 'not_eq' | 'contains'; value: string | number | boolean };

export interface V2SearchRequest {
  pageLimit: number;
  page?: number;
  searchAfter?: readonly [number, string];
  filters?: V2Filter[];
  sort?: Array<{ field: 'dateAdded' | 'dateUpdated'; direction: 'asc' | 'desc' }>;
  query?: string;
}

export interface V2ContactPage extends ParsedPage {
  total: number;
  /** Some records' text was changed to be storable, so the page's own bytes are not what to store. */
  textChanged: boolean;
  /** The cursor after the last record (sort value, id), for a searchAfter traversal. */
  lastCursor: [number, string] | null;
  /** How many records GHL listed, readable or not. */
  listed: number;
  /** GHL gave no usable total (none, or fewer than it listed): `total` is then what it listed. */
  totalUnknown: boolean;
  /** Asked for with `checkNumbers`: some record holds a number its parsed copy may not hold exactly (see holdsInexactNumber). */
  inexactNumbers?: boolean;
}

const utf8 = new TextDecoder();
/** A count as GHL may send it: a number, or digits in a string; anything else is no count at all. */
export const GhlCount = z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.number().int().nonnegative()).optional().catch(undefined);
const SearchResponse = z.looseObject({ contacts: z.array(z.unknown()), total: GhlCount });
const ContactResponse = z.looseObject({ contact: z.unknown() });

export function createV2Contacts(http: GhlHttp, locationId: string) {
  return {
    async searchContacts(req: V2SearchRequest, signal?: AbortSignal): Promise<V2ContactPage> {
      return parseSearchPage(await http.postBytes('contacts/search', { locationId, ...req }, signal));
    },

    /**
     * The page as bytes: a sync holds many fetched pages compactly, parses each when writing it,
     * and hands the same bytes to the database as the stored records (see PageSource).
     */
    searchContactsBytes(req: V2SearchRequest, signal?: AbortSignal): Promise<Buffer> {
      return http.postBytes('contacts/search', { locationId, ...req }, signal);
    },

    async getContact(id: string, signal?: AbortSignal): Promise<GhlContact | null> {
      try {
        const body = ContactResponse.parse(await http.get<unknown>(`contacts/${encodeURIComponent(id)}`, undefined, signal));
        // Such a read may be stored (a contact paging missed), so its text is made storable too.
        const p = parseContact(body.contact, { clean: true });
        if (!p.ok) throw new GhlResponseError(`GoHighLevel answered GET /contacts/${id} with an unreadable contact`);
        return p.contact;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
  };
}

/** `checkNumbers`: also tell whether the parsed records may differ from the text in their numbers. */
export function parseSearchPage(body: string | Buffer, o: { checkNumbers?: boolean } = {}): V2ContactPage {
  // TextDecoder, like fetch's text(), drops a byte-order mark and replaces invalid UTF-8.
  const text = typeof body === 'string' ? body : utf8.decode(body);
  const parsed = SearchResponse.safeParse(parseJson<unknown>(text, 'POST /contacts/search'));
  if (!parsed.success) throw new GhlResponseError('GoHighLevel answered POST /contacts/search without a contacts list');
  const clean = mayHoldUnstorableText(text);
  const page = parseContacts(parsed.data.contacts, { clean });
  const usableTotal = parsed.data.total !== undefined && parsed.data.total >= parsed.data.contacts.length ? parsed.data.total : null;
  const last = parsed.data.contacts.at(-1) as { searchAfter?: unknown } | undefined;
  const cursor = Array.isArray(last?.searchAfter) && last.searchAfter.length === 2 ? (last.searchAfter as [number, string]) : null;
  return {
    ...page,
    total: usableTotal ?? page.contacts.length,
    totalUnknown: usableTotal === null,
    lastCursor: cursor,
    textChanged: clean,
    listed: parsed.data.contacts.length,
    ...(o.checkNumbers ? { inexactNumbers: parsed.data.contacts.some(holdsInexactNumber) } : {}),
  };
}

/**
 * GHL says "not found" as 404, and sometimes as 400 with a not-found message. A 404 that names no
 * contact is something else: GHL's router missing the path ("Cannot GET /contacts/…", a base URL
 * or API version that moved) or a proxy's HTML page. Taken for "no such contact", it would confirm
 * deletions of contacts GHL still has.
 */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof GhlError)) return false;
  if (err.status === 400) return /not\s*found/i.test(err.message);
  return err.status === 404 && !ROUTE_OR_PAGE.test(err.message);
}

/** After "with 404: ", a router's "Cannot GET …" or the start of an HTML page. */
const ROUTE_OR_PAGE = /with 404: (?:Cannot [A-Z]+ |\s*<)/;
