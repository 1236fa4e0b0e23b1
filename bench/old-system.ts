import { type Kysely, sql } from 'kysely';
import type { Database } from '../src/db/database.js';

/**
 * The previous server's way, re-enacted for comparison: v1 pages of 100 read one after another,
 * every contact re-written with its own statement, and a "synced" history row per contact.
 * Uses its own tables so it does not touch the brain.
 */
export async function runOldSystem(db: Kysely<Database>, v1Url: string, token: string): Promise<{ requests: number; contacts: number }> {
  await sql`CREATE TABLE IF NOT EXISTS old_contacts (id text PRIMARY KEY, data jsonb NOT NULL, synced_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS old_history (id bigserial PRIMARY KEY, contact_id text NOT NULL, action text NOT NULL, at timestamptz NOT NULL DEFAULT now())`.execute(db);
  let requests = 0;
  let contacts = 0;
  let cursor = '';
  for (;;) {
    const res = await fetch(`${v1Url}/contacts/?limit=100${cursor}`, { headers: { Authorization: `Bearer ${token}` } });
    requests += 1;
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    const body = (await res.json()) as { contacts: Array<{ id: string }>; meta: { startAfter: number; startAfterId: string; nextPageUrl: string | null } };
    for (const c of body.contacts) {
      await sql`INSERT INTO old_contacts (id, data) VALUES (${c.id}, ${JSON.stringify(c)}::jsonb)
                ON CONFLICT (id) DO UPDATE SET data = excluded.data, synced_at = now()`.execute(db);
      await sql`INSERT INTO old_history (contact_id, action) VALUES (${c.id}, 'synced')`.execute(db);
      contacts += 1;
    }
    if (!body.meta.nextPageUrl || body.contacts.length === 0) break;
    cursor = `&startAfter=${body.meta.startAfter}&startAfterId=${body.meta.startAfterId}`;
  }
  return { requests, contacts };
}
