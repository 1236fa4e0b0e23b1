import { CompiledQuery, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type DbHandle, openDatabase } from '../../src/db/connection.js';
import { buildIndexesAfterImport, dropIndexesForImport } from '../../src/db/import-indexes.repository.js';
import { migrateToLatest, migratorFor } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/logger.js';
import { phoneEndingOrStartingQuery, searchContacts } from '../../src/search/search-contacts.js';
import { KNOWN } from '../../src/fake-ghl/index.js';
import { openConnectedApp } from '../helpers/connected-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

const NOW = new Date('2026-11-25T15:00:00Z');
const DAY = 86_400_000;

/**
 * A brain written by an earlier version (schema as of migration 0002) is upgraded in place:
 * the rows it holds are carried into the new columns and searches over them still work.
 */
describe.each(testEngines())('upgrading an existing brain (%s)', (engine) => {
  let handle: DbHandle | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await handle?.close();
    await drop?.();
  });

  it('backfills the ranking columns of the text index and keeps search and importance order', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    const db = handle.db;
    const { error } = await migratorFor(db).migrateTo('0002_small_trigram_pending_list');
    expect(error).toBeUndefined();

    // Three contacts as the 0002 schema stored them: a silent tagged lead, an active customer, an override.
    const rows = [
      { id: 'c1', name: 'Alexa Stone', base: 8, activity: new Date(NOW.getTime() - 90 * DAY), override: null, added: '2025-01-01' },
      { id: 'c2', name: 'Alexa Brook', base: 5, activity: new Date(NOW.getTime() - 2 * DAY), override: null, added: '2025-02-01' },
      { id: 'c3', name: 'Alexa Moss', base: 5, activity: null, override: 10, added: '2025-03-01' },
    ];
    for (const r of rows) {
      await sql`INSERT INTO contacts (id, location_id, name, data, date_added, last_activity_at) VALUES (${r.id}, 'L', ${r.name}, '{}', ${r.added}, ${r.activity})`.execute(db);
      await sql`INSERT INTO contact_search (contact_id, doc, name_norm) VALUES (${r.id}, ${r.name.toLowerCase()}, ${r.name.toLowerCase()})`.execute(db);
      await sql`INSERT INTO contact_facts (contact_id, date_added, last_activity_at, importance_base, importance_override)
                VALUES (${r.id}, ${r.added}, ${r.activity}, ${r.base}, ${r.override})`.execute(db);
      // Where the override itself lives; contact_facts holds a copy.
      if (r.override) await sql`INSERT INTO contact_context (contact_id, importance_override) VALUES (${r.id}, ${r.override})`.execute(db);
    }

    // As the server does on PGlite: reclaim the rows 0004 rewrote.
    await migrateToLatest(db, silentLogger, { vacuumAfterUpgrade: true });

    const copied = await sql<{ contact_id: string; importance_base: number; importance_override: number | null; date_added: Date }>`
      SELECT contact_id, importance_base, importance_override, date_added FROM contact_search ORDER BY contact_id`.execute(db);
    expect(copied.rows.map((r) => [r.contact_id, r.importance_base, r.importance_override, r.date_added.toISOString().slice(0, 10)])).toEqual([
      ['c1', 8, null, '2025-01-01'],
      ['c2', 5, null, '2025-02-01'],
      ['c3', 5, 10, '2025-03-01'],
    ]);

    // Same similarity for all three names, so importance decides: override 10, then 8 (silent lead), then 5 + 2.
    const byName = await searchContacts(db, { name: 'alexa' }, { now: NOW, limit: 10 });
    expect(byName.total).toBe(3);
    expect(byName.hits.map((h) => [h.id, h.importance])).toEqual([['c3', 10], ['c1', 8], ['c2', 7]]);
    const byImportance = await searchContacts(db, { sort: 'importance' }, { now: NOW, limit: 10 });
    expect(byImportance.hits.map((h) => h.id)).toEqual(['c3', 'c1', 'c2']);

    // The base range is now a stated rule of the table.
    await expect(sql`UPDATE contact_facts SET importance_base = 9 WHERE contact_id = 'c1'`.execute(db)).rejects.toThrow(/importance_base_range/);
  });

  it('writes again the search words of names with letters that do not decompose (Łukasz, Søren), and only theirs', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    const db = handle.db;
    expect((await migratorFor(db).migrateTo('0008_full_pass_local_total')).error).toBeUndefined();
    // Search rows as earlier versions wrote them: the letter dropped ("ukasz").
    const rows = [
      { id: 'c1', name: 'Łukasz Nowak', company: 'Smørrebrød Co', doc: 'ukasz nowak sm rrebr d co', nameNorm: 'ukasz nowak', companyNorm: 'sm rrebr d co', manual: [] as string[] },
      { id: 'c2', name: 'Alexa Stone', company: null, doc: 'alexa stone', nameNorm: 'alexa stone', companyNorm: 'as an earlier version left it', manual: [] },
      { id: 'c3', name: 'Sam Moss', company: null, doc: 'sam moss bj rns guy', nameNorm: 'sam moss', companyNorm: '', manual: ['Bjørn’s guy'] },
    ];
    for (const r of rows) {
      await sql`INSERT INTO contacts (id, location_id, name, company_name, data) VALUES (${r.id}, 'L', ${r.name}, ${r.company}, '{}')`.execute(db);
      await sql`INSERT INTO contact_context (contact_id, manual_nicknames) VALUES (${r.id}, ${r.manual})`.execute(db);
      await sql`INSERT INTO contact_search (contact_id, doc, name_norm, company_norm) VALUES (${r.id}, ${r.doc}, ${r.nameNorm}, ${r.companyNorm})`.execute(db);
      await sql`INSERT INTO contact_facts (contact_id) VALUES (${r.id})`.execute(db);
    }

    await migrateToLatest(db, silentLogger);

    const { rows: after } = await sql<{ contact_id: string; name_norm: string; company_norm: string; nicknames_norm: string[] }>`
      SELECT contact_id, name_norm, company_norm, nicknames_norm FROM contact_search ORDER BY contact_id`.execute(db);
    expect(after.map((r) => [r.contact_id, r.name_norm, r.company_norm])).toEqual([
      ['c1', 'lukasz nowak', 'smorrebrod co'],
      ['c2', 'alexa stone', 'as an earlier version left it'],
      ['c3', 'sam moss', ''],
    ]);
    expect(after[2]!.nicknames_norm).toEqual(['bjorns guy']);
    for (const name of ['lukasz', 'Łukasz Nowak']) expect((await searchContacts(db, { name }, { now: NOW, limit: 5 })).hits.map((h) => h.id), name).toEqual(['c1']);
    expect((await searchContacts(db, { company: 'smorrebrod' }, { now: NOW, limit: 5 })).hits.map((h) => h.id)).toEqual(['c1']);
  });

  it('writes again the search words of names in other scripts (Иван, 王伟, Σωκράτης), and only those that read differently now', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    const db = handle.db;
    expect((await migratorFor(db).migrateTo('0010_deleted_contacts_index')).error).toBeUndefined();
    // Search rows as earlier versions wrote them: only Latin letters and digits kept.
    const rows = [
      { id: 'c1', name: 'Иван Петров', company: 'Сибирь Трейд', doc: '', nameNorm: '', companyNorm: '', base: 5 },
      { id: 'c2', name: '王伟', company: 'Acme 包装', doc: 'acme', nameNorm: '', companyNorm: 'acme', base: 5 },
      { id: 'c3', name: 'Σωκράτης Nikos', company: null, doc: 'nikos', nameNorm: 'nikos', companyNorm: '', base: 5 },
      // Already read as this version reads it: left alone (its base, 6 where a sync writes 5, shows it).
      { id: 'c4', name: 'René Lefèvre', company: null, doc: 'rene lefevre', nameNorm: 'rene lefevre', companyNorm: '', base: 6 },
      // Plain ASCII has always read the same: not even looked at.
      { id: 'c5', name: 'Alexa Stone', company: null, doc: 'alexa stone', nameNorm: 'alexa stone', companyNorm: 'as an earlier version left it', base: 5 },
    ];
    for (const r of rows) {
      await sql`INSERT INTO contacts (id, location_id, name, company_name, data) VALUES (${r.id}, 'L', ${r.name}, ${r.company}, '{}')`.execute(db);
      await sql`INSERT INTO contact_context (contact_id) VALUES (${r.id})`.execute(db);
      await sql`INSERT INTO contact_search (contact_id, doc, name_norm, company_norm, importance_base) VALUES (${r.id}, ${r.doc}, ${r.nameNorm}, ${r.companyNorm}, ${r.base})`.execute(db);
      await sql`INSERT INTO contact_facts (contact_id, importance_base) VALUES (${r.id}, ${r.base})`.execute(db);
    }

    await migrateToLatest(db, silentLogger);

    const { rows: after } = await sql<{ contact_id: string; name_norm: string; company_norm: string; importance_base: number }>`
      SELECT s.contact_id, s.name_norm, s.company_norm, f.importance_base FROM contact_search s JOIN contact_facts f USING (contact_id) ORDER BY contact_id`.execute(db);
    expect(after.map((r) => [r.contact_id, r.name_norm, r.company_norm, r.importance_base])).toEqual([
      // Marks go in every script, as accents do in Latin ones: й is и with a breve.
      ['c1', 'иван петров', 'сибирь треид', 5],
      ['c2', '王伟', 'acme 包装', 5],
      ['c3', 'σωκρατης nikos', '', 5],
      ['c4', 'rene lefevre', '', 6],
      ['c5', 'alexa stone', 'as an earlier version left it', 5],
    ]);
    const found = async (req: { name?: string; company?: string }) => (await searchContacts(db, req, { now: NOW, limit: 5 })).hits.map((h) => h.id);
    for (const name of ['иван', 'Иван Петров', 'ПЕТРОВ', '王伟', 'Σωκράτης', 'σωκρατης']) expect(await found({ name }), name).toContain(name.startsWith('Σ') || name.startsWith('σ') ? 'c3' : name === '王伟' ? 'c2' : 'c1');
    for (const company of ['сибирь', 'Сибирь Трейд']) expect(await found({ company }), company).toEqual(['c1']);
  });

  it('indexes the endings of phone numbers, so a number asked for by its last digits is read from an index', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    const db = handle.db;
    expect((await migratorFor(db).migrateTo('0011_other_scripts_in_search')).error).toBeUndefined();
    const phones: Array<[string, string]> = [['c1', '5105550110'], ['c2', '442079460958'], ['c3', '170755501773'], ['c4', '4155550101']];
    for (const [id, digits] of phones) {
      await sql`INSERT INTO contacts (id, location_id, name, phone, phone_digits, data) VALUES (${id}, 'L', ${id}, ${digits}, ${digits}, '{}')`.execute(db);
      await sql`INSERT INTO contact_facts (contact_id, has_phone) VALUES (${id}, true)`.execute(db);
    }

    // Enough other numbers that reading the whole index would cost more than reading its ranges.
    await sql`INSERT INTO contacts (id, location_id, phone_digits, data) SELECT 'n' || i, 'L', (2000000000 + i * 7919)::text, '{}' FROM generate_series(1, 3000) i`.execute(db);

    await migrateToLatest(db, silentLogger);
    await sql`ANALYZE contacts`.execute(db);

    const definition = async (name: string) => (await sql<{ d: string | null }>`SELECT pg_get_indexdef(to_regclass(${name})) AS d`.execute(db)).rows[0]!.d;
    expect(await definition('contacts_phone_idx')).toMatch(/USING btree \(phone_digits text_pattern_ops\) WHERE \(phone_digits IS NOT NULL\)$/);
    expect(await definition('contacts_phone_ending_idx')).toMatch(/USING btree \(reverse\(phone_digits\) text_pattern_ops\) WHERE \(phone_digits IS NOT NULL\)$/);
    // The ending (a local number, a national one without its country code), and the start of digits stored with an extension.
    const found = async (phone: string) => (await searchContacts(db, { phone }, { now: NOW, limit: 5 })).hits.map((h) => h.id);
    expect(await found('5550110')).toEqual(['c1']);
    expect(await found('02079460958')).toEqual(['c2']);
    expect(await found('7075550177')).toEqual(['c3']);
    expect(await found('4155550101')).toEqual(['c4']);
    // With four rows the planner would rather scan; forbidden to, it shows which indexes can answer.
    const plan = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const query = phoneEndingOrStartingQuery(trx, '5550110')!.compile();
      const { rows } = await trx.executeQuery(CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]));
      return rows.map((r) => Object.values(r as object).join('')).join('\n');
    });
    // Each of the three conditions is a range of an index, not a filter over all of it.
    expect(plan).toMatch(/Index Cond: \(\(reverse\(phone_digits\) ~>=~ '0110555'::text\) AND \(reverse\(phone_digits\) ~<~ '0110556'::text\)\)/);
    expect(plan).toMatch(/Index Cond: \(\(phone_digits ~>=~ '5550110'::text\) AND \(phone_digits ~<~ '5550111'::text\)\)/);
    expect(plan).toMatch(/Index Cond: \(\(phone_digits ~>=~ '15550110'::text\)/);
    expect(plan).not.toMatch(/Seq Scan/);

    // Undone, the phone index is as 0001 made it.
    expect((await migratorFor(db).migrateTo('0011_other_scripts_in_search')).error).toBeUndefined();
    expect(await definition('contacts_phone_ending_idx')).toBeNull();
    expect(await definition('contacts_phone_idx')).toMatch(/USING btree \(phone_digits\) WHERE \(phone_digits IS NOT NULL\)$/);
  });

  it('leaves a phone index an import is waiting to build absent, to be built with the new definition', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    const db = handle.db;
    expect((await migratorFor(db).migrateTo('0011_other_scripts_in_search')).error).toBeUndefined();
    // As a first import (or a small brain's) leaves it: dropped, its name saved for later.
    await dropIndexesForImport(db);
    expect((await sql<{ d: string | null }>`SELECT to_regclass('contacts_phone_idx')::text AS d`.execute(db)).rows[0]!.d).toBeNull();

    await migrateToLatest(db, silentLogger);

    expect((await sql<{ d: string | null }>`SELECT to_regclass('contacts_phone_idx')::text AS d`.execute(db)).rows[0]!.d).toBeNull();
    await buildIndexesAfterImport(db, silentLogger, { indexesFrom: 0 });
    const { rows } = await sql<{ d: string | null }>`SELECT pg_get_indexdef(to_regclass('contacts_phone_idx')) AS d`.execute(db);
    expect(rows[0]!.d).toMatch(/USING btree \(phone_digits text_pattern_ops\)/);
  });

  it('writes new words of the spelling dictionary straight into its index, with no pending list to scan or to keep', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    const db = handle.db;
    expect((await migratorFor(db).migrateTo('0012_phone_ending_index')).error).toBeUndefined();
    await sql`INSERT INTO contacts (id, location_id, name, data) VALUES ('c1', 'L', 'Rachel Greenbaum', '{}')`.execute(db);
    await sql`INSERT INTO contact_facts (contact_id) VALUES ('c1')`.execute(db);
    await sql`INSERT INTO contact_search (contact_id, doc, name_norm) VALUES ('c1', 'rachel greenbaum', 'rachel greenbaum')`.execute(db);
    const addWord = (term: string) => sql`INSERT INTO search_terms (term, sound) VALUES (${term}, ${term.slice(0, 4)})`.execute(db);
    /** Pages of the pending list merged into the index by this call: what a word added just before left there. */
    const pendingPages = async () => (await sql<{ n: number }>`SELECT gin_clean_pending_list('search_terms_trgm')::int AS n`.execute(db)).rows[0]!.n;
    await addWord('rachel');
    expect(await pendingPages()).toBe(1);

    await migrateToLatest(db, silentLogger);

    const options = async () => (await sql<{ o: string[] | null }>`SELECT reloptions AS o FROM pg_class WHERE oid = 'search_terms_trgm'::regclass`.execute(db)).rows[0]!.o;
    expect(await options()).toEqual(['fastupdate=off']);
    await addWord('greenbaum');
    expect(await pendingPages()).toBe(0);
    // The words are found through the rebuilt index, the one added before the upgrade and the one after.
    const found = await searchContacts(db, { name: 'rachle grenbaum' }, { now: NOW, limit: 5 });
    expect(found.hits.map((h) => h.id)).toEqual(['c1']);
    expect(found.corrected).toEqual(['rachle → rachel', 'grenbaum → greenbaum']);

    expect((await migratorFor(db).migrateTo('0012_phone_ending_index')).error).toBeUndefined();
    expect(await options()).toBeNull();
  });

  it('says so when a newer version has migrated the brain, and changes nothing', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    await migrateToLatest(handle.db, silentLogger);
    await sql`INSERT INTO medtainer_migrations (name, timestamp) VALUES ('9999_from_the_future', now()::text)`.execute(handle.db);
    await expect(migrateToLatest(handle.db, silentLogger)).rejects.toMatchObject({
      message: expect.stringMatching(/opened by a newer medtainer-mcp: it has migration 9999_from_the_future/),
      hint: expect.stringMatching(/medtainer-mcp@latest/),
    });
  });

  it('says which migration failed when the brain\'s schema is not what it expects, and leaves the brain as it was', async () => {
    const t = await createTestTarget(engine);
    drop = t.drop;
    handle = await openDatabase(t.target, silentLogger);
    await migratorFor(handle.db).migrateTo('0002_small_trigram_pending_list');
    // A schema edited by hand (or by a version whose first migration differed): 0003 needs this table.
    await sql`DROP TABLE contact_facts`.execute(handle.db);
    const failure = await migrateToLatest(handle.db, silentLogger).catch((err: unknown) => err);
    expect(failure).toMatchObject({
      message: expect.stringMatching(/Cannot upgrade the brain to version .*: migration 0003_importance_rank_index failed: .*contact_facts.* The brain was left as it was/),
      hint: expect.not.stringMatching(/Check DATABASE_URL/),
    });
    const { rows } = await sql<{ name: string }>`SELECT name FROM medtainer_migrations ORDER BY name`.execute(handle.db);
    expect(rows.map((r) => r.name)).toEqual(['0001_initial', '0002_small_trigram_pending_list']);
  });
});

/**
 * A server of an earlier version may still run on the brain after a newer one upgraded it (a
 * client not yet restarted): what it writes afterwards follows its own rules.
 */
describe.each(testEngines())('an earlier version still running after the upgrade (%s)', (engine) => {
  it('rows it writes the old way for names with letters that do not decompose, or of other scripts, are set right by the next full sync', async () => {
    const { app, mcp, close } = await openConnectedApp(engine, { contactCount: 20, seed: 4 }, {
      synced: true,
      prepare: (fake) => {
        const base = fake.store.get(KNOWN.michael)!;
        fake.store.addContact({ ...base, id: 'OddLettersSoren00001', firstName: 'Søren', lastName: 'Kierkegaard', companyName: 'Straße GmbH', email: 'sk1@example.com', phone: '+15550300001' });
        fake.store.addContact({ ...base, id: 'CyrillicIvan00000001', firstName: 'Иван', lastName: 'Петров', companyName: null, email: null, phone: '+15550300002', tags: [] });
      },
    });
    try {
      const db = (await app.database()).db;
      const found = async () => (structuredOf(await mcp.call('search_contacts', { query: 'soren kierkegaard' })).contacts ?? []).map((c) => c.id);
      expect(await found()).toEqual(['OddLettersSoren00001']);
      // What an earlier version's sync of that contact wrote after 0009 ran (as 38c5bdf writes it: the letters dropped).
      await sql`UPDATE contact_search SET doc = 's ren kierkegaard stra e gmbh sk1 from', name_norm = 's ren kierkegaard', company_norm = 'stra e gmbh',
                  nicknames_norm = '{"s ren","stra e gmbh","s ren from stra e gmbh","s ren kierkegaard"}' WHERE contact_id = 'OddLettersSoren00001'`.execute(db);
      expect(await found()).toEqual([]);
      const ivan = async () => (structuredOf(await mcp.call('search_contacts', { query: 'иван петров' })).contacts ?? []).map((c) => c.id);
      expect(await ivan()).toEqual(['CyrillicIvan00000001']);
      // Before 0011, only Latin letters were kept: nothing of the name.
      await sql`UPDATE contact_search SET doc = '', name_norm = '', nicknames_norm = '{}' WHERE contact_id = 'CyrillicIvan00000001'`.execute(db);
      expect(await ivan()).toEqual([]);
      // GHL has not changed the contacts since: the sync counts them unchanged, and still sets their rows right.
      const run = await (await app.sync.start('cli', 'full')).done;
      expect(run).toMatchObject({ status: 'succeeded', contacts_updated: 0 });
      expect(await found()).toEqual(['OddLettersSoren00001']);
      expect(await ivan()).toEqual(['CyrillicIvan00000001']);
    } finally {
      await close();
    }
  });
});

function structuredOf(result: { structuredContent?: unknown }): { contacts?: Array<{ id: string }> } {
  return (result.structuredContent ?? {}) as { contacts?: Array<{ id: string }> };
}
