import { describe, expect, it } from 'vitest';
import { deadline, settledWithin } from '../../src/deadline.js';

describe('deadline', () => {
  it('aborts with a TimeoutError after its time, and follows its parent before that', async () => {
    const timed = deadline(30);
    await new Promise((r) => setTimeout(r, 60));
    expect(timed.signal.aborted).toBe(true);
    expect((timed.signal.reason as Error).name).toBe('TimeoutError');

    const parent = new AbortController();
    const followed = deadline(60_000, parent.signal);
    parent.abort('the person pressed stop');
    expect(followed.signal.reason).toBe('the person pressed stop');
    followed.clear();
  });

  it('fires even when nothing else holds it, combined the way ky combines signals', async () => {
    // AbortSignal.timeout() held only through AbortSignal.any can be collected and never fire.
    const d = deadline(50);
    const combined = AbortSignal.any([d.signal, new AbortController().signal]);
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 100));
    expect(combined.aborted).toBe(true);
  });

  it('once cleared, never fires', async () => {
    const d = deadline(20);
    d.clear();
    await new Promise((r) => setTimeout(r, 50));
    expect(d.signal.aborted).toBe(false);
  });
});

describe('settledWithin', () => {
  it('says whether the work settled in time, whatever its outcome, and stops waiting when told', async () => {
    const never = new Promise(() => {});
    expect(await settledWithin(Promise.resolve(1), 1_000)).toBe(true);
    expect(await settledWithin(Promise.reject(new Error('x')), Number.POSITIVE_INFINITY)).toBe(true);
    expect(await settledWithin(never, 20)).toBe(false);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    expect(await settledWithin(never, Number.POSITIVE_INFINITY, stop.signal)).toBe(false);
  });
});
