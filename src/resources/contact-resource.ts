import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { findContact } from '../db/contact-context.repository.js';
import { searchContacts } from '../search/search-contacts.js';
import { loadContact360 } from '../tools/contact-360.js';
import type { ToolDeps } from '../tools/define-tool.js';
import { readInTime } from '../tools/no-answer.js';
import { DEMO_NOTICE } from '../tools/register.js';
import { isStorableText } from '../ghl/storable-text.js';
import { tracked } from '../tools/in-flight.js';
import { oneLine } from '../tools/render.js';

/** How many contacts resources/list offers: the most important ones, never the whole brain. */
export const LISTED_CONTACTS = 50;

/**
 * `contact://{id}`: the same picture as get_contact_360, as JSON a client can attach to a
 * conversation. Reading is free of side effects (clients read resources on their own), so unlike
 * the tool it does not record a "viewed" event.
 */
export function registerContactResource(server: McpServer, deps: ToolDeps): void {
  const template = new ResourceTemplate('contact://{id}', {
    list: tracked(deps.inFlight, readInTime(deps, async () => {
      const now = deps.now();
      const { hits } = await searchContacts(await deps.db(), { sort: 'importance' }, { now, limit: LISTED_CONTACTS });
      return {
        resources: hits.map((h) => ({
          uri: `contact://${encodeURIComponent(h.id)}`,
          name: oneLine(h.name ?? h.email ?? h.id),
          description: oneLine([h.company, `importance ${h.importance}`].filter(Boolean).join(' · ')),
          mimeType: 'application/json',
        })),
      };
    })),
  });
  server.registerResource(
    'contact',
    template,
    {
      title: 'Contact',
      description:
        'Everything the brain knows about one contact (record, custom fields, nicknames, importance, notes, history, deals) as JSON. ' +
        `The list offers the ${LISTED_CONTACTS} most important contacts; any contact id works.`,
      mimeType: 'application/json',
    },
    // Counted while it runs, like a tool call (a shutdown lets it answer).
    tracked(deps.inFlight, readInTime(deps, async (uri, variables) => {
      const raw = Array.isArray(variables.id) ? variables.id[0] : variables.id;
      const id = decodedId(raw ?? '');
      if (!id) throw new McpError(ErrorCode.InvalidParams, 'The resource URI needs a contact id: contact://{id}.');
      // No contact has such an id, and the database could not even be asked (a NUL).
      if (id.length > MAX_ID_LENGTH || !isStorableText(id)) throw new McpError(-32002, 'No contact has that id. Find ids with search_contacts or resources/list.');
      const db = await deps.db();
      const contact = await findContact(db, id);
      // -32002 is the protocol's "resource not found".
      if (!contact) throw new McpError(-32002, `No contact has the id "${id}". Find ids with search_contacts or resources/list.`);
      const body = await loadContact360(db, contact, deps.now());
      const payload = deps.config.demo ? { notice: DEMO_NOTICE, ...body } : body;
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(payload, null, 2) }] };
    })),
  );
}

/** Longer than any GHL id (20 characters), as the tools' contact_id bound says. */
const MAX_ID_LENGTH = 128;

/** The id in a contact URI; a broken %-escape (contact://%) is the caller's mistake, said as such. */
function decodedId(raw: string): string {
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    throw new McpError(ErrorCode.InvalidParams, `"${raw}" is not a readable contact id (a broken %-escape); use the id as search_contacts gives it.`);
  }
}
