import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Fault, FaultQueue } from './faults.js';
import { jsonText } from './json-text.js';
import { RateLimiter, type RateLimitSettings } from './rate-limit.js';
import { listContactsV1, getContactV1, listPipelinesV1 } from './routes-v1.js';
import { getContact, listPipelines, type Reply, type RouteContext, searchContacts, searchOpportunities } from './routes-v2.js';
import type { FakeStore } from './store.js';

export const VERSION_HEADERS = new Set(['2021-04-15', '2021-07-28', '2023-02-21', 'v3', 'legacy']);

export interface FakeSettings {
  latencyMs: number;
  rateLimit: RateLimitSettings;
  indexLagMs: number;
  /** How v1 says "no such contact": 400 (seen in the wild) or 404. */
  v1NotFoundStatus: 400 | 404;
  /** A Date header this far from the clock that stamps dateUpdated (a misconfigured proxy, say). */
  dateHeaderOffsetMs?: number;
  /** v1 lists newest-added first whatever sortBy asks. */
  v1IgnoresSort?: boolean;
  /**
   * Called just before an accepted request's answer is built, with its route ("POST /contacts/search")
   * and parsed body: a test's way to change GHL's data between two pages of one read.
   */
  beforeAnswer?: (route: string, body: unknown) => void;
}

export interface FakeStats {
  requests: number;
  rateLimited: number;
  byRoute: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** Route of each request in arrival order (the first 10,000), to check what a client asks first. */
  sequence: string[];
}

export interface TokenGrant {
  locationId: string;
  version: 'v1' | 'v2';
}

const json = (status: number, body: unknown): Reply => ({ status, body });

/** The HTTP side of the fake: auth, Version header, rate limit, latency, faults, then the routes. */
export function createFakeServer(store: FakeStore, tokens: Map<string, TokenGrant>, settings: FakeSettings, faults: FaultQueue, stats: FakeStats) {
  const limiter = new RateLimiter(settings.rateLimit);
  const sockets = new Set<Socket>();
  let baseUrl = '';

  // GHL's clock, which also stamps dateUpdated (a test may set it apart from this machine's, or skew the header alone).
  const dateHeader = () => httpDate(store.now() + (settings.dateHeaderOffsetMs ?? 0));

  const route = (method: string, url: URL, body: unknown, grant: TokenGrant): Reply => {
    const ctx: RouteContext = { store, locationId: grant.locationId, indexLagMs: settings.indexLagMs, baseUrl, v1IgnoresSort: settings.v1IgnoresSort };
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    if (p.startsWith('/v1/')) {
      if (method === 'GET' && p === '/v1/contacts') return listContactsV1(ctx, q);
      const contact = /^\/v1\/contacts\/([^/]+)$/.exec(p);
      if (method === 'GET' && contact) return getContactV1(ctx, decodeURIComponent(contact[1]!), settings.v1NotFoundStatus);
      if (method === 'GET' && p === '/v1/pipelines') return listPipelinesV1(ctx);
      const opps = /^\/v1\/pipelines\/([^/]+)\/opportunities$/.exec(p);
      if (method === 'GET' && opps) return searchOpportunities(ctx, q, url.pathname, decodeURIComponent(opps[1]!), true);
    } else {
      if (method === 'POST' && p === '/contacts/search') return searchContacts(ctx, (body ?? {}) as Record<string, unknown>);
      if (method === 'GET' && p === '/contacts') {
        const r = listContactsV1(ctx, q);
        return r;
      }
      const contact = /^\/contacts\/([^/]+)$/.exec(p);
      if (method === 'GET' && contact) return getContact(ctx, decodeURIComponent(contact[1]!));
      if (method === 'GET' && p === '/opportunities/pipelines') return listPipelines(ctx);
      if (method === 'GET' && p === '/opportunities/search') {
        if (!q.get('location_id')) return json(422, { statusCode: 422, message: ['location_id should not be empty'], error: 'Unprocessable Entity' });
        return searchOpportunities(ctx, q, url.pathname, null, false);
      }
    }
    return json(404, { statusCode: 404, message: `Cannot ${method} ${url.pathname}`, error: 'Not Found' });
  };

  const authorize = (req: http.IncomingMessage, url: URL, body: unknown): { grant: TokenGrant; token: string } | Reply => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    const grant = tokens.get(token);
    const v1Route = url.pathname.startsWith('/v1/');
    if (!grant || (grant.version === 'v1') !== v1Route) return json(401, { statusCode: 401, message: 'Invalid JWT' });
    if (!v1Route) {
      const version = req.headers.version;
      if (!version) return json(401, { statusCode: 401, message: 'version header was not found.' });
      if (!VERSION_HEADERS.has(String(version))) return json(401, { statusCode: 401, message: 'version header is invalid' });
      const asked = (body as { locationId?: unknown } | null)?.locationId ?? url.searchParams.get('locationId') ?? url.searchParams.get('location_id');
      if (asked !== null && asked !== undefined && asked !== grant.locationId) return json(403, { statusCode: 403, message: 'The token does not have access to this location.' });
      if (url.pathname === '/contacts/search' && !asked) return json(422, { statusCode: 422, message: ['locationId should not be empty'], error: 'Unprocessable Entity' });
    }
    return { grant, token };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    stats.requests += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const url = new URL(req.url ?? '/', baseUrl);
    const routeKey = `${req.method} ${url.pathname.replace(/\/[A-Za-z0-9_-]{15,}(?=\/|$)/g, '/:id')}`;
    stats.byRoute[routeKey] = (stats.byRoute[routeKey] ?? 0) + 1;
    if (stats.sequence.length < 10_000) stats.sequence.push(routeKey);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: unknown = null;
    let headers: Record<string, string> = {};
    let reply: Reply;
    const fault = faults.take(req.method ?? 'GET', url.pathname);
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = undefined;
    }
    // Authentication and the rate limit apply when the request arrives, as at GHL; the simulated
    // network and processing time comes after, before the answer is built.
    let decided: Reply | null = null;
    let grant: TokenGrant | null = null;
    if (body === undefined) decided = json(400, { statusCode: 400, message: 'Unexpected token in JSON body' });
    else {
      const auth = authorize(req, url, body);
      if ('status' in auth) decided = auth;
      else {
        const decision = limiter.check(auth.token);
        headers = decision.headers;
        grant = auth.grant;
        if (!decision.allowed) {
          stats.rateLimited += 1;
          if (settings.rateLimit.retryAfter) headers['Retry-After'] = String(decision.retryAfterSeconds);
          decided = json(429, { statusCode: 429, message: 'Too Many Requests' });
        }
      }
    }
    if (settings.latencyMs > 0) await new Promise((r) => setTimeout(r, settings.latencyMs));
    if (fault?.hangMs) await new Promise((r) => setTimeout(r, fault.hangMs));
    if (decided) reply = decided;
    else if (fault?.status) {
      if (fault.status === 429) stats.rateLimited += 1;
      reply = { status: fault.status, body: fault.body ?? { statusCode: fault.status, message: fault.status >= 500 ? 'Internal server error' : 'Fault' } };
      Object.assign(headers, fault.headers ?? {});
    } else {
      settings.beforeAnswer?.(routeKey, body);
      reply = route(req.method ?? 'GET', url, body, grant!);
    }
    stats.inFlight -= 1;
    if (fault?.nonJson && reply.status === 200) {
      res.writeHead(200, { 'content-type': 'text/html', ...headers, date: dateHeader() }).end('<html>Bad gateway</html>');
      return;
    }
    let payload: string | Buffer;
    if (typeof fault?.body === 'string' && fault.status) payload = fault.body;
    else if (fault?.malformed && reply.status === 200) {
      const body = reply.body;
      addMalformed(body);
      payload = jsonText(withTrace(body));
    } else payload = reply.json ?? jsonText(withTrace(reply.body));
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(payload)), ...headers, date: dateHeader() });
    if (fault?.brokenBody) {
      // Half the body, then nothing more (until the client gives up or the fake closes), or a reset.
      res.write(typeof payload === 'string' ? payload.slice(0, payload.length >> 1) : payload.subarray(0, payload.length >> 1));
      if (fault.brokenBody === 'reset') res.socket?.destroy();
      return;
    }
    res.end(payload);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      stats.inFlight = Math.max(0, stats.inFlight - 1);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 500, message: String(err) }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    limiter,
    async listen(port = 0): Promise<string> {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return baseUrl;
    },
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function withTrace(body: unknown): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) ? { ...body, traceId: randomUUID() } : body;
}

function addMalformed(body: unknown): void {
  const list = (body as { contacts?: unknown[] } | null)?.contacts;
  if (!Array.isArray(list)) return;
  list.push({ firstName: 'No', lastName: 'Id', email: 'noid@example.com' });
  const first = list[0] as Record<string, unknown> | undefined;
  if (first && typeof first.id === 'string') list[0] = { ...first, email: 12345 };
}

export type { Fault };
