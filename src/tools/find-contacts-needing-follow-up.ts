import { z } from 'zod';
import { searchContacts } from '../search/search-contacts.js';
import { defineTool } from './define-tool.js';
import { unlessBrainEmpty } from './empty-brain.js';
import { fenceUntrusted } from './render.js';

const DAY = 86_400_000;

export const findContactsNeedingFollowUp = defineTool({
  name: 'find_contacts_needing_follow_up',
  title: 'Contacts needing follow-up',
  description:
    'Important contacts that have gone quiet: importance of at least min_importance and no activity for `days` days, most ' +
    'important first, then the longest silent. From the brain (no API call). Use it for "who should I call?", "who needs ' +
    'follow-up?", "who have I neglected?".',
  inputSchema: z.object({
    days: z.number().int().min(1).max(3650).default(30).describe('Silent for at least this many days'),
    min_importance: z.number().int().min(1).max(10).default(7).describe('Only contacts at least this important'),
    limit: z.number().int().min(1).max(100).default(20).describe('How many contacts to return'),
  }),
  outputSchema: z.object({
    contacts: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable(),
        company: z.string().nullable(),
        email: z.string().nullable(),
        phone: z.string().nullable(),
        importance: z.number().int(),
        last_activity_at: z.string().nullable().describe('Null when no activity was ever recorded'),
        days_silent: z.number().int().nullable(),
      }),
    ),
    total: z.number().int(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ days, min_importance, limit }, deps) {
    const now = deps.now();
    const db = await deps.db();
    const r = await searchContacts(db, { silentForDays: days, minImportance: min_importance, sort: 'importance' }, { now, limit });
    // "Nobody has gone quiet" from a brain that holds nobody would be a false all-clear.
    if (r.total === 0) await unlessBrainEmpty(db, deps);
    return {
      total: r.total,
      contacts: r.hits.map((h) => ({
        id: h.id,
        name: h.name,
        company: h.company,
        email: h.email,
        phone: h.phone,
        importance: h.importance,
        last_activity_at: h.last_activity_at,
        days_silent: h.last_activity_at ? Math.floor((now.getTime() - Date.parse(h.last_activity_at)) / DAY) : null,
      })),
    };
  },
  render(o) {
    // Not an all-clear on its own word: the brain may still be on its first sync.
    if (!o.contacts.length) return 'No contact matches: no contact that important has gone that long without activity in the brain (gohighlevel_get_sync_stats says how fresh the brain is).';
    const lines = o.contacts.map((c) => `- ${[c.name ?? '(no name)', c.company, c.phone ?? c.email].filter(Boolean).join(' · ')} — importance ${c.importance}, ${c.days_silent === null ? 'no activity recorded' : `silent ${c.days_silent} days`} [${c.id}]`);
    return `${o.total} important contact(s) need follow-up; showing ${o.contacts.length}.\n${fenceUntrusted(lines)}`;
  },
});
