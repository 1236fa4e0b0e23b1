import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { KNOWN } from '../../src/fake-ghl/index.js';
import { textOf } from '../helpers/mcp-client.js';
import { openConnectedApp } from '../helpers/connected-app.js';

// Another session on a shared server (an administrator's ALTER TABLE, another program's transaction
// left open) holds a lock the server needs: the person gets an answer naming it, before the client
// gives up at 60 s, and a sync ends instead of reading as "running" for good.
describe.runIf(process.env.TEST_DATABASE_URL)('another session holding a lock on the brain\'s tables (postgres)', () => {
  it('a brain tool answers with the session in the way; a blocked sync fails and the next one succeeds', { timeout: 150_000 }, async () => {
    const { app, mcp, fake, close } = await openConnectedApp('postgres', { contactCount: 200, seed: 5 }, { synced: true });
    const url = (app.deps.config.database as { url: string }).url;
    const other = new pg.Client({ connectionString: url, application_name: 'maintenance' });
    try {
      await other.connect();
      await other.query('BEGIN');
      await other.query('LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE');
      const t0 = Date.now();
      const locked = await mcp.call('get_contact_360', { contact_id: KNOWN.rachel });
      expect(Date.now() - t0).toBeLessThan(60_000);
      expect(locked.isError).toBe(true);
      expect(textOf(locked)).toMatch(/kept locked by another session for 20s: session \d+ \(maintenance, idle in transaction since/);
      await other.query('ROLLBACK');

      // Another program edits a contact's context and leaves its transaction open; GHL changes that contact.
      await other.query('BEGIN');
      await other.query('UPDATE contact_context SET importance_override = 9 WHERE contact_id = $1', [KNOWN.rachel]);
      fake.store.updateContact(KNOWN.rachel, { firstName: 'Rachael' });
      const blocked = await (await app.sync.start('tool', 'incremental')).done;
      expect(blocked.status).toBe('failed');
      expect(blocked.error).toMatch(/lock timeout \(another session kept the brain's tables locked for 20s: session \d+ \(maintenance, idle in transaction/);
      await other.query('ROLLBACK');
      expect(await (await app.sync.start('tool', 'incremental')).done).toMatchObject({ status: 'succeeded', contacts_updated: 1 });
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      await other.end().catch(() => {});
      await close();
    }
  });
});
