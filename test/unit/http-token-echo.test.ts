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
      const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? '200');
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<p>${echoed} is not allowed here</p>`);
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
});
