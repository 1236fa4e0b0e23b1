export interface RateLimitSettings {
  max: number;
  intervalMs: number;
  daily: number;
  /** Send `Retry-After` (seconds) with a 429. */
  retryAfter: boolean;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

/** GHL's two budgets per token: a burst window (sliding) and a daily count. */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly dailyUsed = new Map<string, number>();

  constructor(
    public settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  check(token: string): RateDecision {
    const now = this.now();
    const s = this.settings;
    const log = (this.windows.get(token) ?? []).filter((t) => t > now - s.intervalMs);
    const used = this.dailyUsed.get(token) ?? 0;
    const allowed = log.length < s.max && used < s.daily;
    if (allowed) {
      log.push(now);
      this.dailyUsed.set(token, used + 1);
    }
    this.windows.set(token, log);
    const oldest = log[0] ?? now;
    return {
      allowed,
      retryAfterSeconds: Math.max(1, Math.ceil((oldest + s.intervalMs - now) / 1000)),
      headers: {
        'X-RateLimit-Limit-Daily': String(s.daily),
        'X-RateLimit-Daily-Remaining': String(Math.max(0, s.daily - (this.dailyUsed.get(token) ?? 0))),
        'X-RateLimit-Interval-Milliseconds': String(s.intervalMs),
        'X-RateLimit-Max': String(s.max),
        'X-RateLimit-Remaining': String(Math.max(0, s.max - log.length)),
      },
    };
  }

  /** Sets how much of today's budget a token has used (to test an exhausted budget). */
  setDailyUsed(token: string, used: number): void {
    this.dailyUsed.set(token, used);
  }
}
