import { setTimeout as sleep } from 'node:timers/promises';

/** Covers the gap between when we send a request and when the server counts it. */
const SLACK_MS = 250;

export interface RateLimitSnapshot {
  max: number;
  intervalMs: number;
  remaining: number | null;
  dailyLimit: number | null;
  dailyRemaining: number | null;
}

/**
 * Keeps requests under GHL's burst limit (100 per 10 s by default, read from X-RateLimit-* headers).
 * A sliding window of our own request start times never exceeds `max - headroom` in any interval,
 * which also satisfies a fixed-window limiter on the server. When the server reports less
 * remaining than we think we have (someone else shares the budget), we count the difference as spent.
 */
export class Pacer {
  private starts: number[] = [];
  private blockedUntil = 0;
  private snapshot: RateLimitSnapshot;

  constructor(
    private readonly options: { max?: number; intervalMs?: number; headroom?: number; now?: () => number } = {},
  ) {
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

  /** Waits until one more request fits in the window, then counts it. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const windowStart = now - this.snapshot.intervalMs - SLACK_MS;
      while (this.starts.length && this.starts[0]! <= windowStart) this.starts.shift();
      const waitBlocked = this.blockedUntil - now;
      if (waitBlocked <= 0 && this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      const waitWindow = this.starts.length >= this.limit ? this.starts[0]! - windowStart : 0;
      await sleep(Math.max(waitBlocked, waitWindow, 5), undefined, { signal });
    }
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
    if (max && max > 0) this.snapshot.max = max;
    if (interval && interval > 0) this.snapshot.intervalMs = interval;
    this.snapshot.remaining = num('x-ratelimit-remaining');
    this.snapshot.dailyLimit = num('x-ratelimit-limit-daily') ?? this.snapshot.dailyLimit;
    this.snapshot.dailyRemaining = num('x-ratelimit-daily-remaining') ?? this.snapshot.dailyRemaining;
    const remaining = this.snapshot.remaining;
    if (remaining !== null) {
      const ours = Math.max(0, this.snapshot.max - this.starts.length);
      // Others spend from the same budget: count their requests as ours, now.
      for (let i = 0; i < ours - remaining; i++) this.starts.push(this.now());
    }
  }

  /** After a 429: no new request for this long. */
  backOff(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }
}
