import { z } from 'zod';
import type { SyncRunRow } from '../db/database.js';
import { isStorableText } from '../ghl/storable-text.js';

/**
 * A string argument the tool stores or looks up in the database, which cannot hold a NUL or half
 * of a UTF-16 surrogate pair (a model cutting an emoji in two): refused with a clear error.
 */
export function storableText(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(isStorableText, { message: 'contains a NUL character or half of an emoji, which cannot be stored; remove it' });
}

export const SyncRunSchema = z.object({
  status: z.enum(['succeeded', 'failed', 'running']).describe('Outcome; "running" while the run is still going'),
  run_id: z.number().int().describe('The sync_runs id. gohighlevel_get_sync_stats reports the latest run: this one while it runs, unless another has started since'),
  mode: z.enum(['full', 'incremental']),
  contacts_fetched: z.number().int(),
  contacts_created: z.number().int(),
  contacts_updated: z.number().int(),
  contacts_unchanged: z.number().int(),
  contacts_deleted: z.number().int(),
  errors: z.array(z.string()),
  api_requests: z.number().int(),
  duration_ms: z.number().int(),
});
export type SyncRunOutput = z.infer<typeof SyncRunSchema>;

export const SyncRunDetailSchema = SyncRunSchema.extend({
  started_at: z.string().describe('ISO-8601'),
  finished_at: z.string().nullable(),
  trigger: z.enum(['schedule', 'startup', 'tool', 'cli']),
});
export type SyncRunDetail = z.infer<typeof SyncRunDetailSchema>;

export function toSyncRunOutput(row: SyncRunRow, now: Date): SyncRunOutput {
  const end = row.finished_at ?? now;
  return {
    status: row.status,
    run_id: Number(row.id),
    mode: row.mode,
    contacts_fetched: row.contacts_fetched,
    contacts_created: row.contacts_created,
    contacts_updated: row.contacts_updated,
    contacts_unchanged: row.contacts_unchanged,
    contacts_deleted: row.contacts_deleted,
    errors: row.errors,
    api_requests: row.api_requests,
    duration_ms: Math.max(0, Math.round(end.getTime() - row.started_at.getTime())),
  };
}

export function toSyncRunDetail(row: SyncRunRow, now: Date): SyncRunDetail {
  return {
    ...toSyncRunOutput(row, now),
    started_at: row.started_at.toISOString(),
    finished_at: row.finished_at ? row.finished_at.toISOString() : null,
    trigger: row.trigger,
  };
}
