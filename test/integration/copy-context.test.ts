import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { copyContextCommand } from '../../src/cli/copy-context.js';
import type { CliIo } from '../../src/cli/io.js';
import { type DbHandle, openDatabase } from '../../src/db/connection.js';
import { findContact, loadContext, saveContext } from '../../src/db/contact-context.repository.js';
import { applyContactPage } from '../../src/db/contact-sync.repository.js';
import type { Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { GhlContact } from '../../src/ghl/types.js';
import { silentLogger } from '../../src/logger.js';
import { searchContacts } from '../../src/search/search-contacts.js';
import { mapContact } from '../../src/sync/map-contact.js';
import { ghlContact } from '../helpers/contacts.js';
import { testConfig } from '../helpers/deps.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

const NOW = new Date('2026-11-30T12:00:00Z');

function captureIo(): CliIo & { text: () => string } {
  let err = '';
  return { out: () => {}, err: (t) => void (err += t), isTTY: false, text: () => err };
}

async function store(db: Kysely<Database>, contacts: GhlContact[]): Promise<void> {
  await applyContactPage(db, contacts.map((c) => mapContact(c, 'LOC1')), { runId: null, recordCreations: false });
}

async function save(db: Kysely<Database>, id: string, change: Partial<Parameters<typeof saveContext>[2]>, summary: string, at: Date): Promise<void> {
  const contact = (await findContact(db, id))!;
  await saveContext(db, contact, { addNicknames: [], removeNicknames: [], note: null, importanceOverride: undefined, ...change }, () => summary, at);
}

describe.each(testEngines())('copy-context: saved context from an embedded brain into another database (%s)', (engine) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'medtainer-copy-context-'));
  const sourceDir = path.join(tmp, 'old-brain');
  const rachel = ghlContact({ id: 'CopyRachel0000000001', firstName: 'Rachel', lastName: 'Baker', companyName: 'Fresh Headies' });
  const omar = ghlContact({ id: 'CopyOmar000000000002', firstName: 'Omar', lastName: 'Haddad' });
  const gone = ghlContact({ id: 'CopyNotSynced0000003', firstName: 'Nora', lastName: 'Lind' });
  let source: DbHandle;
  let app: App;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    source = await openDatabase({ kind: 'pglite', dataDir: sourceDir }, silentLogger);
    await migrateToLatest(source.db, silentLogger);
    await store(source.db, [rachel, omar, gone]);
    await save(source.db, rachel.id, { addNicknames: ['Rach'], note: 'Prefers email on Mondays' }, 'Added nickname Rach and a note', new Date('2026-10-01T10:00:00Z'));
    await save(source.db, rachel.id, { importanceOverride: 9 }, 'Importance set to 9', new Date('2026-10-02T10:00:00Z'));
    await save(source.db, omar.id, { importanceOverride: 3 }, 'Importance set to 3', new Date('2026-10-03T10:00:00Z'));
    await save(source.db, gone.id, { note: 'Met at the trade fair' }, 'Added a note', new Date('2026-10-04T10:00:00Z'));
    await source.close();

    const target = await createTestTarget(engine);
    drop = target.drop;
    const env = target.target.kind === 'postgres' ? { DATABASE_URL: target.target.url } : { DATABASE_URL: 'memory://' };
    app = createApp(testConfig({ ...env, MEDTAINER_DATA_DIR: sourceDir }), silentLogger, { holder: 'test', now: () => NOW });
    // The new brain after its first sync: the same contacts but one, and an override set here already.
    const db = (await app.database()).db;
    await store(db, [rachel, omar]);
    await save(db, omar.id, { importanceOverride: 6 }, 'Importance set to 6', new Date('2026-11-01T10:00:00Z'));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await drop?.();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('copies nicknames, notes, overrides and their history; says which contacts must be synced first', async () => {
    const io = captureIo();
    expect(await copyContextCommand(app, io, { from: sourceDir, log: silentLogger })).toBe(1);
    expect(io.text()).toMatch(/3 contacts with saved context .*: 2 copied, 0 already there, 1 not copied because those contacts are not in this brain yet/s);
    expect(io.text()).toMatch(/medtainer-mcp sync --full/);

    const db = (await app.database()).db;
    const r = await loadContext(db, rachel.id, NOW);
    expect(r).toMatchObject({ manualNicknames: ['Rach'], notes: [{ at: '2026-10-01T10:00:00.000Z', text: 'Prefers email on Mondays' }], importanceOverride: 9 });
    // An override set in the new brain wins over the copied one.
    expect((await loadContext(db, omar.id, NOW)).importanceOverride).toBe(6);
    const history = await db.selectFrom('interaction_history').select(['contact_id', 'summary']).where('kind', '=', 'context_saved').orderBy('at').execute();
    expect(history).toEqual([
      { contact_id: rachel.id, summary: 'Added nickname Rach and a note' },
      { contact_id: rachel.id, summary: 'Importance set to 9' },
      { contact_id: omar.id, summary: 'Importance set to 3' },
      { contact_id: omar.id, summary: 'Importance set to 6' },
    ]);
    // The copied nickname is searchable at once.
    const found = await searchContacts(db, { name: 'rach' }, { now: NOW, limit: 5 });
    expect(found.hits[0]).toMatchObject({ id: rachel.id, matched_on: 'nickname' });
  });

  it('changes nothing when run again', async () => {
    const io = captureIo();
    expect(await copyContextCommand(app, io, { from: sourceDir, log: silentLogger })).toBe(1);
    expect(io.text()).toMatch(/0 copied, 2 already there, 1 not copied/);
    const db = (await app.database()).db;
    expect((await loadContext(db, rachel.id, NOW)).notes).toHaveLength(1);
    const events = await db.selectFrom('interaction_history').select('id').where('kind', '=', 'context_saved').execute();
    expect(events).toHaveLength(4);
  });

  it('refuses a folder without a brain, and copying a brain into itself', async () => {
    const io = captureIo();
    expect(await copyContextCommand(app, io, { from: path.join(tmp, 'nothing-here'), log: silentLogger })).toBe(2);
    expect(io.text()).toMatch(/No embedded database in .*nothing-here/);
    // "--from=~/…": no shell expands that ~; it is the home folder, as in MEDTAINER_DATA_DIR.
    const home = process.env.HOME;
    process.env.HOME = tmp;
    try {
      const fromHome = captureIo();
      expect(await copyContextCommand(app, fromHome, { from: '~/nothing-here', log: silentLogger })).toBe(2);
      expect(fromHome.text()).toContain(`No embedded database in ${path.join(tmp, 'nothing-here')}`);
    } finally {
      process.env.HOME = home;
    }

    const same = createApp(testConfig({ MEDTAINER_DATA_DIR: sourceDir }), silentLogger, { holder: 'test' });
    try {
      const io2 = captureIo();
      expect(await copyContextCommand(same, io2, { from: sourceDir, log: silentLogger })).toBe(2);
      expect(io2.text()).toMatch(/is the one this command would copy into/);
    } finally {
      await same.close();
    }
  });
});
