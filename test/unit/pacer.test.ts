import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/ghl/pacer.js';

function headers(h: Record<string, string>): Headers {
  return new Headers(h);
}

describe('Pacer', () => {
  it('lets max requests through per window, then waits for the oldest to leave it', async () => {
    let now = 0;
    const pacer = new Pacer({ max: 3, intervalMs: 1_000, now: () => now });
    const counted = [];
    for (let i = 0; i < 3; i++) counted.push(await pacer.acquire());
    let fourth = false;
    const p = pacer.acquire().then(() => (fourth = true));
    now = 500;
    counted.forEach((c) => pacer.answered(c)); // answered at 500: they count until 1,500 (+ slack)
    await new Promise((r) => setTimeout(r, 30));
    expect(fourth).toBe(false);
    now = 1_400;
    await new Promise((r) => setTimeout(r, 30));
    expect(fourth).toBe(false);
    now = 1_700;
    await p;
    expect(fourth).toBe(true);
  });

  it('learns limits from GHL headers and counts requests others made', async () => {
    let now = 0;
    const pacer = new Pacer({ now: () => now });
    pacer.observe(headers({ 'x-ratelimit-max': '5', 'x-ratelimit-interval-milliseconds': '2000', 'x-ratelimit-remaining': '1', 'x-ratelimit-daily-remaining': '150000', 'x-ratelimit-limit-daily': '200000' }));
    expect(pacer.state).toMatchObject({ max: 5, intervalMs: 2000, remaining: 1, dailyRemaining: 150000, dailyLimit: 200000 });
    pacer.answered(await pacer.acquire()); // the one request left
    let next = false;
    const p = pacer.acquire().then(() => (next = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(next).toBe(false);
    now = 2_300;
    await p;
  });

  it('holds every request after a 429 until Retry-After has passed', async () => {
    let now = 0;
    const pacer = new Pacer({ now: () => now });
    pacer.backOff(500);
    let passed = false;
    const p = pacer.acquire().then(() => (passed = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(passed).toBe(false);
    now = 501;
    await p;
    expect(passed).toBe(true);
  });

  it('gives up waiting when the caller aborts', async () => {
    const pacer = new Pacer({ max: 1, intervalMs: 60_000 });
    pacer.answered(await pacer.acquire());
    const ac = new AbortController();
    const p = pacer.acquire(ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
  });

  it('does not believe rate-limit headers beyond any plausible limit (one such answer used to exhaust memory)', async () => {
    let now = 0;
    const pacer = new Pacer({ now: () => now });
    pacer.observe(headers({ 'x-ratelimit-max': '1000000000', 'x-ratelimit-remaining': '-1000000000', 'x-ratelimit-interval-milliseconds': '10000' }));
    expect(pacer.state.max).toBe(100);
    expect(pacer.state.remaining).toBe(0);
    // The deficit counts as one spent window, no more: the next request goes once it has passed.
    let sent = false;
    const next = pacer.acquire().then(() => (sent = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toBe(false);
    now = 10_200;
    await next;
    expect(sent).toBe(true);
  });
});
