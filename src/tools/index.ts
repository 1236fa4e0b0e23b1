import type { AnyTool } from './define-tool.js';
import { findContactsNeedingFollowUp } from './find-contacts-needing-follow-up.js';
import { getContact360 } from './get-contact-360.js';
import { getSyncStats } from './get-sync-stats.js';
import { pipelineDigest } from './pipeline-digest.js';
import { readContacts } from './read-contacts.js';
import { saveContactContext } from './save-contact-context.js';
import { searchContacts } from './search-contacts.js';
import { syncAllContacts } from './sync-all-contacts.js';

/** Every tool the server offers, in the order clients list them. Only working tools belong here. */
export const tools: readonly AnyTool[] = [
  searchContacts,
  getContact360,
  findContactsNeedingFollowUp,
  saveContactContext,
  syncAllContacts,
  getSyncStats,
  readContacts,
  pipelineDigest,
];
