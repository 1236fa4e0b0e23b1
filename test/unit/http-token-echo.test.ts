import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttp } from '../../src/ghl/http.js';
import { silentLogger } from '../../src/logger.js';

// A server at GOHIGHLEVEL_BASE_URL that echoes the request's token (a proxy's error page, a
// debugging endpoint): whatever it answers, the token must not come back in an error.
describe('an answer that quotes the token', () => {
  const token = 'Zz9plainTokenWithoutKnownShape0123456789';
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const echoed = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const params = new URL(req.url!, 'http://x').searchParams;
      const status = Number(params.get('status') ?? '200');
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<p>${'.'.repeat(Number(params.get('pad') ?? '0'))}${echoed} is not allowed here</p>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is said without the token, whatever the status', async () => {
    const client = createHttp({ baseUrl: base, token, versionHeader: null, log: silentLogger, retries: 0 });
    for (const status of [200, 401, 422]) {
      const err = await client.get('contacts/', { status }).catch((e: unknown) => e);
      expect(err, String(status)).toBeInstanceOf(Error);
      expect((err as Error).message, String(status)).not.toContain(token);
    }
  });

  it('is said without any part of the token where the quote is cut short', async () => {
    const client = createHttp({ baseUrl: base, token, versionHeader: null, log: silentLogger, retries: 0 });
    // Pads that put the token across the places where an error's quote of the answer ends.
    for (const status of [200, 401, 500]) {
      for (const pad of [60, 70, 100, 110, 390]) {
        const err = await client.get('contacts/', { status, pad }).catch((e: unknown) => e);
        expect(err, `${status} ${pad}`).toBeInstanceOf(Error);
        expect((err as Error).message, `${status} ${pad}`).not.toContain(token.slice(0, 6));
      }
    }
  });
});
