import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyNewContacts, prepareCopy } from '../../src/db/contact-copy.repository.js';
import { applyContactPage, pageSource } from '../../src/db/contact-sync.repository.js';
import { parseSearchPage } from '../../src/ghl/v2.js';
import { mapContact } from '../../src/sync/map-contact.js';
import { changed, ghlContact } from '../helpers/contacts.js';
import { openTestDatabase, type TestDatabase, testEngines } from '../helpers/test-db.js';

const write = (tdb: TestDatabase, cs: ReturnType<typeof ghlContact>[], recordCreations = true) =>
  applyContactPage(tdb.handle.db, cs.map((c) => mapContact(c, 'LOC1')), { runId: null, recordCreations });

describe.each(testEngines())('applyContactPage (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await openTestDatabase(engine);
  });
  afterAll(async () => tdb?.dispose());

  it('creates, skips unchanged, updates with the changed fields and never goes back in time', async () => {
    const a = ghlContact({ firstName: 'René', lastName: 'Lefèvre', companyName: 'Maison Lefèvre', tags: ['vip'] });
    const b = ghlContact({ firstName: 'Rachel', lastName: 'Baker', companyName: 'Fresh Headies', phone: '+1 (555) 010-2000' });
    expect(await write(tdb, [a, b])).toEqual({ created: [a.id, b.id], updated: [], restored: [], unchanged: 0 });
    expect(await write(tdb, [a, b])).toEqual({ created: [], updated: [], restored: [], unchanged: 2 });

    const b2 = changed(b, { email: 'rachel@freshheadies.com', dateUpdated: '2026-02-01T00:00:00.000Z' });
    const r = await write(tdb, [a, b2]);
    expect(r.updated).toEqual([{ id: b.id, fields: ['dateUpdated', 'email'] }]);
    expect(r.unchanged).toBe(1);

    // An older copy (e.g. from an earlier page of the same run) must not overwrite the newer one.
    expect((await write(tdb, [b])).unchanged).toBe(1);
    const row = await tdb.handle.db.selectFrom('contacts').selectAll().where('id', '=', b.id).executeTakeFirstOrThrow();
    expect(row.email).toBe('rachel@freshheadies.com');
    expect(row.phone_digits).toBe('5550102000');
    expect(row.name).toBe('Rachel Baker');

    const ctx = await tdb.handle.db.selectFrom('contact_context').selectAll().where('contact_id', '=', b.id).executeTakeFirstOrThrow();
    expect(ctx.nicknames).toEqual(['rachel', 'fresh headies', 'rachel from fresh headies', 'rachel baker']);
    const doc = await tdb.handle.db.selectFrom('contact_search').select('doc').where('contact_id', '=', a.id).executeTakeFirstOrThrow();
    expect(doc.doc).toContain('rene lefevre');

    const history = await tdb.handle.db.selectFrom('interaction_history').selectAll().where('contact_id', '=', b.id).orderBy('id').execute();
    expect(history.map((h) => [h.kind, h.summary])).toEqual([
      ['created', 'Added in GoHighLevel'],
      ['updated', 'Changed in GoHighLevel: dateUpdated, email'],
    ]);
  });

  it('stores the records of a page read as bytes exactly as it stores parsed ones', async () => {
    // A v2 search answer: a cursor per record, a record without an id, accents, a numeric
    // email, the same contact twice, custom fields in every shape.
    const records = [
      { id: 'bytes-a', firstName: 'Zoë', lastName: 'Ærø', companyName: 'Café “Ünïcode”', email: 'zoe@example.com', tags: ['vip'], dateAdded: '2026-01-01T00:00:00.000Z', dateUpdated: '2026-01-02T00:00:00.000Z', customFields: [{ id: 'cf1', value: ['x', 1, null] }], searchAfter: [1767225600000, 'bytes-a'] },
      { firstName: 'No id', searchAfter: [1, 'x'] },
      { id: 'bytes-b', firstName: 'Num', email: 12345, dateUpdated: '2026-01-01T00:00:00.000Z', nested: { deep: { er: [1.5, 'é', true] } }, searchAfter: [2, 'bytes-b'] },
      { id: 'bytes-b', firstName: 'Num', lastName: 'Newer', email: 12345, dateUpdated: '2026-01-03T00:00:00.000Z', nested: { deep: { er: [1.5, 'é', true] } }, searchAfter: [3, 'bytes-b'] },
    ];
    const bytes = Buffer.from(JSON.stringify({ contacts: records, total: 4, traceId: 't' }));
    const page = parseSearchPage(bytes);
    expect(page.positions).toEqual([0, 2, 3]);
    const mapped = page.contacts.map((c, i) => ({ ...mapContact(c, 'LOC1'), position: page.positions[i] }));
    expect(await applyContactPage(tdb.handle.db, mapped, { runId: null, recordCreations: true, page: pageSource(bytes) })).toMatchObject({ created: ['bytes-a', 'bytes-b'] });
    const stored = await tdb.handle.db.selectFrom('contacts').select(['id', 'data', 'last_name', 'email']).where('id', 'in', ['bytes-a', 'bytes-b']).orderBy('id').execute();
    // The record as parsed, without the cursor: the same as the path that serialises it again.
    expect(stored).toEqual([
      { id: 'bytes-a', data: page.contacts[0]!.raw, last_name: 'Ærø', email: 'zoe@example.com' },
      { id: 'bytes-b', data: page.contacts[2]!.raw, last_name: 'Newer', email: null },
    ]);
    expect(stored[0]!.data).not.toHaveProperty('searchAfter');
    // Unchanged when written again from parsed records only.
    expect(await applyContactPage(tdb.handle.db, mapped, { runId: null, recordCreations: true })).toMatchObject({ unchanged: 2 });
  });

  it('writes a page from its parsed records when the database refuses its bytes', async () => {
    // JSON.parse reads 1e200000 as Infinity (stored as null); PostgreSQL's numeric cannot hold it at all.
    const bytes = Buffer.from('{"contacts":[{"id":"bytes-huge","firstName":"Huge","lastName":"Number","lifetimeValue":1e200000}]}');
    const page = parseSearchPage(bytes);
    const mapped = page.contacts.map((c, i) => ({ ...mapContact(c, 'LOC1'), position: page.positions[i] }));
    expect(await applyContactPage(tdb.handle.db, mapped, { runId: null, recordCreations: true, page: pageSource(bytes) })).toMatchObject({ created: ['bytes-huge'] });
    const row = await tdb.handle.db.selectFrom('contacts').select(['name', 'data']).where('id', '=', 'bytes-huge').executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Huge Number', data: { id: 'bytes-huge', firstName: 'Huge', lastName: 'Number', lifetimeValue: null } });
  });

  it("writes a first import's page with COPY exactly as the upsert writes it, and hands back a page that meets a stored contact", async () => {
    const connect = tdb.handle.connectForCopy;
    // COPY FROM STDIN through the embedded engine's socket stops PGlite: it must never be offered there.
    if (engine === 'pglite') return expect(connect).toBeUndefined();
    expect(connect).toBeDefined();
    const db = tdb.handle.db;
    const odd = ghlContact({
      firstName: 'Tab\there',
      lastName: 'Back\\slash "Quote"',
      companyName: 'Ünïcode, Café 🌿\nNew line',
      email: null,
      phone: '+1 (555) 010-9999',
      tags: ['a "quoted" tag', 'back\\slash', 'comma, {braces}', 'NULL', ''],
      raw: { id: 'x', note: 'tab\tnewline\nreturn\rbackslash\\ end', nested: { list: [1, 'é', null, { deep: true }] }, big: 12345678901 },
    });
    odd.raw.id = odd.id;
    const plain = ghlContact({ firstName: 'Rachel', lastName: 'Copy', companyName: 'Fresh Headies' });
    const older = changed(plain, { lastName: 'Older', dateUpdated: '2025-12-01T00:00:00.000Z' });
    const page = [odd, older, plain].map((c) => mapContact(c, 'LOC1'));
    const ids = [odd.id, plain.id].sort();
    const snapshot = async () => ({
      contacts: await db.selectFrom('contacts').select(['id', 'location_id', 'first_name', 'last_name', 'name', 'company_name', 'email', 'phone', 'phone_digits', 'type', 'source', 'assigned_to', 'tags', 'date_added', 'date_updated', 'last_activity_at', 'data', 'deleted_at']).where('id', 'in', ids).orderBy('id').execute(),
      context: await db.selectFrom('contact_context').select(['contact_id', 'nicknames', 'manual_nicknames', 'notes', 'importance_override']).where('contact_id', 'in', ids).orderBy('contact_id').execute(),
      search: await db.selectFrom('contact_search').selectAll().where('contact_id', 'in', ids).orderBy('contact_id').execute(),
      facts: await db.selectFrom('contact_facts').selectAll().where('contact_id', 'in', ids).orderBy('contact_id').execute(),
    });

    const known = new Set<string>();
    expect(await copyNewContacts(connect!, prepareCopy(page, known), known)).toEqual({ created: ids, updated: [], restored: [], unchanged: 0 });
    const copied = await snapshot();
    expect(copied.contacts.map((c) => c.last_name)).toContain('Copy');
    expect(copied.contacts.find((c) => c.id === odd.id)).toMatchObject({ first_name: 'Tab\there', company_name: 'Ünïcode, Café 🌿\nNew line', email: null, tags: odd.tags, data: odd.raw });
    expect(known.has('rachel')).toBe(true);
    expect(await db.selectFrom('search_terms').select('term').where('term', 'in', ['rachel', 'copy', 'fresh', 'headies']).execute()).toHaveLength(4);

    await db.deleteFrom('contacts').where('id', 'in', ids).execute();
    expect(await applyContactPage(db, page, { runId: null, recordCreations: false })).toMatchObject({ created: ids });
    expect(await snapshot()).toEqual(copied);

    // A page that meets a stored contact writes nothing and is handed back, for the usual merge.
    const fresh = ghlContact({ firstName: 'Never', lastName: 'Written' });
    expect(await copyNewContacts(connect!, prepareCopy([fresh, plain].map((c) => mapContact(c, 'LOC1'))))).toBeNull();
    expect(await db.selectFrom('contacts').select('id').where('id', '=', fresh.id).execute()).toEqual([]);
    expect(await db.selectFrom('contact_search').select('contact_id').where('contact_id', '=', fresh.id).execute()).toEqual([]);
  });

  it('reads a page as bytes only when the database would take them as they are', () => {
    const json = Buffer.from('{"contacts":[{"id":"é"}]}');
    expect(pageSource(json)?.jsonb).toEqual(Buffer.concat([Buffer.from([1]), json]));
    expect(pageSource(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]))).toBeNull();
    expect(pageSource(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toBeNull();
  });

  it('keeps the newest copy when a page holds the same contact twice', async () => {
    const c = ghlContact({ firstName: 'Dup' });
    const c2 = changed(c, { lastName: 'Newer', dateUpdated: '2026-03-01T00:00:00.000Z' });
    expect((await write(tdb, [c2, c])).created).toEqual([c.id]);
    const row = await tdb.handle.db.selectFrom('contacts').select('last_name').where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.last_name).toBe('Newer');
  });

  it('restores a soft-deleted contact that GHL lists again', async () => {
    const d = ghlContact({ firstName: 'Gone' });
    await write(tdb, [d], false);
    await tdb.handle.db.updateTable('contacts').set({ deleted_at: new Date() }).where('id', '=', d.id).execute();
    expect((await write(tdb, [d])).restored).toEqual([d.id]);
    const row = await tdb.handle.db.selectFrom('contacts').select('deleted_at').where('id', '=', d.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeNull();
    const kinds = await tdb.handle.db.selectFrom('interaction_history').select('kind').where('contact_id', '=', d.id).execute();
    expect(kinds.map((k) => k.kind)).toEqual(['restored']);
  });
});
