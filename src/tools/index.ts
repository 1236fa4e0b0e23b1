import type { AnyTool } from './define-tool.js';
import { getSyncStats } from './get-sync-stats.js';
import { pipelineDigest } from './pipeline-digest.js';
import { readContacts } from './read-contacts.js';
import { syncAllContacts } from './sync-all-contacts.js';

/** Every tool the server offers, in the order clients list them. Only working tools belong here. */
export const tools: readonly AnyTool[] = [syncAllContacts, getSyncStats, readContacts, pipelineDigest];
