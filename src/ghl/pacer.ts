import { setTimeout as sleep } from 'node:timers/promises';

/** A little margin for clock granularity between us and the server. */
const SLACK_MS = 100;
/** A request with no answer after this long no longer counts as in flight (it failed somewhere). */
const IN_FLIGHT_LIMIT_MS = 60_000;

/** GHL allows 100 requests per 10 s; a header far beyond that is not believed. */
const MAX_PLAUSIBLE = 10_000;
const MAX_INTERVAL_MS = 3_600_000;

export interface RateLimitSnapshot {
  max: number;
  intervalMs: number;
  remaining: number | null;
  dailyLimit: number | null;
  dailyRemaining: number | null;
}

/** One counted request: when it started and, once answered, when the answer came. */
export interface PacedRequest {
  startedAt: number;
  answeredAt: number | null;
}

/**
 * Keeps requests under GHL's burst limit (100 per 10 s by default, read from X-RateLimit-* headers).
 *
 * GHL counts a request when it arrives, which is somewhere between our sending it and our getting
 * the answer (queues on either side can delay it by seconds). So a request counts from the moment
 * it is sent until a whole interval after its answer: then no window the server can see holds
 * more than `max` of ours. When the server reports less remaining than we think we have (someone
 * else shares the budget), the difference is counted as spent.
 */
export class Pacer {
  private counted: PacedRequest[] = [];
  private blockedUntil = 0;
  private snapshot: RateLimitSnapshot;

  constructor(private readonly options: { max?: number; intervalMs?: number; headroom?: number; now?: () => number } = {}) {
    this.snapshot = { max: options.max ?? 100, intervalMs: options.intervalMs ?? 10_000, remaining: null, dailyLimit: null, dailyRemaining: null };
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  get state(): Readonly<RateLimitSnapshot> {
    return this.snapshot;
  }

  private get limit(): number {
    return Math.max(1, this.snapshot.max - (this.options.headroom ?? 0));
  }

  /** When a counted request stops counting: an interval after its answer (or after giving up on one). */
  private freesAt(r: PacedRequest): number {
    const end = r.answeredAt ?? (this.now() - r.startedAt > IN_FLIGHT_LIMIT_MS ? r.startedAt + IN_FLIGHT_LIMIT_MS : Infinity);
    return end + this.snapshot.intervalMs + SLACK_MS;
  }

  /** Waits until one more request fits, then counts it; call `answered` on the result when it answers. */
  async acquire(signal?: AbortSignal): Promise<PacedRequest> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      this.counted = this.counted.filter((r) => this.freesAt(r) > now);
      const waitBlocked = this.blockedUntil - now;
      if (waitBlocked <= 0 && this.counted.length < this.limit) {
        const request: PacedRequest = { startedAt: now, answeredAt: null };
        this.counted.push(request);
        return request;
      }
      const soonest = this.counted.length >= this.limit ? Math.min(...this.counted.map((r) => this.freesAt(r))) - now : 0;
      await sleep(Math.min(1_000, Math.max(waitBlocked, Number.isFinite(soonest) ? soonest : 50, 5)), undefined, { signal });
    }
  }

  answered(request: PacedRequest): void {
    request.answeredAt ??= this.now();
  }

  /** Learns the limits from a response's headers. */
  observe(headers: Headers): void {
    const num = (name: string): number | null => {
      const v = headers.get(name);
      const n = v === null ? NaN : Number(v);
      return Number.isFinite(n) ? n : null;
    };
    const max = num('x-ratelimit-max');
    const interval = num('x-ratelimit-interval-milliseconds');
    // Values outside any plausible limit are a broken or hostile answer, not a limit to plan by.
    if (max && max > 0 && max <= MAX_PLAUSIBLE) this.snapshot.max = max;
    if (interval && interval > 0 && interval <= MAX_INTERVAL_MS) this.snapshot.intervalMs = interval;
    const reported = num('x-ratelimit-remaining');
    this.snapshot.remaining = reported === null ? null : Math.min(Math.max(0, reported), this.snapshot.max);
    this.snapshot.dailyLimit = num('x-ratelimit-limit-daily') ?? this.snapshot.dailyLimit;
    this.snapshot.dailyRemaining = num('x-ratelimit-daily-remaining') ?? this.snapshot.dailyRemaining;
    const remaining = this.snapshot.remaining;
    if (remaining !== null) {
      const ours = Math.max(0, this.snapshot.max - this.counted.length);
      // Others spend from the same budget: count their requests as ours, answered now.
      const now = this.now();
      // At most a window's worth: more than that blocks no longer and only costs memory.
      const theirs = Math.min(ours - remaining, this.limit);
      for (let i = 0; i < theirs; i++) this.counted.push({ startedAt: now, answeredAt: now });
    }
  }

  /** After a 429: no new request for this long. */
  backOff(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }
}
