import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { describePeriod, plannedNextRun, plannedRunsBefore, scheduleFor, startScheduler, syncDueAtStart } from '../../src/scheduler.js';

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

// Local times: croner reads a cron in the server's zone, so these hold in any TZ.
const local = (day: number, hour: number, minute = 0) => new Date(2026, 11, day, hour, minute); // December 2026: the 7th is a Monday

describe('plannedRunsBefore', () => {
  it("lists a cron's own runs, an interval's spacing back from now, nothing when off", () => {
    expect(plannedRunsBefore(15, '0 9 * * 1-5', local(7, 8), 2)).toEqual([local(4, 9), local(3, 9)]);
    expect(plannedRunsBefore(0, '0 3 * * *', local(7, 8), 1)).toEqual([local(7, 3)]);
    expect(plannedRunsBefore(45, null, local(7, 8), 2)).toEqual([local(7, 7, 15), local(7, 6, 30)]);
    expect(plannedRunsBefore(0, null, local(7, 8), 3)).toEqual([]);
  });
});

describe('describePeriod', () => {
  it('says how often the schedule syncs', () => {
    expect(describePeriod(15, null, local(7, 8))).toBe('every 15 min');
    expect(describePeriod(1440, null, local(7, 8))).toBe('every 24 h');
    expect(describePeriod(15, '0 3 * * *', local(7, 8))).toBe('every 24 h by SYNC_CRON "0 3 * * *"');
    expect(describePeriod(15, '0 9 * * 1', local(7, 8))).toBe('every 7 d by SYNC_CRON "0 9 * * 1"');
    expect(describePeriod(0, null, local(7, 8))).toBeNull();
  });
});

describe('syncDueAtStart', () => {
  it('with an interval: when the last good sync is older than the interval', () => {
    const now = local(7, 12);
    expect(syncDueAtStart(15, null, local(7, 11, 50), now)).toBe(false);
    expect(syncDueAtStart(15, null, local(7, 11, 45), now)).toBe(true);
    expect(syncDueAtStart(15, null, null, now)).toBe(true);
  });

  it('with a cron: when a planned run came after the last good sync, whatever SYNC_INTERVAL_MINUTES says', () => {
    // Nightly at 03:00: a restart during the day does not sync again; a laptop asleep at 03:00 catches up.
    expect(syncDueAtStart(15, '0 3 * * *', local(7, 3, 2), local(7, 14))).toBe(false);
    expect(syncDueAtStart(15, '0 3 * * *', local(6, 9), local(7, 14))).toBe(true);
    // Weekdays at 09:00: Friday's sync still stands on Monday at 08:00, not at 09:30.
    expect(syncDueAtStart(15, '0 9 * * 1-5', local(4, 9, 2), local(7, 8))).toBe(false);
    expect(syncDueAtStart(15, '0 9 * * 1-5', local(4, 9, 2), local(7, 9, 30))).toBe(true);
    expect(syncDueAtStart(0, '0 3 * * *', local(6, 9), local(7, 14))).toBe(true);
  });

  it('with the schedule off: unless a sync finished in the last minute', () => {
    expect(syncDueAtStart(0, null, new Date(local(7, 12).getTime() - 30_000), local(7, 12))).toBe(false);
    expect(syncDueAtStart(0, null, local(7, 11, 58), local(7, 12))).toBe(true);
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
