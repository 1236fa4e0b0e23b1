import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, KNOWN } from '../../src/fake-ghl/index.js';
import { type ConnectedApp, openConnectedApp } from '../helpers/connected-app.js';
import { testDeps } from '../helpers/deps.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { openTestDatabase, testEngines } from '../helpers/test-db.js';

// The answers as the assistant reads them: what they say must be what is true.
describe.each(testEngines())('answers from an empty brain (%s)', (engine) => {
  it('do not read as real answers: "nobody needs follow-up" from a brain that holds nobody is a false all-clear', async () => {
    const tdb = await openTestDatabase(engine);
    // GoHighLevel configured (a sync would fill the brain) and not configured (none can).
    const configured = await connectClient(testDeps(tdb, { env: { GOHIGHLEVEL_API_KEY: 'pit-0123456789abcdef', GOHIGHLEVEL_LOCATION_ID: 'Loc1' } }));
    const unconfigured = await connectClient(testDeps(tdb));
    try {
      const r = await configured.call('find_contacts_needing_follow_up', {});
      expect(r.isError, textOf(r)).toBe(true);
      expect(textOf(r)).toMatch(/The brain holds no contacts yet[\s\S]*gohighlevel_sync_all_contacts/);
      const u = await unconfigured.call('find_contacts_needing_follow_up', {});
      expect(u.isError, textOf(u)).toBe(true);
      expect(textOf(u)).toMatch(/no contacts yet[\s\S]*GOHIGHLEVEL_API_KEY/);
    } finally {
      await configured.close();
      await unconfigured.close();
      await tdb.dispose();
    }
  });
});

describe.each(testEngines())('plain-English questions as people ask them (%s)', (engine) => {
  let c: ConnectedApp;
  beforeAll(async () => {
    c = await openConnectedApp(engine, { contactCount: 400, seed: 2026 }, { synced: true });
  });
  afterAll(() => c?.close());
  const search = async (query: string, limit = 10) => {
    const r = await c.mcp.call('search_contacts', { query, limit });
    expect(r.isError, textOf(r)).toBeFalsy();
    return r.structuredContent as { total: number; interpretation: string; contacts: Array<{ id: string }> };
  };

  it('"my 5 most important leads" are the top of "my most important leads", not leads whose record holds a 5', async () => {
    const top = await search('my most important leads', 5);
    for (const q of ['my 5 most important leads', 'top 5 leads']) {
      const r = await search(q, 5);
      expect(r.interpretation, q).not.toMatch(/name or nickname/);
      expect(r.contacts.map((x) => x.id), q).toEqual(top.contacts.map((x) => x.id));
    }
  });

  it('"who should I follow up with?" and "who needs follow-up today?" are the follow-up question', async () => {
    const base = await search('who needs follow-up?');
    expect(base.total).toBeGreaterThan(0);
    for (const q of ['who should I follow up with?', 'who needs follow-up today?', 'who needs a follow up this week']) {
      const r = await search(q);
      expect({ q, total: r.total, interpretation: r.interpretation }).toEqual({ q, total: base.total, interpretation: base.interpretation });
    }
  });

  it('a bare word that is a tag and nobody\'s name is the tag: "vip" is "tagged vip"', async () => {
    const tagged = await search('tagged vip');
    expect(tagged.total).toBeGreaterThan(0);
    for (const q of ['vip', 'VIP']) {
      const r = await search(q);
      expect({ q, total: r.total, interpretation: r.interpretation }).toEqual({ q, total: tagged.total, interpretation: tagged.interpretation });
    }
    expect((await search('vip leads')).interpretation).toBe('type=lead, tag=vip, sorted by importance');
    // "wholesale" is also in companies' names: read as a name, it finds those and the tagged ones.
    const wholesale = await search('wholesale');
    expect(wholesale.interpretation).toMatch(/name or nickname like "wholesale"/);
    expect(wholesale.total).toBeGreaterThan((await search('tagged wholesale')).total);
  });

  it('a word that begins a company\'s name stays a name though it is also a tag: "zorbly" finds Zorblyleaf Farms', async () => {
    const db = await c.app.deps.db();
    const [one, two] = (await search('leads', 2)).contacts;
    // One contact tagged "zorbly", another whose company begins with it.
    await sql`UPDATE contact_facts SET tags_norm = array_append(tags_norm, 'zorbly') WHERE contact_id = ${one!.id}`.execute(db);
    await sql`UPDATE contact_search SET nicknames_norm = array_append(nicknames_norm, 'zorblyleaf farms'), doc = doc || ' zorblyleaf farms' WHERE contact_id = ${two!.id}`.execute(db);
    try {
      const r = await search('zorbly');
      expect(r.interpretation).toMatch(/name or nickname like "zorbly"/);
      expect(r.contacts.map((x) => x.id)).toContain(two!.id);
    } finally {
      await sql`UPDATE contact_facts SET tags_norm = array_remove(tags_norm, 'zorbly') WHERE contact_id = ${one!.id}`.execute(db);
      await sql`UPDATE contact_search SET nicknames_norm = array_remove(nicknames_norm, 'zorblyleaf farms'), doc = replace(doc, ' zorblyleaf farms', '') WHERE contact_id = ${two!.id}`.execute(db);
    }
  });

  it('an order said in words is the order, not a name: "leads by importance", "customers sorted by date added"', async () => {
    const pairs: Array<[string, string]> = [
      ['leads by importance', 'most important leads'],
      ['customers sorted by date added', 'recent customers'],
      ['customers newest first', 'recent customers'],
    ];
    for (const [q, same] of pairs) {
      const [a, b] = [await search(q), await search(same)];
      expect({ q, interpretation: a.interpretation, ids: a.contacts.map((x) => x.id) }).toEqual({ q, interpretation: b.interpretation, ids: b.contacts.map((x) => x.id) });
    }
    expect((await search('leads by last contact')).interpretation).toBe('type=lead, sorted by longest silence');
  });

  it('"who did I add this week?" is "contacts added this week"', async () => {
    const base = await search('contacts added this week');
    const r = await search('who did I add this week?');
    expect({ total: r.total, interpretation: r.interpretation }).toEqual({ total: base.total, interpretation: base.interpretation });
  });
});

describe.each(testEngines())('a contact GoHighLevel deleted (%s)', (engine) => {
  let c: ConnectedApp;
  const id = 'ZeldaQuartz000000001';
  const accented = 'ZoeAngstrom000000002';
  beforeAll(async () => {
    c = await openConnectedApp(
      engine,
      { contactCount: 30, seed: 7 },
      {
        synced: true,
        prepare: (fake) => {
          fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id, firstName: 'Zelda', lastName: 'Quartz', companyName: 'Gone Gardens', email: 'zelda@gonegardens.com', phone: '+1 707-555-0999' });
          fake.store.addContact({ ...fake.store.get(KNOWN.michael)!, id: accented, firstName: 'Zoë', lastName: 'Ångström', companyName: 'Øster Farms', email: null, phone: '+44 20 7946 0958' });
        },
      },
    );
    // A nickname a person saved before GoHighLevel deleted the contact.
    const saved = await c.mcp.call('save_contact_context', { contact_id: id, add_nicknames: ['The Gardener'] });
    expect(saved.isError, textOf(saved)).toBeFalsy();
    c.fake.store.deleteContact(id);
    c.fake.store.deleteContact(accented);
    expect((await (await c.app.sync.start('cli', 'full')).done).contacts_deleted).toBe(2);
  });
  afterAll(() => c?.close());

  it('is named as deleted, with its id, when get_contact_360 is asked for it: not "no contact matches"', async () => {
    for (const query of ['zelda quartz', 'zelda from gone gardens', 'zelda@gonegardens.com', '707 555 0999']) {
      const r = await c.mcp.call('get_contact_360', { query });
      expect(r.isError, query).toBe(true);
      expect(textOf(r), query).toMatch(/No current contact matches[\s\S]*Zelda Quartz · Gone Gardens · zelda@gonegardens\.com \[ZeldaQuartz000000001\], deleted in GoHighLevel on \d{4}-\d\d-\d\d \(UTC\)/);
    }
    // Found as a search finds the living: accents aside, and by the last digits of a number.
    for (const [query, who] of [['zoe angstrom', accented], ['zoe from oster farms', accented], ['020 7946 0958', accented], ['555 0999', id]]) {
      const r = await c.mcp.call('get_contact_360', { query });
      expect(textOf(r), query).toMatch(new RegExp(`No current contact matches[\\s\\S]*\\[${who}\\], deleted in GoHighLevel`));
    }
    // Its id still opens what the brain kept; someone never known is still unknown.
    const kept = await c.mcp.call('get_contact_360', { contact_id: id });
    expect((kept.structuredContent as { contact: { deleted_at: string | null } }).contact.deleted_at).not.toBeNull();
    const unknown = await c.mcp.call('get_contact_360', { query: 'zelda unknownsson' });
    expect(textOf(unknown)).toMatch(/^No contact matches/m);
  });

  it('search_contacts finding nobody current by that name lists the deleted contact apart, never among the matches', async () => {
    const r = await c.mcp.call('search_contacts', { query: 'zelda quartz' });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent as { total: number; contacts: unknown[]; deleted_matches?: Array<{ id: string; deleted_at: string }> };
    expect([out.total, out.contacts.length, out.deleted_matches?.map((d) => d.id)]).toEqual([0, 0, [id]]);
    expect(textOf(r)).toMatch(/No current contact matched[\s\S]*deleted in GoHighLevel but kept in the brain[\s\S]*\[ZeldaQuartz000000001\]/);
    // By the nickname a person saved, as the living are found.
    for (const query of ['the gardener', 'gardener']) {
      const byNickname = await c.mcp.call('search_contacts', { query });
      expect((byNickname.structuredContent as { deleted_matches?: Array<{ id: string }> }).deleted_matches?.map((d) => d.id), query).toEqual([id]);
    }
    const c360 = await c.mcp.call('get_contact_360', { query: 'the gardener' });
    expect(textOf(c360)).toMatch(/No current contact matches[\s\S]*\[ZeldaQuartz000000001\], deleted in GoHighLevel/);
    // A filter makes it a question about current contacts: no reminder.
    const leads = await c.mcp.call('search_contacts', { query: 'zelda quartz', type: 'customer' });
    expect((leads.structuredContent as { deleted_matches?: unknown }).deleted_matches).toBeUndefined();
  });
});

describe('the text of a contact with hundreds of tags', () => {
  let c: ConnectedApp;
  beforeAll(async () => {
    const prepare = (f: FakeGhl) => {
      const tags = Array.from({ length: 300 }, (_, i) => `campaign ${i} spring wholesale promo ${'x'.repeat(20)}`);
      f.store.updateContact(KNOWN.rachel, { tags });
    };
    c = await openConnectedApp('pglite', { contactCount: 50, seed: 3 }, { prepare, synced: true });
  });
  afterAll(() => c?.close());

  it('stays within the text budget (about 10,000 characters), the structured result holding every tag', async () => {
    const r = await c.mcp.call('get_contact_360', { contact_id: KNOWN.rachel });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { contact: { tags: string[] } }).contact.tags).toHaveLength(300);
    expect(textOf(r).length).toBeLessThan(10_500);
    expect(textOf(r)).toMatch(/and \d+ more tags/);
  });
});

describe('demo answers', () => {
  let c: ConnectedApp;
  beforeAll(async () => {
    c = await openConnectedApp('pglite', { contactCount: 100, seed: 4, opportunityCount: 20 }, { synced: true, env: { MEDTAINER_DEMO: '1' } });
  });
  afterAll(() => c?.close());

  it('say they are demo data in the structured result too (some clients give the model only that), and still match the advertised schema', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['search_contacts', { query: 'rachel' }],
      ['get_contact_360', { contact_id: KNOWN.rachel }],
      ['find_contacts_needing_follow_up', {}],
      ['save_contact_context', { contact_id: KNOWN.rachel, note: 'met at the expo' }],
      ['gohighlevel_sync_all_contacts', {}],
      ['gohighlevel_get_sync_stats', {}],
      ['gohighlevel_read_contacts', { limit: 2 }],
      ['gohighlevel_pipeline_digest', {}],
    ];
    // The SDK client checks every structured result against the tool's advertised output schema.
    for (const [tool, args] of calls) {
      const r = await c.mcp.call(tool, args);
      expect(r.isError, `${tool}: ${textOf(r)}`).toBeFalsy();
      expect((r.structuredContent as { notice?: string }).notice, tool).toMatch(/^DEMO DATA/);
    }
    // A failure with a structured result of its own (a failed sync run) too.
    c.fake.fault({ times: 100, pathPrefix: '/contacts/search', status: 401, body: '{"statusCode":401,"message":"Invalid JWT"}' });
    const failed = await c.mcp.call('gohighlevel_sync_all_contacts', { mode: 'full' });
    expect(failed.isError).toBe(true);
    expect(failed.structuredContent).toMatchObject({ status: 'failed', notice: expect.stringMatching(/^DEMO DATA/) });
  });
});
