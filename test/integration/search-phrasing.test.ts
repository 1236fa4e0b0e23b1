import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spellings } from '../../src/search/corrections.js';
import { soundex } from '../../src/search/phonetic.js';
import { type FakeContact, KNOWN } from '../../src/fake-ghl/index.js';
import { type Brain, buildBrain, DAY } from '../helpers/messy-brain.js';
import { testEngines } from '../helpers/test-db.js';

// How the owner phrases things, against a brain of messy real-world contacts.
const NOW = new Date('2026-11-25T15:00:00Z');
const anDo = (now: number): FakeContact[] => [
  {
    id: 'RvAnDo00000000000099', locationId: 'FakeLocation00000001', firstName: 'An', lastName: 'Do', companyName: 'Pho Do', email: null, phone: '916-555-0199',
    type: 'lead', source: null, tags: ['vip'], dateAdded: now - 10 * DAY, dateUpdated: now - 45 * DAY, lastActivity: null, customFields: [],
    address1: null, city: null, state: null, postalCode: null, country: 'US', website: null, dnd: false,
  },
  {
    id: 'RvFacebookLead000098', locationId: 'FakeLocation00000001', firstName: 'Fay', lastName: 'Book', companyName: null, email: 'fay@example.com', phone: null,
    type: 'customer', source: null, tags: ['Facebook Leads'], dateAdded: now - 20 * DAY, dateUpdated: now - 20 * DAY, lastActivity: null, customFields: [],
    address1: null, city: null, state: null, postalCode: null, country: 'US', website: null, dnd: false,
  },
  ...(
    [
      ['RvCyrillicIvan000097', 'Иван', 'Петров', 'Сибирь Трейд', 'customer'],
      // Written whole, family name first, as Chinese names often reach a CRM.
      ['RvChineseWang0000096', '王伟', null, '北京包装', 'customer'],
      ['RvGreekSokratis00095', 'Σωκράτης', 'Παπαδόπουλος', null, 'lead'],
      ['RvVanDerBerg00000094', 'Anneke', 'van der Berg', null, 'customer'],
      // "dre" starts a name here, so it is not corrected up front.
      ['RvDrewBarry000000093', 'Drew', 'Barrow', null, 'lead'],
      ['RvNancyOkafor0000092', 'Nancy', 'Okafor', null, 'lead'],
      ['RvAnnekeAlexander091', 'Anneke', 'Alexander', null, 'lead'],
      // A company whose name is the word of someone else's nickname ("The Boss").
      ['RvBossPackaging00090', 'Hugo', 'Brandt', 'Boss Packaging', 'customer'],
    ] as const
  ).map(([id, firstName, lastName, companyName, type]) => ({
    id, locationId: 'FakeLocation00000001', firstName, lastName, companyName, email: null, phone: null, type, source: null, tags: [],
    dateAdded: now - 30 * DAY, dateUpdated: now - 30 * DAY, lastActivity: null, customFields: [],
    address1: null, city: null, state: null, postalCode: null, country: 'US', website: null, dnd: false,
  })),
];

describe.each(testEngines())('search phrasing (%s)', (engine) => {
  let b: Brain;
  beforeAll(async () => {
    b = await buildBrain(engine, NOW, anDo);
  });
  afterAll(async () => {
    await b?.close();
  });
  const search = (args: Record<string, unknown>) => b.search(args);
  const firstId = async (query: string) => (await search({ query })).contacts[0]?.id;

  it('finds a company or person whose name is made of words the query language also uses', async () => {
    expect(await firstId('lead generation')).toBe('RvLeadGen00000000028');
    expect(await firstId('leah from lead generation')).toBe('RvLeadGen00000000028');
    expect(await firstId("tom from today's harvest")).toBe('RvTodaysHarvest00016');
    expect(await firstId('wendy weed')).toBe('RvWeedSmith000000030');
    expect(await firstId('priority packaging')).toBe('RvPriorityPack000015');
    expect(await firstId('new leaf packaging')).toBe('RvCompanyOnly0000011');
    expect(await firstId('b&b growers')).toBe('RvAmpersand000000036');
    expect(await firstId('an do')).toBe('RvAnDo00000000000099');
    const c360 = await b.call('get_contact_360', { query: 'an do' });
    expect(c360.isError, c360.text.slice(0, 80)).toBe(false);
    expect(c360.out.contact.id).toBe('RvAnDo00000000000099');
    // The words still work as the query language where no one is called that.
    expect((await search({ query: 'recent leads' })).interpretation).toMatch(/type=lead.*sorted by date added/);
    expect((await search({ query: 'priority contacts' })).interpretation).toMatch(/sorted by importance/);
  });

  it('refuses an argument a tool does not take, and says which', async () => {
    const r = await b.call('search_contacts', { name: 'rachel' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Unrecognized key: "name"/);
  });

  it('keeps one manual nickname whatever its case', async () => {
    const id = 'RvRobertSmith0000001';
    await b.call('save_contact_context', { contact_id: id, add_nicknames: ['Bobby'] });
    const r = await b.call('save_contact_context', { contact_id: id, add_nicknames: ['bobby', 'BOBBY', 'Rob'] });
    expect(r.isError, r.text).toBe(false);
    const c360 = await b.call('get_contact_360', { contact_id: id });
    expect(c360.out.context.manual_nicknames).toEqual(['Bobby', 'Rob']);
  });

  it('corrects two letters swapped where neither the sound nor the shared letters give the word away', async () => {
    // nacny / nancy: N250 / N520, 2 trigrams of 10 in common.
    const out = await search({ query: 'nacny okafor' });
    expect(out.contacts.map((c) => c.id)).toEqual(['RvNancyOkafor0000092']);
    expect(out.interpretation).toMatch(/spelling: nacny → nancy/);
    // Two spellings one slip away: the swap is the likelier slip.
    const db = (await b.app.database()).db;
    for (const term of ['marin', 'martin']) await sql`INSERT INTO search_terms (term, sound) VALUES (${term}, ${soundex(term)}) ON CONFLICT DO NOTHING`.execute(db);
    expect((await spellings(db, ['maritn']))[0]?.[0]).toBe('martin');
    // A word that starts longer names ("dre": Drew) is taken as typed, and swapped only when that finds nobody.
    expect((await search({ query: 'dre' })).contacts.map((c) => c.id)).toContain('RvDrewBarry000000093');
    const swapped = await search({ query: 'anneke van dre berg' });
    expect(swapped.contacts.map((c) => c.id)).toEqual(['RvVanDerBerg00000094']);
    expect(swapped.interpretation).toMatch(/dre → der/);
    // As a whole word: Anneke Alexander holds "der" only inside a word.
    expect((await search({ query: 'anneke dre' })).contacts.map((c) => c.id)).toEqual(['RvVanDerBerg00000094']);
    // Still nobody after the swap: nothing, and no swap reported.
    const nobody = await search({ query: 'anneke van dre qxqxqx' });
    expect(nobody.total).toBe(0);
    expect(nobody.interpretation).not.toMatch(/dre → der/);
    // Filters still apply: Anneke van der Berg is a customer.
    expect((await search({ query: 'anneke van dre berg', type: 'customer' })).contacts.map((c) => c.id)).toEqual(['RvVanDerBerg00000094']);
    expect((await search({ query: 'anneke van dre berg', type: 'lead' })).total).toBe(0);
  });

  it('does not correct away a word a contact is found by (an email name)', async () => {
    // Elizabeth Taylor is liz@hg.com; "liz" is not a misspelt "lisa".
    expect(await firstId('liz taylor')).toBe('RvSpaces000000000021');
    expect((await search({ query: 'liz' })).contacts.map((c) => c.id)).toContain('RvSpaces000000000021');
    // A real misspelling is still corrected.
    const out = await search({ query: 'rachle green' });
    expect(out.contacts[0]?.id).toBe('RvRachelGreen0000031');
    expect(out.interpretation).toMatch(/spelling: rachle → rachel/);
  });

  it('reads "added yesterday" as yesterday only', async () => {
    const out = await search({ query: 'contacts added yesterday', limit: 100 });
    const today = new Date(NOW);
    today.setHours(0, 0, 0, 0);
    const yesterday = b.all.filter((c) => c.dateAdded >= today.getTime() - DAY && c.dateAdded < today.getTime());
    expect(b.all.some((c) => c.dateAdded >= today.getTime())).toBe(true);
    expect(out.total, out.interpretation).toBe(yesterday.length);
    expect(out.interpretation).toMatch(/added yesterday/);
  });

  it('understands counts in words, "last week", "this month" and a tag followed by more of the sentence', async () => {
    const silentMonth = await search({ query: "who haven't we talked to in a month" });
    expect(silentMonth.total).toBe((await search({ not_contacted_within_days: 30 })).total);
    expect(silentMonth.total).toBeGreaterThan(0);
    expect((await search({ query: 'not contacted for over 60 days' })).total).toBe((await search({ not_contacted_within_days: 60 })).total);
    expect((await search({ query: 'contacts added last week' })).total).toBe((await search({ added_within_days: 7 })).total);
    const vipLeads = await search({ query: 'tagged VIP leads' });
    expect(vipLeads.total).toBe((await search({ tag: 'vip', type: 'lead' })).total);
    expect(vipLeads.total).toBeGreaterThan(0);
  });

  it('finds names and companies written in other scripts, accents and case aside', async () => {
    expect(await firstId('Иван Петров')).toBe('RvCyrillicIvan000097');
    expect(await firstId('show me иван from сибирь трейд')).toBe('RvCyrillicIvan000097');
    expect(await firstId('петров')).toBe('RvCyrillicIvan000097');
    expect(await firstId('王伟')).toBe('RvChineseWang0000096');
    expect(await firstId('北京包装')).toBe('RvChineseWang0000096');
    expect(await firstId('σωκρατης')).toBe('RvGreekSokratis00095');
    expect((await search({ query: 'leads named Σωκράτης' })).contacts.map((c) => c.id)).toEqual(['RvGreekSokratis00095']);
  });

  it('says so when a query has nothing it can search by, instead of listing everyone', async () => {
    for (const query of ['???', '— !', '"…"']) {
      const bare = await b.call('search_contacts', { query });
      expect(bare.isError).toBe(true);
      expect(bare.text).toMatch(/^The query has no letters or digits to search by/);
    }
    // Words it ignores on purpose still mean everyone.
    expect((await search({ query: 'show me all contacts' })).total).toBe(b.all.length);
  });

  it('finds a person by the short form of their name', async () => {
    expect(await firstId('kathy from kush kings')).toBe('RvKatherineZeta00013');
    expect(await firstId('bill jones')).toBe('RvWilliamJones000002');
    expect(await firstId('maggie hill')).toBe('RvPeggyHill000000032');
    const bob = b.all.find((c) => c.firstName === 'Robert' && c.lastName === 'Williams');
    expect(bob).toBeDefined();
    expect(await firstId('bob williams')).toBe(bob!.id);
    // A surname that is also a short form still finds its owner.
    expect(await firstId('jo kim')).toBe('RvJoKim0000000000019');
  });

  it('finds a number written without its country or area code, or stored with an extension', async () => {
    expect(await firstId('707-555-0199')).toBe('RvExtension000000022'); // stored "707-555-0199 ext 12"
    expect(await firstId('020 7946 0958')).toBe('RvUKPhone00000000023'); // stored "+44 20 7946 0958"
    expect(await firstId('555-0110')).toBe('RvPhoneOnly000000010'); // stored "+1 (510) 555-0110"
    // Digits an earlier version stored with the extension and the US code's 1 are found too.
    const db = (await b.app.database()).db;
    await db.updateTable('contacts').set({ phone_digits: '170755501773' }).where('id', '=', 'RvExtension000000022').execute();
    expect(await firstId('707-555-0177')).toBe('RvExtension000000022');
    await db.updateTable('contacts').set({ phone_digits: '7075550199' }).where('id', '=', 'RvExtension000000022').execute();
    // An exact number is still the only answer.
    expect((await search({ query: '(415) 555-0101' })).contacts.map((c) => c.id)).toEqual(['RvRobertSmith0000001']);
  });

  it('finds the people at an email domain', async () => {
    const out = await search({ query: 'anyone from freshheadies.com' });
    const atDomain = b.all.filter((c) => c.email?.toLowerCase().endsWith('@freshheadies.com'));
    expect(atDomain.length).toBeGreaterThan(0);
    expect(out.total, out.interpretation).toBe(atDomain.length);
    expect(out.contacts.map((c) => c.id)).toContain('KnownRachelBaker0001');
    expect(out.interpretation).toMatch(/email at freshheadies\.com/);
    // A name with initials is not a domain.
    expect((await search({ query: 'j. r. ewing' })).contacts[0]?.id).toBe('RvJREwing00000000005');
  });

  it('finds contacts by the plural of a word they have (a tag)', async () => {
    const tagged = (await search({ tag: 'distributor' })).total;
    expect(tagged).toBeGreaterThan(0);
    const out = await search({ query: 'distributors', limit: 100 });
    expect(out.total, out.interpretation).toBeGreaterThanOrEqual(tagged);
    expect(out.interpretation).toMatch(/distributors → distributor/);
  });

  it('reads a domain with the word introducing it, a dotted name as a name, a longer tag some contact has, and "the past month" of silence', async () => {
    // No company: before, the "from" left behind was searched as a name.
    expect((await search({ query: 'anyone from mysteryco.com' })).contacts.map((c) => c.id)).toEqual(['RvEmailOnly000000009']);
    expect(await firstId('jo.kim')).toBe('RvJoKim0000000000019');
    // The words around the domain still count.
    expect((await search({ query: "who haven't I heard from mysteryco.com in 30 days" })).contacts.map((c) => c.id)).toEqual(['RvEmailOnly000000009']);
    expect((await search({ query: 'leads with mysteryco.com email' })).contacts.map((c) => c.id)).toEqual(['RvEmailOnly000000009']);
    const tagged = await search({ query: 'tagged facebook leads' });
    expect(tagged.contacts.map((c) => c.id)).toEqual(['RvFacebookLead000098']);
    expect(tagged.interpretation).toMatch(/tag=facebook leads/);
    expect((await search({ query: 'silent for the past month' })).total).toBe((await search({ not_contacted_within_days: 30 })).total);
  });

  it('finds a saved nickname that begins with a stop word as said: "the boss" is the nickname, not Boss Packaging', async () => {
    const id = 'RvDickGrayson0000033';
    const saved = await b.call('save_contact_context', { contact_id: id, add_nicknames: ['The Boss'] });
    expect(saved.isError, saved.text).toBe(false);
    for (const query of ['the boss', 'The Boss', 'tell me about the boss']) {
      const out = await search({ query });
      expect(out.contacts[0]?.id, `${query}: ${out.interpretation}`).toBe(id);
      expect((out.contacts[0] as { matched_on?: string }).matched_on, query).toBe('nickname');
    }
    const c360 = await b.call('get_contact_360', { query: 'the boss' });
    expect(c360.isError, c360.text.slice(0, 200)).toBe(false);
    expect(c360.out.contact.id).toBe(id);
    // The word alone still finds the company.
    expect((await search({ query: 'boss' })).contacts.map((c) => c.id)).toContain('RvBossPackaging00090');
  });

  it('opens the contact a question is about: "what do we know about fresh headies", "tell me about …", "everything on …", "pull up …"', async () => {
    for (const query of ['what do we know about fresh headies', 'What do we know about Fresh Headies?', 'tell me about rachel baker', 'everything on fresh headies', 'pull up rachel from fresh headies', "what's the latest on fresh headies"]) {
      const r = await b.call('get_contact_360', { query });
      expect(r.isError, `${query}: ${r.text.slice(0, 200)}`).toBe(false);
      expect(r.out.contact.id, query).toBe(KNOWN.rachel);
    }
    // Several people by that name: the candidates, not a guess.
    const two = await b.call('get_contact_360', { query: 'tell me about john smith' });
    expect(two.isError).toBe(true);
    expect(two.text).toMatch(/matches 2 contacts; which one\?[\s\S]*RvJohnSmithA00000007[\s\S]*RvJohnSmithB00000008|matches 2 contacts; which one\?[\s\S]*RvJohnSmithB00000008[\s\S]*RvJohnSmithA00000007/);
  });

  it('reads "best customers", "my top customers" and an importance floor as filters, most important first', async () => {
    const customers = await search({ type: 'customer', sort: 'importance' });
    for (const query of ['best customers', 'my top customers']) {
      const out = await search({ query });
      expect(out.interpretation, query).toBe('type=customer, sorted by importance');
      expect(out.contacts.map((c) => c.id), query).toEqual(customers.contacts.map((c) => c.id));
    }
    for (const [query, floor] of [['importance 9 or higher', 9], ['importance at least 8', 8], ['contacts with importance above 7', 8]] as const) {
      const out = await search({ query });
      expect(out.interpretation, query).toBe(`importance ≥ ${floor}, sorted by importance`);
      const expected = await search({ min_importance: floor });
      expect(expected.total, query).toBeGreaterThan(0);
      expect(out.total, query).toBe(expected.total);
    }
  });
});
