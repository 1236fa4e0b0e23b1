import { z } from 'zod';
import type { GhlContact } from '../ghl/types.js';
import { displayName } from '../sync/map-contact.js';
import { defineTool, withLiveDeadline } from './define-tool.js';
import { callGhl, requireGhl } from './ghl-access.js';
import { fenceUntrusted } from './render.js';

const LiveContact = z.object({
  id: z.string(),
  name: z.string().nullable(),
  company: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  type: z.string().nullable(),
  tags: z.array(z.string()),
  date_added: z.string().nullable(),
  date_updated: z.string().nullable(),
  last_activity_at: z.string().nullable().describe('Only when GHL reports it for this kind of read'),
});

export function toLiveContact(c: GhlContact): z.infer<typeof LiveContact> {
  return {
    id: c.id,
    name: displayName(c),
    company: c.companyName,
    email: c.email,
    phone: c.phone,
    type: c.type,
    tags: c.tags,
    date_added: c.dateAdded,
    date_updated: c.dateUpdated,
    last_activity_at: c.lastActivity,
  };
}

export const readContacts = defineTool({
  name: 'gohighlevel_read_contacts',
  title: 'Read contacts live from GoHighLevel',
  description:
    'Reads contacts directly from GoHighLevel, bypassing the local brain: use it when the person wants the live state ' +
    '(e.g. a contact added minutes ago) or doubts the brain. Costs API requests and is slower; for normal questions use ' +
    'search_contacts instead. `query` uses GoHighLevel\'s own matching (name, email, phone, company); without it the most ' +
    'recently updated contacts come first. Does not change the brain.',
  inputSchema: z.object({
    query: z.string().trim().min(1).max(75).optional().describe('Free text for GoHighLevel to match (at most 75 characters)'),
    limit: z.number().int().min(1).max(100).default(20).describe('How many contacts to return'),
  }),
  outputSchema: z.object({ contacts: z.array(LiveContact), total: z.number().int().describe('All matches in GHL, not just those returned') }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ query, limit }, deps, ctx) {
    const ghl = requireGhl(deps);
    const page = await callGhl(() => withLiveDeadline(deps, ctx, (signal) => ghl.searchLive(query, limit, signal)));
    for (const p of page.problems) deps.log.warn(`live read: ${p}`);
    return { contacts: page.contacts.slice(0, limit).map(toLiveContact), total: page.total };
  },
  render(o) {
    if (o.contacts.length === 0) return `GoHighLevel has no contacts matching that (live read, ${o.total} total).`;
    const lines = o.contacts.map((c) => `- ${[c.name ?? '(no name)', c.company, c.email, c.phone].filter(Boolean).join(' · ')} [${c.id}]`);
    return `Live from GoHighLevel: ${o.contacts.length} of ${o.total} matching contacts.\n${fenceUntrusted(lines)}`;
  },
});
