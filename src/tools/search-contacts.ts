import { z } from 'zod';
import { describe, type SearchRequest } from '../search/parse-query.js';
import { deletedContactsMatching } from '../search/deleted-matches.js';
import { readQuery } from '../search/read-query.js';
import { normalizeText } from '../search/normalize.js';
import { ToolError } from '../errors.js';
import { searchContacts as runSearch } from '../search/search-contacts.js';
import { ContactSummary, summaryLine } from './contact-summary.js';
import { defineTool } from './define-tool.js';
import { deletedContactLine, fenceUntrusted } from './render.js';

/** What a request that names someone holds; anything else in it is a filter (deletedContactsMatching asks nothing without a name, email or phone). */
const NAMING = new Set<string>(['name', 'company', 'email', 'phone', 'sort']);

export const searchContacts = defineTool({
  name: 'search_contacts',
  title: 'Search contacts in the brain',
  description:
    'Finds contacts in the local brain (synced from GoHighLevel; instant, no API call). `query` understands plain English: ' +
    'names and nicknames with typos or missing accents ("rachel", "Micheal Jonsen", "rene lefevre", "alex"), "rachel from ' +
    'fresh headies", "who\'s at fresh headies?", emails, phone numbers in any format, "my most important contacts", "recent ' +
    'leads", "contacts added this week", "leads added on monday", "new leads since nov 1", "customers added in october", "added over the weekend", "leads from last quarter", ' +
    '"leads without email", "who haven\'t I contacted in 30 days?", "who did I talk to this week?", "active leads", "best customers", "contacts in the ' +
    'cannabis industry", "who needs follow-up?". The other fields filter explicitly and override what the query says. ' +
    'The answer says how the query was read (`interpretation`). Use get_contact_360 for one contact\'s full record.',
  inputSchema: z.object({
    query: z.string().trim().min(1).max(200).optional().describe('Plain-English request, a name, an email or a phone number'),
    company: z.string().trim().min(1).max(100).optional().describe('Company name (fuzzy)'),
    tag: z.string().trim().min(1).max(60).optional().describe('A tag the contact must have'),
    type: z.enum(['lead', 'customer']).optional().describe('GHL contact type'),
    min_importance: z.number().int().min(1).max(10).optional().describe('Only contacts at least this important'),
    added_within_days: z.number().int().min(1).max(3650).optional().describe('Added in the last N days'),
    not_contacted_within_days: z.number().int().min(1).max(3650).optional().describe('No activity in the last N days'),
    has_email: z.boolean().optional().describe('true: only with an email; false: only without'),
    has_phone: z.boolean().optional().describe('true: only with a phone; false: only without'),
    sort: z.enum(['relevance', 'importance', 'recent']).optional().describe('Default: relevance for text, importance otherwise'),
    limit: z.number().int().min(1).max(100).default(10).describe('How many contacts to return'),
  }),
  outputSchema: z.object({
    contacts: z.array(ContactSummary),
    total: z.number().int().describe('All contacts matching, not just those returned'),
    interpretation: z.string().describe('How the request was read'),
    deleted_matches: z
      .array(z.object({ id: z.string(), name: z.string().nullable(), company: z.string().nullable(), email: z.string().nullable(), deleted_at: z.string() }))
      .optional()
      .describe('When nothing current matched a name, email or phone: contacts GoHighLevel deleted that match it (the brain keeps them; get_contact_360 opens one by id)'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, deps) {
    const now = deps.now();
    // Searched by their letters and digits: a filter with none would be dropped, and match everyone.
    for (const [field, value] of [['company', input.company], ['tag', input.tag]] as const) {
      if (value !== undefined && !normalizeText(value)) throw new ToolError(`${field} "${value}" has no letters or digits to search by.`, `Give the ${field} as it is written, e.g. "Fresh Headies" or "vip".`);
    }
    const parsed: SearchRequest = input.query ? await readQuery(await deps.db(), input.query, now) : {};
    const req: SearchRequest = {
      ...parsed,
      ...(input.company ? { company: input.company } : {}),
      ...(input.tag ? { tag: input.tag } : {}),
      ...(input.type ? { type: input.type } : {}),
      ...(input.min_importance !== undefined ? { minImportance: input.min_importance } : {}),
      ...(input.added_within_days !== undefined ? { addedSince: new Date(now.getTime() - input.added_within_days * 86_400_000), addedBefore: undefined, addedSinceLabel: `added in the last ${input.added_within_days} days` } : {}),
      ...(input.not_contacted_within_days !== undefined ? { silentForDays: input.not_contacted_within_days } : {}),
      ...(input.has_email !== undefined ? { hasEmail: input.has_email } : {}),
      ...(input.has_phone !== undefined ? { hasPhone: input.has_phone } : {}),
      ...(input.sort ? { sort: input.sort } : {}),
    };
    const result = await runSearch(await deps.db(), req, { now, limit: input.limit });
    const interpretation = describe(req) + (result.corrected.length ? `; spelling: ${result.corrected.join(', ')}` : '');
    // Nobody current by that name: someone GoHighLevel deleted is still remembered, and saying so
    // beats a bare "no match" about a person the owner knows was there. Only for a search that
    // names someone; filters alone ("leads without email") never list deleted contacts.
    const onlyNames = Object.entries(req).every(([key, value]) => value === undefined || NAMING.has(key));
    const deleted = result.total === 0 && onlyNames ? await deletedContactsMatching(await deps.db(), req) : [];
    return {
      contacts: result.hits,
      total: result.total,
      interpretation,
      ...(deleted.length ? { deleted_matches: deleted.map((d) => ({ ...d, deleted_at: d.deleted_at.toISOString() })) } : {}),
    };
  },
  render(o) {
    if (o.contacts.length === 0 && o.deleted_matches?.length) {
      const list = o.deleted_matches.map(deletedContactLine);
      return `No current contact matched (searched: ${o.interpretation}); deleted in GoHighLevel but kept in the brain:\n${fenceUntrusted(list)}\nget_contact_360 with a contact_id shows what the brain kept of them.`;
    }
    if (o.contacts.length === 0) {
      return `No contacts matched (searched: ${o.interpretation}). Try fewer words, only the first name or the company, or check gohighlevel_get_sync_stats to see whether the brain is synced.`;
    }
    const head = `${o.total} contact${o.total === 1 ? '' : 's'} matched (${o.interpretation}); showing ${o.contacts.length}.`;
    return `${head}\n${fenceUntrusted(o.contacts.map(summaryLine))}`;
  },
});
