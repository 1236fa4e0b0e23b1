import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { KNOWN } from '../../src/fake-ghl/index.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { openConnectedApp } from '../helpers/connected-app.js';
import { testEngines } from '../helpers/test-db.js';

// A database that stops answering without closing the connection (a dropped network, a paused
// server, a transaction that will not end) must not leave the person with the client's bare
// "timed out": the call answers by its own deadline, says what did not reply, and what to do.
describe.each(testEngines())('a call the brain does not answer in time (%s)', (engine) => {
  it('reads, writes, resources and prompts answer by the deadline with what did not reply; the call is recorded once the brain answers again', { timeout: 120_000 }, async () => {
    const { app, close } = await openConnectedApp(engine, { contactCount: 50, seed: 3 }, { synced: true });
    const mcp = await connectClient({ ...app.deps, answerDeadlineMs: 1_500 });
    const db = (await app.database()).db;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // Another session keeps every contact table locked (shorter than lock_timeout, longer than the deadline).
    const holder = db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE contacts, contact_context, contact_search IN ACCESS EXCLUSIVE MODE`.execute(trx);
      locked();
      await released;
    });
    try {
      await lockTaken;
      const read = await mcp.call('search_contacts', { query: 'rachel' });
      expect(read.isError).toBe(true);
      expect(textOf(read)).toMatch(/^No answer within 2 s: the (embedded|in-memory|PostgreSQL) database .*did not reply in time, so this call was given up\.\nNext step: Ask again in a minute/);
      expect(textOf(read)).not.toMatch(/may still be applied/);
      const write = await mcp.call('save_contact_context', { contact_id: KNOWN.rachel, add_nicknames: ['rach'] });
      expect(write.isError).toBe(true);
      expect(textOf(write)).toMatch(/did not reply in time, so this call was given up\. What it asked to change may still be applied once the database replies\./);
      // Resources and prompts read the brain too.
      await expect(mcp.client.readResource({ uri: `contact://${KNOWN.rachel}` })).rejects.toThrow(/No answer within 2 s: .* did not reply in time.* Ask again in a minute/);
      await expect(mcp.client.getPrompt({ name: 'daily_briefing', arguments: {} })).rejects.toThrow(/No answer within 2 s: .* did not reply in time/);
    } finally {
      release();
      await holder;
    }
    try {
      // Once the lock is gone the calls that were given up finish; the brain answers again.
      const again = await mcp.call('search_contacts', { query: 'rachel' });
      expect(again.isError).toBeFalsy();
      await expect.poll(async () => (await db.selectFrom('tool_executions').select(['tool', 'outcome', 'error']).where('error', 'like', 'No answer within%').execute()).map((r) => r.tool).sort(), { timeout: 30_000 }).toEqual(['save_contact_context', 'search_contacts']);
    } finally {
      await mcp.close();
      await close();
    }
  });
});
