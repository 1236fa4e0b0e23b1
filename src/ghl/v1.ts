import { z } from 'zod';
import { GhlResponseError } from './errors.js';
import { holdsInexactNumber } from '../exact-json.js';
import { type GhlHttp, parseJson } from './http.js';
import { parseContact, parseContacts, type ParsedPage } from './parse-contact.js';
import { mayHoldUnstorableText } from './storable-text.js';
import type { GhlContact } from './types.js';
import { GhlCount, isNotFound } from './v2.js';

export const V1_MAX_LIMIT = 100;

export interface V1ListRequest {
  limit: number;
  startAfter?: number;
  startAfterId?: string;
  query?: string;
  sortBy?: 'date_added' | 'date_updated';
  order?: 'asc' | 'desc';
}

export interface V1ContactPage extends ParsedPage {
  total: number;
  next: { startAfter: number; startAfterId: string } | null;
  /**
   * The response's own bytes, unless some records' text was changed to be storable: the sync stores
   * the records from them (see PageSource), exactly as GHL wrote them.
   */
  bytes: Buffer | null;
  /** Asked for with `checkNumbers`: some record holds a number its parsed copy may not hold exactly (see holdsInexactNumber). */
  inexactNumbers?: boolean;
}

const ListResponse = z.looseObject({
  contacts: z.array(z.unknown()),
  meta: z
    .looseObject({
      total: GhlCount,
      startAfter: z.number().nullish(),
      startAfterId: z.string().nullish(),
      nextPageUrl: z.string().nullish(),
    })
    .nullish(),
});
const ContactResponse = z.looseObject({ contact: z.unknown() });
const utf8 = new TextDecoder();

export function createV1Contacts(http: GhlHttp) {
  return {
    /** `checkNumbers`: also tell whether the parsed records may differ from the text in their numbers. */
    async listContacts(req: V1ListRequest, signal?: AbortSignal, o: { checkNumbers?: boolean } = {}): Promise<V1ContactPage> {
      const bytes = await http.getBytes('contacts/', { ...req }, signal);
      // TextDecoder, like fetch's text(), drops a byte-order mark and replaces invalid UTF-8.
      const text = utf8.decode(bytes);
      const parsed = ListResponse.safeParse(parseJson<unknown>(text, 'GET /v1/contacts/'));
      if (!parsed.success) throw new GhlResponseError('GoHighLevel answered GET /v1/contacts/ without a contacts list');
      const clean = mayHoldUnstorableText(text);
      const page = parseContacts(parsed.data.contacts, { clean });
      const meta = parsed.data.meta;
      const more = parsed.data.contacts.length >= req.limit && meta?.startAfterId && typeof meta.startAfter === 'number';
      return {
        ...page,
        total: meta?.total ?? page.contacts.length,
        next: more ? { startAfter: meta!.startAfter!, startAfterId: meta!.startAfterId! } : null,
        bytes: clean ? null : bytes,
        ...(o.checkNumbers ? { inexactNumbers: parsed.data.contacts.some(holdsInexactNumber) } : {}),
      };
    },

    async getContact(id: string, signal?: AbortSignal): Promise<GhlContact | null> {
      try {
        const body = ContactResponse.parse(await http.get<unknown>(`contacts/${encodeURIComponent(id)}`, undefined, signal));
        // Such a read may be stored (a contact paging missed), so its text is made storable too.
        const p = parseContact(body.contact, { clean: true });
        if (!p.ok) throw new GhlResponseError(`GoHighLevel answered GET /v1/contacts/${id} with an unreadable contact`);
        return p.contact;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
  };
}
