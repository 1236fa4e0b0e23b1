import type { GhlConfig } from './config.js';
import { type FakeGhl, startFakeGhl } from './fake-ghl/index.js';

export const DEMO_CONTACTS = 400;

export interface DemoLocation {
  fake: FakeGhl;
  ghl: GhlConfig;
  close(): Promise<void>;
}

/**
 * The built-in simulated GoHighLevel location: the project's fake GHL on loopback with a few
 * hundred generated contacts and pipelines. Dates are anchored to today so the data looks
 * current, and stay the same all day so restarts do not look like changes.
 */
export async function startDemoLocation(): Promise<DemoLocation> {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const fake = await startFakeGhl({ contactCount: DEMO_CONTACTS, opportunityCount: 160, seed: 2026, now: () => today.getTime() + 12 * 3600_000, rateLimit: { max: 100 } });
  // The store's clock drives dateUpdated on changes; after generation it follows real time.
  fake.store.now = Date.now;
  return {
    fake,
    ghl: { apiKey: fake.tokens.v2, locationId: fake.locationId, apiVersion: 'v2', baseUrl: fake.url, unavailableReason: null },
    close: () => fake.close(),
  };
}
