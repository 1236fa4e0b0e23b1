import { describe, expect, it } from 'vitest';
import { GhlAuthError } from '../../src/ghl/errors.js';
import { createHttp } from '../../src/ghl/http.js';
import { silentLogger } from '../../src/logger.js';

describe('a key an HTTP header cannot carry', () => {
  it('fails at once, naming GOHIGHLEVEL_API_KEY, without retrying as if the network were down', async () => {
    let retries = 0;
    const log = { ...silentLogger, debug: (msg: string) => void (msg.startsWith('retrying') && retries++) };
    // Nothing listens on port 9: a request that left would fail differently (and be retried).
    for (const token of ['pit-1234…5678', 'pit-1234\nabcd']) {
      const http = createHttp({ baseUrl: 'http://127.0.0.1:9', token, versionHeader: null, log, backoffLimitMs: 10 });
      const err = await http.get('contacts/', { limit: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GhlAuthError);
      expect((err as Error).message).toMatch(/GOHIGHLEVEL_API_KEY holds characters an HTTP header cannot carry/);
      expect((err as Error).message).not.toContain(token);
    }
    expect(retries).toBe(0);
  });
});
