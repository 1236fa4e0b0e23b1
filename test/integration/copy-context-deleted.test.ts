import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyContextCommand } from '../../src/cli/copy-context.js';
import type { CliIo } from '../../src/cli/io.js';
import { KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { silentLogger } from '../../src/logger.js';
import { connectClient } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

function captureIo(): CliIo & { text: () => string } {
  let err = '';
  return { out: () => {}, err: (t) => void (err += t), isTTY: false, text: () => err };
}

describe.each(testEngines())('copy-context after a contact with saved context was deleted in GHL (%s)', (engine) => {
  it('does not ask, forever, for a sync that cannot bring the deleted contact', async () => {
    const fake = await startFakeGhl({ contactCount: 200, seed: 51, rateLimit: { max: 10_000 } });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'medtainer-copy-deleted-'));
    const dir = path.join(tmp, 'old-brain');
    const t = await createTestTarget(engine);
    const victim = fake.store.all().find((c) => !Object.values(KNOWN).includes(c.id as never))!.id;
    try {
      // The old embedded brain: context saved for Rachel and for a contact later deleted in GHL.
      const old = syncApp(fake, { kind: 'pglite', dataDir: dir });
      try {
        await (await old.sync.start('cli', 'full')).done;
        const mcp = await connectClient(old.deps);
        expect((await mcp.call('save_contact_context', { contact_id: KNOWN.rachel, note: 'Prefers calls' })).isError).toBeFalsy();
        expect((await mcp.call('save_contact_context', { contact_id: victim, note: 'Owes us a sample box' })).isError).toBeFalsy();
        await mcp.close();
        fake.store.deleteContact(victim);
        expect(await (await old.sync.start('cli', 'full')).done).toMatchObject({ status: 'succeeded', contacts_deleted: 1 });
      } finally {
        await old.close();
      }
      // The new brain, as the README says: sync --full, then copy-context.
      const app = syncApp(fake, t.target);
      try {
        expect((await (await app.sync.start('cli', 'full')).done).status).toBe('succeeded');
        const io = captureIo();
        const first = await copyContextCommand(app, io, { from: dir, log: silentLogger });
        // Do what it says, and run it again.
        expect((await (await app.sync.start('cli', 'full')).done).status).toBe('succeeded');
        const io2 = captureIo();
        const second = await copyContextCommand(app, io2, { from: dir, log: silentLogger });
        expect({ first, second, said: io2.text() }).toEqual({ first: 0, second: 0, said: expect.not.stringMatching(/sync --full/) });
        expect(io.text()).toMatch(/1 copied, 0 already there, 1 left in the old brain because those contacts are deleted in GoHighLevel\./);
        expect(io2.text()).toMatch(/0 copied, 1 already there, 1 left in the old brain/);
      } finally {
        await app.close();
      }
    } finally {
      await fake.close();
      await t.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
