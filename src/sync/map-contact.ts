import type { GhlContact } from '../ghl/types.js';
import { phoneDigits } from '../search/normalize.js';
import { autoNicknames } from './nicknames.js';

/** A contact as the brain stores it; dates stay ISO strings until PostgreSQL parses them. */
export interface ContactRecord {
  id: string;
  location_id: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  company_name: string | null;
  email: string | null;
  phone: string | null;
  phone_digits: string | null;
  type: string | null;
  source: string | null;
  assigned_to: string | null;
  tags: string[];
  date_added: string | null;
  date_updated: string | null;
  last_activity_at: string | null;
  data: Record<string, unknown>;
}

export interface MappedContact {
  row: ContactRecord;
  /** Automatic nicknames, rebuilt whenever the contact changes. */
  nicknames: string[];
  /** Where the record sits in its page's `contacts` list, when the page's own bytes are stored (see PageSource). */
  position?: number;
}

export function displayName(c: Pick<GhlContact, 'firstName' | 'lastName' | 'contactName' | 'email'>): string | null {
  const full = [c.firstName, c.lastName].map((s) => s?.trim()).filter(Boolean).join(' ');
  return full || c.contactName?.trim() || c.email || null;
}

/** GHL contact → the brain's row. Activity is GHL's lastActivity where the API gave it, else dateUpdated. */
export function mapContact(c: GhlContact, locationId: string): MappedContact {
  const name = displayName(c);
  const nicknames = autoNicknames(c);
  return {
    row: {
      id: c.id,
      location_id: c.locationId ?? locationId,
      first_name: c.firstName,
      last_name: c.lastName,
      name,
      company_name: c.companyName,
      email: c.email,
      phone: c.phone,
      phone_digits: phoneDigits(c.phone),
      type: c.type,
      source: c.source,
      assigned_to: c.assignedTo,
      tags: c.tags,
      date_added: c.dateAdded,
      date_updated: c.dateUpdated,
      last_activity_at: c.lastActivity ?? c.dateUpdated,
      data: c.raw,
    },
    nicknames,
  };
}
