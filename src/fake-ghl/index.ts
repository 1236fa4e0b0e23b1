import { FaultQueue, type Fault } from './faults.js';
import { generateContacts, generateOpportunities, generatePipelines } from './generator.js';
import type { RateLimitSettings } from './rate-limit.js';
import { createFakeServer, type FakeSettings, type FakeStats, type TokenGrant } from './server.js';
import { warmSearchJson } from './routes-v2.js';
import { FakeStore } from './store.js';
import type { FakeContact } from './types.js';

export { generateContacts, generateOpportunities, generatePipelines, KNOWN } from './generator.js';
export type { FakeContact, FakeOpportunity, FakePipeline } from './types.js';
export type { Fault } from './faults.js';
export { FakeStore } from './store.js';

export interface FakeGhlOptions {
  /** Generated contacts (including the fixed well-known ones) when `contacts` is not given. */
  contactCount?: number;
  contacts?: FakeContact[];
  opportunityCount?: number;
  seed?: number;
  locationId?: string;
  now?: () => number;
  latencyMs?: number;
  rateLimit?: Partial<RateLimitSettings>;
  indexLagMs?: number;
  v1NotFoundStatus?: 400 | 404;
  port?: number;
}

export interface FakeGhl {
  /** v2 API root, e.g. http://127.0.0.1:PORT */
  url: string;
  /** v1 API root, e.g. http://127.0.0.1:PORT/v1 */
  v1Url: string;
  locationId: string;
  tokens: { v2: string; v1: string };
  store: FakeStore;
  stats: FakeStats;
  settings: FakeSettings;
  resetStats(): void;
  configure(patch: Partial<Omit<FakeSettings, 'rateLimit'>> & { rateLimit?: Partial<RateLimitSettings> }): void;
  fault(...faults: Fault[]): void;
  clearFaults(): void;
  /** Pretends `used` requests of today's budget are spent for a token. */
  setDailyUsed(token: string, used: number): void;
  /** Prepares every contact's JSON and the sorted orders now, so serving pages later costs the fake little CPU. */
  warmUp(): void;
  close(): Promise<void>;
}

/** A v1 location API key: a JWT-shaped string whose payload names the location and version 1. */
export function makeV1Key(locationId: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ location_id: locationId, version: 1, company_id: 'FakeCompany', iat: 1700000000000, sub: 'fake' })}.ZmFrZS1zaWduYXR1cmUtZm9yLXRlc3Rz`;
}

/** Starts the simulated GoHighLevel location on 127.0.0.1 (ephemeral port unless `port` is given). */
export async function startFakeGhl(o: FakeGhlOptions = {}): Promise<FakeGhl> {
  const locationId = o.locationId ?? 'FakeLocation00000001';
  const now = o.now ?? Date.now;
  const contacts = o.contacts ?? generateContacts({ count: o.contactCount ?? 50, seed: o.seed, locationId, now: now() });
  const store = new FakeStore(contacts, now);
  store.pipelines = generatePipelines(o.seed);
  store.opportunities = generateOpportunities({ contacts: contacts.length ? contacts : [], pipelines: store.pipelines, count: contacts.length ? (o.opportunityCount ?? 40) : 0, seed: o.seed, now: now() });
  const tokens = { v2: 'pit-00000000-0000-4000-8000-00000000f4c3', v1: makeV1Key(locationId) };
  const grants = new Map<string, TokenGrant>([
    [tokens.v2, { locationId, version: 'v2' }],
    [tokens.v1, { locationId, version: 'v1' }],
  ]);
  const settings: FakeSettings = {
    latencyMs: o.latencyMs ?? 0,
    rateLimit: { max: 100, intervalMs: 10_000, daily: 200_000, retryAfter: true, ...o.rateLimit },
    indexLagMs: o.indexLagMs ?? 0,
    v1NotFoundStatus: o.v1NotFoundStatus ?? 400,
  };
  const stats: FakeStats = { requests: 0, rateLimited: 0, byRoute: {}, inFlight: 0, maxInFlight: 0, sequence: [] };
  const faults = new FaultQueue();
  const server = createFakeServer(store, grants, settings, faults, stats);
  const url = await server.listen(o.port);
  return {
    url,
    v1Url: `${url}/v1`,
    locationId,
    tokens,
    store,
    stats,
    settings,
    resetStats: () => Object.assign(stats, { requests: 0, rateLimited: 0, byRoute: {}, maxInFlight: 0, sequence: [] }),
    configure: (patch) => {
      const { rateLimit, ...rest } = patch;
      Object.assign(settings, rest);
      if (rateLimit) Object.assign(settings.rateLimit, rateLimit);
    },
    fault: (...f) => faults.add(...f),
    clearFaults: () => faults.clear(),
    setDailyUsed: (token, used) => server.limiter.setDailyUsed(token, used),
    warmUp: () => {
      warmSearchJson(store.all());
      // The orders a sync asks for (full passes by dateAdded, incremental ones by dateUpdated).
      store.sorted('dateAdded');
      store.sorted('dateUpdated');
    },
    close: () => server.close(),
  };
}
