import { expect } from 'vitest';
/**
 * A brain synced from the fake GHL with messy real-world contacts (accents, apostrophes, initials,
 * "&" and "LLC", emojis, Chinese names, duplicates, company names made of query words, phone
 * formats) plus 300 generated ones, and an MCP client connected to it.
 */
import type { App } from '../../src/app.js';
import { type FakeContact, type FakeGhl, generateContacts, startFakeGhl } from '../../src/fake-ghl/index.js';
import { type Connected, connectClient, textOf } from './mcp-client.js';
import { syncApp } from './sync-app.js';
import { createTestTarget, type Engine } from './test-db.js';

export const DAY = 86_400_000;

export function messy(now: number): FakeContact[] {
  let n = 0;
  const c = (over: Partial<FakeContact>): FakeContact => {
    n += 1;
    return {
      id: over.id ?? `Rv${String(n).padStart(18, '0')}`,
      locationId: 'FakeLocation00000001', firstName: null, lastName: null, companyName: null, email: null, phone: null,
      type: 'customer', source: 'referral', tags: [], dateAdded: now - 100 * DAY, dateUpdated: now - 50 * DAY, lastActivity: null,
      customFields: [], address1: null, city: null, state: null, postalCode: null, country: 'US', website: null, dnd: false, ...over,
    };
  };
  return [
    c({ id: 'RvRobertSmith0000001', firstName: 'Robert', lastName: 'Smith', companyName: 'Smith & Sons LLC', email: 'bob@smithandsons.com', phone: '(415) 555-0101', type: 'lead', tags: ['wholesale'] }),
    c({ id: 'RvWilliamJones000002', firstName: 'William', lastName: 'Jones', companyName: 'Ben & Jerry\'s Edibles LLC', email: 'will@bje.com', phone: '415.555.0102' }),
    c({ id: 'RvZoeOBrien000000003', firstName: 'Zoë', lastName: "O'Brien-Smythe", companyName: 'Café Olé & Co.', email: 'zoe@cafeole.com', phone: '+1 415 555 0103' }),
    c({ id: 'RvMaryKateDAngelo004', firstName: 'Mary-Kate', lastName: "D'Angelo", companyName: 'Green 🌿 Leaf Dispensary', email: 'mk@greenleaf.com', phone: '+14155550104', tags: ['VIP', 'Trade Show 2025'] }),
    c({ id: 'RvJREwing00000000005', firstName: 'J. R.', lastName: 'Ewing', companyName: 'Ewing Oil', email: 'jr@ewingoil.com' }),
    c({ id: 'RvSeanOSuilleabhain6', firstName: 'Seán', lastName: 'Ó Súilleabháin', companyName: 'Emerald Triangle Farms', email: 'sean@etf.ie', phone: '+353 1 555 0106' }),
    c({ id: 'RvJohnSmithA00000007', firstName: 'John', lastName: 'Smith', companyName: 'Acme Corp', email: 'john.smith@acme.com', phone: '415-555-0107' }),
    c({ id: 'RvJohnSmithB00000008', firstName: 'John', lastName: 'Smith', companyName: 'Acme Corp', email: 'John.Smith@ACME.com', phone: '415-555-0107' }),
    c({ id: 'RvEmailOnly000000009', email: 'info@mysteryco.com', type: 'lead' }),
    c({ id: 'RvPhoneOnly000000010', phone: '+1 (510) 555-0110', type: 'lead' }),
    c({ id: 'RvCompanyOnly0000011', companyName: 'New Leaf Packaging', email: 'hello@newleaf.com' }),
    c({ id: 'RvNoNameNoEmail00012', companyName: null }),
    c({ id: 'RvKatherineZeta00013', firstName: 'Katherine', lastName: 'Zeta-Jones', companyName: 'Kush Kings', email: 'kz@kushkings.com', type: 'lead', tags: ['dispensary'] }),
    c({ id: 'RvMaryJaneWatson0014', firstName: 'Mary Jane', lastName: 'Watson', companyName: 'Daily Bugle', email: 'mj@bugle.com' }),
    c({ id: 'RvPriorityPack000015', firstName: 'Dana', lastName: 'Lee', companyName: 'Priority Packaging', email: 'dana@prioritypack.com' }),
    c({ id: 'RvTodaysHarvest00016', firstName: 'Tom', lastName: 'Nguyen', companyName: "Today's Harvest", email: 'tom@todaysharvest.com' }),
    c({ id: 'RvCustomerFirst00017', firstName: 'Priya', lastName: 'Patel', companyName: 'Customer First LLC', email: 'priya@customerfirst.com' }),
    c({ id: 'RvAnNguyen0000000018', firstName: 'An', lastName: 'Nguyen', companyName: 'Pho Real', email: 'an@phoreal.com' }),
    c({ id: 'RvJoKim0000000000019', firstName: 'Jo', lastName: 'Kim', email: 'jo.kim@gmail.com' }),
    c({ id: 'RvAllCaps00000000020', firstName: 'JOHN', lastName: 'DOE', companyName: 'AT&T', email: 'JDOE@ATT.COM', phone: '800-555-0120' }),
    c({ id: 'RvSpaces000000000021', firstName: '  Elizabeth ', lastName: ' Taylor  ', companyName: ' Hollywood Greens ', email: 'liz@hg.com' }),
    c({ id: 'RvExtension000000022', firstName: 'Carlos', lastName: 'Mendoza', phone: '707-555-0199 ext 12', email: 'carlos@m.com' }),
    c({ id: 'RvUKPhone00000000023', firstName: 'Nigel', lastName: 'Thornberry', phone: '+44 20 7946 0958', email: 'nigel@uk.co.uk' }),
    c({ id: 'RvEmoji0000000000024', firstName: '🔥Blaze', lastName: 'McGee', companyName: '420 Friendly 🍁', email: 'blaze@420.com' }),
    c({ id: 'RvChinese00000000025', firstName: '伟', lastName: '王', companyName: '绿叶', email: 'wang@lv.cn' }),
    c({ id: 'RvMcDonald0000000026', firstName: 'Ronald', lastName: 'McDonald', companyName: 'Golden Arches', email: 'ron@ga.com' }),
    c({ id: 'RvDeLaCruz0000000027', firstName: 'María José', lastName: 'de la Cruz', companyName: 'Hierba Buena S.A. de C.V.', email: 'mj@hierbabuena.mx' }),
    c({ id: 'RvLeadGen00000000028', firstName: 'Leah', lastName: 'Stone', companyName: 'Lead Generation Inc', email: 'leah@leadgen.com' }),
    c({ id: 'RvHemp0000000000029', firstName: 'Hank', lastName: 'Hill', companyName: 'Hemp House', email: 'hank@hemphouse.com', tags: ['hemp'] }),
    c({ id: 'RvWeedSmith000000030', firstName: 'Wendy', lastName: 'Weed', companyName: 'Sunny Farms', email: 'wendy@sunny.com' }),
    c({ id: 'RvRachelGreen0000031', firstName: 'Rachel', lastName: 'Green', companyName: 'Central Perk', email: 'rachel@centralperk.com', phone: '212-555-0131' }),
    c({ id: 'RvPeggyHill000000032', firstName: 'Margaret', lastName: 'Hill', companyName: 'Arlen Propane', email: 'peggy@arlen.com' }),
    c({ id: 'RvDickGrayson0000033', firstName: 'Richard', lastName: 'Grayson', companyName: 'Wayne Enterprises', email: 'dick@wayne.com' }),
    c({ id: 'RvJimHalpert00000034', firstName: 'James', lastName: 'Halpert', companyName: 'Dunder Mifflin', email: 'jim@dm.com', type: 'lead', tags: ['paper'] }),
    c({ id: 'RvContactNameOnly035', email: null, phone: '415-555-0135' }),
    c({ id: 'RvAmpersand000000036', firstName: 'Tina', lastName: 'Belcher', companyName: 'B&B Growers', email: 'tina@bbgrowers.com', tags: ['grow'] }),
    c({ id: 'RvOconnor00000000037', firstName: 'Siobhan', lastName: "O'Connor", companyName: "O'Connor's Pub", email: 'siobhan@oconnors.ie' }),
    c({ id: 'RvSaintJames00000038', firstName: 'Joshua', lastName: 'St. James', companyName: 'St. James Botanicals', email: 'josh@stjames.com' }),
  ];
}

export interface SearchOut {
  total: number;
  interpretation: string;
  contacts: Array<{ id: string }>;
}

export interface Brain {
  fake: FakeGhl;
  app: App;
  mcp: Connected;
  all: FakeContact[];
  setNow(d: Date): void;
  call(name: string, args?: Record<string, unknown>): Promise<{ isError: boolean; text: string; out: any }>;
  /** search_contacts, which must not fail: its structured result. */
  search(args: Record<string, unknown>): Promise<SearchOut>;
  close(): Promise<void>;
}

export async function buildBrain(engine: Engine, now0: Date, extra: (now: number) => FakeContact[] = () => [], version: 'v1' | 'v2' = 'v2'): Promise<Brain> {
  let now = now0;
  const contacts = [...messy(now.getTime()), ...extra(now.getTime()), ...generateContacts({ count: 300, seed: 77, now: now.getTime() })];
  const fake = await startFakeGhl({ contacts, now: () => now.getTime(), rateLimit: { max: 10_000 }, opportunityCount: 50 });
  const t = await createTestTarget(engine);
  const app = syncApp(fake, t.target, { now: () => now, version });
  const r = await (await app.sync.start('cli', 'full')).done;
  if (r.status !== 'succeeded') throw new Error(JSON.stringify(r));
  const mcp = await connectClient(app.deps);
  const call: Brain['call'] = async (name, args = {}) => {
    const res = await mcp.call(name, args);
    return { isError: Boolean(res.isError), text: textOf(res), out: res.structuredContent as any };
  };
  return {
    fake, app, mcp, all: fake.store.all(),
    setNow: (d) => { now = d; },
    call,
    search: async (args) => {
      const r = await call('search_contacts', args);
      expect(r.isError, r.text).toBe(false);
      return r.out as SearchOut;
    },
    close: async () => { await mcp.close(); await app.close(); await fake.close(); await t.drop(); },
  };
}
