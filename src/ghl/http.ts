import ky, { HTTPError, type KyInstance, type KyResponse, type Options, TimeoutError } from 'ky';
import type { Logger } from '../logger.js';
import { redact } from '../redact.js';
import { GhlAuthError, GhlCancelledError, GhlError, GhlForbiddenError, GhlNetworkError, GhlRateLimitError, GhlResponseError } from './errors.js';
import { type PacedRequest, Pacer } from './pacer.js';
import { ServerClock } from './server-clock.js';

export interface HttpOptions {
  baseUrl: string;
  token: string;
  /** v2 needs a `Version` header; v1 must not get one. */
  versionHeader: string | null;
  log: Logger;
  timeoutMs?: number;
  retries?: number;
  pacer?: Pacer;
  /** Lets tests shorten waits; production uses ky's exponential backoff. */
  backoffLimitMs?: number;
}

export interface RequestStats {
  requests: number;
  rateLimited: number;
  retries: number;
}

export interface GhlHttp {
  get<T>(path: string, searchParams?: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T>;
  /** The raw body, for callers that parse later (e.g. a page waiting its turn to be written). */
  postBytes(path: string, body: unknown, signal?: AbortSignal): Promise<Buffer>;
  /** The raw body, for callers that also store it (see v1's listContacts). */
  getBytes(path: string, searchParams?: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<Buffer>;
  readonly stats: RequestStats;
  readonly pacer: Pacer;
  readonly clock: ServerClock;
}

/** The longest GoHighLevel may ask us to wait (Retry-After) before a request fails instead. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Statuses whose responses have no body (a Response cannot be built with one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** The one HTTP instance: auth headers, pacing, retries on 429/5xx/timeouts (POST included), error mapping. */
export function createHttp(o: HttpOptions): GhlHttp {
  const pacer = o.pacer ?? new Pacer();
  const stats: RequestStats = { requests: 0, rateLimited: 0, retries: 0 };
  const clock = new ServerClock();
  // Every attempt (retries included) waits for the pacer before ky starts its timeout, and counts
  // until its answer arrives. ky hands fetch the very Request its beforeRequest hooks saw.
  const inFlight = new WeakMap<object, PacedRequest>();
  const pacedFetch = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    try {
      const response = await fetch(input, init);
      // The body is read here, inside ky's timeout and retries: fetch resolves at the headers, and
      // a body that stalls or breaks off after them is an attempt that failed like any other
      // (before, a stalled body hung the sync for good, and a reset mid-body failed the run).
      const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      const counted = typeof input === 'object' ? inFlight.get(input) : undefined;
      if (counted) pacer.answered(counted);
    }
  };
  const secrets = [o.token];
  const api: KyInstance = ky.create({
    prefixUrl: o.baseUrl,
    fetch: pacedFetch,
    timeout: o.timeoutMs ?? 30_000,
    retry: {
      limit: o.retries ?? 5,
      methods: ['get', 'post'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      afterStatusCodes: [429, 503],
      maxRetryAfter: MAX_RETRY_AFTER_MS,
      backoffLimit: o.backoffLimitMs ?? 10_000,
      retryOnTimeout: true,
      shouldRetry: ({ error }) => {
        // The caller's deadline (see deadline.ts) passed: ky takes any "TimeoutError" for its own
        // per-attempt timeout and would retry it, on a signal that stays aborted.
        if (error.name === 'TimeoutError' && !(error instanceof TimeoutError)) return false;
        // Our own verdict, raised before the request left (see beforeRequest).
        if (error instanceof GhlError) return false;
        // A spent daily budget does not come back within a retry; stop and say so.
        if (isDailyBudgetGone(error)) return false;
        if (!(error instanceof HTTPError) || (error.response.status !== 429 && error.response.status !== 503)) return undefined;
        if (error.response.headers.get('retry-after') === null) return undefined;
        const wait = retryAfterMs(error.response.headers);
        // Unreadable: the usual backoff, rather than ky's longest wait. Longer than a call can
        // wait: fail now and say when to try again, rather than sit silent for an hour.
        if (wait === null) return true;
        return wait > MAX_RETRY_AFTER_MS ? false : undefined;
      },
    },
    hooks: {
      beforeRequest: [
        async (request) => {
          inFlight.set(request, await pacer.acquire(request.signal));
          stats.requests += 1;
          try {
            request.headers.set('Authorization', `Bearer ${o.token}`);
          } catch {
            // A key holding text a header cannot carry (a pasted "…", a line break): no retry mends it.
            throw new GhlAuthError('GOHIGHLEVEL_API_KEY holds characters an HTTP header cannot carry (a placeholder such as "pit-…", a space or a line break)', null, 'Paste the whole token again, exactly as GoHighLevel shows it.');
          }
          request.headers.set('Accept', 'application/json');
          if (o.versionHeader) request.headers.set('Version', o.versionHeader);
        },
      ],
      afterResponse: [
        (_request, _options, response) => {
          pacer.observe(response.headers);
          clock.observe(response.headers);
          if (response.status === 429) {
            stats.rateLimited += 1;
            // Honour Retry-After; without it, wait for the window only if GHL says it is spent.
            const wait = retryAfterMs(response.headers) ?? (response.headers.get('x-ratelimit-remaining') === '0' ? pacer.state.intervalMs : null);
            if (wait !== null) pacer.backOff(Math.min(wait, MAX_RETRY_AFTER_MS));
          }
        },
      ],
      beforeRetry: [
        ({ request, error, retryCount }) => {
          stats.retries += 1;
          o.log.debug(`retrying ${request.method} ${pathOf(request.url)} (attempt ${retryCount + 1})`, { reason: redact(error.message, secrets) });
        },
      ],
    },
  });

  /** One request, its body read as `read` says; every failure becomes a GhlError naming the method and path. */
  const sendAs = async <B>(method: 'GET' | 'POST', path: string, options: Options, read: (r: KyResponse) => Promise<B>): Promise<B> => {
    try {
      return await read(await api(path, { ...options, method }));
    } catch (err) {
      const signal = options.signal;
      // The caller gave up (the client cancelled the call): whatever the request then failed
      // with (fetch rejects with the caller's reason, any value) is no news about GoHighLevel.
      if (signal?.aborted && (signal.reason as { name?: unknown } | undefined)?.name !== 'TimeoutError') throw new GhlCancelledError(`${method} /${path} was cancelled`);
      throw await toGhlError(err, `${method} /${path}`, secrets);
    }
  };
  const send = async <T>(method: 'GET' | 'POST', path: string, options: Options): Promise<T> =>
    parseJson<T>(await sendAs(method, path, options, (r) => r.text()), `${method} /${path}`, secrets);

  return {
    stats,
    pacer,
    clock,
    get: (path, searchParams, signal) => send('GET', path, { searchParams: clean(searchParams), signal }),
    post: (path, body, signal) => send('POST', path, { json: body, signal }),
    postBytes: (path, body, signal) => sendAs('POST', path, { json: body, signal }, bytesOf),
    getBytes: (path, searchParams, signal) => sendAs('GET', path, { searchParams: clean(searchParams), signal }, bytesOf),
  };
}

const bytesOf = async (r: KyResponse): Promise<Buffer> => Buffer.from(await r.arrayBuffer());

export function parseJson<T>(text: string, label: string, secrets: readonly string[] = []): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    // A proxy's or gateway's page may quote the request's Authorization header: redacted whole
    // before it is cut, so a token straddling the cut is still recognised.
    const start = redact(text, secrets).slice(0, 80);
    throw new GhlResponseError(`GoHighLevel answered ${label} with something that is not JSON: ${JSON.stringify(start)}`);
  }
}

function clean(params?: Record<string, string | number | undefined>): Record<string, string | number> | undefined {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined));
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

function retryAfterMs(headers: Headers): number | null {
  const v = headers.get('retry-after');
  if (v === null) return null;
  const s = Number(v);
  if (Number.isFinite(s)) return s * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

function isDailyBudgetGone(error: unknown): boolean {
  return error instanceof HTTPError && error.response.status === 429 && error.response.headers.get('x-ratelimit-daily-remaining') === '0';
}

async function toGhlError(err: unknown, label: string, secrets: string[]): Promise<GhlError> {
  if (err instanceof GhlError) return err;
  if (err instanceof HTTPError) {
    const status = err.response.status;
    const detail = await bodyMessage(err.response, secrets);
    const said = `GoHighLevel answered ${label} with ${status}${detail ? `: ${detail}` : ''}`;
    if (status === 401) return new GhlAuthError(said, 401, 'Check GOHIGHLEVEL_API_KEY: it must be a valid Private Integration Token (pit-…) or location API key with the contacts and opportunities read scopes.');
    if (status === 403) return new GhlForbiddenError(said, 403, 'Check GOHIGHLEVEL_LOCATION_ID: the API key does not have access to that location.');
    if (status === 429) {
      const daily = err.response.headers.get('x-ratelimit-daily-remaining') === '0';
      const wait = retryAfterMs(err.response.headers);
      const hint = daily
        ? 'The daily GoHighLevel API budget (200,000 requests per location) is used up; it resets within 24 hours. The brain still answers from what it has.'
        : `GoHighLevel is rate-limiting this location; try again in ${Math.ceil((wait ?? 10_000) / 1000)} seconds.`;
      return new GhlRateLimitError(said, hint, wait, daily);
    }
    return new GhlError(said, status, status >= 500 ? 'GoHighLevel is having trouble; try again in a few minutes.' : null);
  }
  // ky's timeout of one attempt, or the caller's deadline for the whole call (see deadline.ts).
  if (err instanceof TimeoutError || (err instanceof Error && err.name === 'TimeoutError')) {
    return new GhlNetworkError(`GoHighLevel did not answer ${label} in time`, null, 'Try again; if it keeps happening GoHighLevel may be slow or unreachable.');
  }
  const message = redact(err instanceof Error ? err.message : String(err), secrets);
  if (err instanceof Error && err.name === 'AbortError') return new GhlCancelledError(`${label} was cancelled`);
  return new GhlNetworkError(`Could not reach GoHighLevel for ${label}: ${message}`, null, 'Check the network connection and GOHIGHLEVEL_BASE_URL.');
}

/** What an error answer says, without credentials: redacted whole, then cut (a token across the cut would escape a redaction after it). */
async function bodyMessage(response: Response, secrets: readonly string[]): Promise<string> {
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as { message?: unknown; msg?: unknown; error?: unknown };
      const m = body.message ?? body.msg ?? body.error;
      return redact(Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : '', secrets);
    } catch {
      return redact(text, secrets).slice(0, 120);
    }
  } catch {
    return '';
  }
}
