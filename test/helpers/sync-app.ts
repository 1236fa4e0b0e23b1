import { type App, type AppOptions, createApp } from '../../src/app.js';
import type { DatabaseTarget } from '../../src/config.js';
import type { FakeGhl } from '../../src/fake-ghl/index.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { testConfig } from './deps.js';

export interface SyncAppOptions {
  version?: 'v1' | 'v2';
  token?: string;
  log?: Logger;
  timeoutMs?: number;
  now?: () => Date;
  env?: Record<string, string>;
  sync?: AppOptions['sync'];
}

/** The real app wiring (config → database → GHL client → sync engine) pointed at the fake GHL. */
export function syncApp(fake: FakeGhl, target: DatabaseTarget, o: SyncAppOptions = {}): App {
  const version = o.version ?? 'v2';
  const config = testConfig({
    GOHIGHLEVEL_API_KEY: o.token ?? fake.tokens[version],
    GOHIGHLEVEL_LOCATION_ID: fake.locationId,
    GOHIGHLEVEL_BASE_URL: version === 'v2' ? fake.url : fake.v1Url,
    ...(target.kind === 'postgres' ? { DATABASE_URL: target.url } : target.kind === 'memory' ? { DATABASE_URL: 'memory://' } : { MEDTAINER_DATA_DIR: target.dataDir }),
    ...o.env,
  });
  return createApp(config, o.log ?? silentLogger, {
    holder: 'test',
    now: o.now,
    ghl: { timeoutMs: o.timeoutMs ?? 5_000, backoffLimitMs: 200 },
    sync: o.sync,
  });
}
