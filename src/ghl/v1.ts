import { z } from 'zod';
import { GhlResponseError } from './errors.js';
import type { GhlHttp } from './http.js';
import { parseContact, parseContacts, type ParsedPage } from './parse-contact.js';
import type { GhlContact } from './types.js';
import { isNotFound } from './v2.js';

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
}

const ListResponse = z.looseObject({
  contacts: z.array(z.unknown()),
  meta: z
    .looseObject({
      total: z.number().int().nonnegative().nullish(),
      startAfter: z.number().nullish(),
      startAfterId: z.string().nullish(),
      nextPageUrl: z.string().nullish(),
    })
    .nullish(),
});
const ContactResponse = z.looseObject({ contact: z.unknown() });

export function createV1Contacts(http: GhlHttp) {
  return {
    async listContacts(req: V1ListRequest, signal?: AbortSignal): Promise<V1ContactPage> {
      const body = await http.get<unknown>('contacts/', { ...req }, signal);
      const parsed = ListResponse.safeParse(body);
      if (!parsed.success) throw new GhlResponseError('GoHighLevel answered GET /v1/contacts/ without a contacts list');
      // The text is already parsed here; v1's pages are small, so every record is checked.
      const page = parseContacts(parsed.data.contacts, { clean: true });
      const meta = parsed.data.meta;
      const more = parsed.data.contacts.length >= req.limit && meta?.startAfterId && typeof meta.startAfter === 'number';
      return {
        ...page,
        total: meta?.total ?? page.contacts.length,
        next: more ? { startAfter: meta!.startAfter!, startAfterId: meta!.startAfterId! } : null,
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
