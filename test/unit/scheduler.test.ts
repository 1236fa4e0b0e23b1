import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { plannedNextRun, scheduleFor, startScheduler } from '../../src/scheduler.js';

describe('scheduleFor', () => {
  it('turns an interval into a croner pattern', () => {
    expect(scheduleFor(15, null)).toEqual({ pattern: '*/15 * * * *' });
    expect(scheduleFor(120, null)).toEqual({ pattern: '0 */2 * * *' });
    expect(scheduleFor(45, null)).toEqual({ pattern: '* * * * *', minSeconds: 2700 });
    expect(scheduleFor(0, null)).toBeNull();
    expect(scheduleFor(15, '*/5 * * * * *')).toEqual({ pattern: '*/5 * * * * *' });
  });
});

describe('plannedNextRun', () => {
  const now = new Date('2026-06-15T12:07:30Z');
  it('says when a server with these settings syncs next', () => {
    expect(plannedNextRun(15, null, null, now)).toEqual(new Date('2026-06-15T12:15:00Z'));
    expect(plannedNextRun(15, '30 12 * * *', null, now)?.getMinutes()).toBe(30);
    expect(plannedNextRun(0, null, null, now)).toBeNull();
    // A period that divides neither an hour nor a day counts from the last good sync, never in the past.
    expect(plannedNextRun(45, null, new Date('2026-06-15T11:50:00Z'), now)).toEqual(new Date('2026-06-15T12:35:00Z'));
    expect(plannedNextRun(45, null, new Date('2026-06-15T10:00:00Z'), now)).toEqual(now);
  });
});

describe('startScheduler: the next run it reports', () => {
  afterEach(() => vi.useRealTimers());

  // Starts at 12:05:30; the first tick is at 12:06. Asks between two runs, then checks against the run that came.
  for (const minutes of [7, 45, 90]) {
    it(`is the run that comes for SYNC_INTERVAL_MINUTES=${minutes}`, async () => {
      vi.useFakeTimers({ now: new Date('2026-06-15T12:05:30Z') });
      const fired: number[] = [];
      const s = startScheduler({ intervalMinutes: minutes, cron: null, log: silentLogger, run: async () => void fired.push(Date.now()) })!;
      try {
        await vi.advanceTimersByTimeAsync(60_000);
        expect(fired.map((t) => new Date(t).toISOString())).toEqual(['2026-06-15T12:06:00.000Z']);
        await vi.advanceTimersByTimeAsync(3 * 60_000); // 12:09:30
        const promised = s.nextRunAt()?.toISOString();
        expect(s.nextRunAt()?.toISOString()).toBe(promised); // asking again does not move it
        await vi.advanceTimersByTimeAsync(minutes * 60_000);
        expect(promised).toBe(new Date(fired[1]!).toISOString());
        expect(promised).toBe(new Date(Date.parse('2026-06-15T12:06:00Z') + minutes * 60_000).toISOString());
      } finally {
        s.stop();
      }
    });
  }

  it('is never in the past when a long run made the schedule skip its tick', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-15T12:05:30Z') });
    const fired: number[] = [];
    const s = startScheduler({
      intervalMinutes: 7,
      cron: null,
      log: silentLogger,
      run: async () => {
        fired.push(Date.now());
        if (fired.length === 1) await new Promise((r) => setTimeout(r, 10.5 * 60_000)); // 12:06 to 12:16:30
      },
    })!;
    try {
      await vi.advanceTimersByTimeAsync(10 * 60_000 + 40_000); // 12:16:10, still running: the 12:13 tick was skipped
      expect(s.nextRunAt()!.getTime()).toBeGreaterThanOrEqual(Date.now());
      await vi.advanceTimersByTimeAsync(2 * 60_000);
      expect(fired).toHaveLength(2);
      const promised = s.nextRunAt()!;
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(new Date(fired[2]!)).toEqual(promised);
    } finally {
      s.stop();
    }
  });
});
