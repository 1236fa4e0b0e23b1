import { describe, expect, it } from 'vitest';
import { healthStatus, overdueReason } from '../../src/sync/health.js';

const now = new Date('2026-06-01T12:00:00Z');
const base = { lastSuccessAt: new Date('2026-06-01T11:50:00Z'), anyRunFinished: true, consecutiveFailures: 0, intervalMinutes: 15, cron: null, now };

describe('healthStatus', () => {
  it('grades the sync', () => {
    expect(healthStatus({ ...base, anyRunFinished: false, lastSuccessAt: null })).toBe('never_synced');
    expect(healthStatus(base)).toBe('ok');
    expect(healthStatus({ ...base, consecutiveFailures: 1 })).toBe('degraded');
    expect(healthStatus({ ...base, consecutiveFailures: 3 })).toBe('failing');
    expect(healthStatus({ ...base, lastSuccessAt: new Date('2026-06-01T10:00:00Z') })).toBe('degraded');
    expect(healthStatus({ ...base, lastSuccessAt: new Date('2026-05-01T10:00:00Z'), intervalMinutes: 0 })).toBe('ok');
    expect(healthStatus({ ...base, lastSuccessAt: null, consecutiveFailures: 2 })).toBe('degraded');
    // A server that cannot sync: its brain only ages. Failures still weigh more; a brain never synced stays so.
    expect(healthStatus({ ...base, syncUnavailable: true })).toBe('degraded');
    expect(healthStatus({ ...base, syncUnavailable: true, consecutiveFailures: 3 })).toBe('failing');
    expect(healthStatus({ ...base, syncUnavailable: true, anyRunFinished: false, lastSuccessAt: null })).toBe('never_synced');
  });

  it('calls an interval schedule stale after three intervals without a good sync', () => {
    expect(healthStatus({ ...base, lastSuccessAt: new Date('2026-06-01T11:15:00Z') })).toBe('ok');
    expect(healthStatus({ ...base, lastSuccessAt: new Date('2026-06-01T11:14:59Z') })).toBe('degraded');
  });
});

// Local times: croner reads a cron in the server's zone, so these hold in any TZ.
const local = (day: number, hour: number, minute = 0) => new Date(2026, 11, day, hour, minute); // December 2026: the 7th is a Monday

describe('healthStatus with SYNC_CRON', () => {
  const nightly = { ...base, cron: '0 3 * * *', lastSuccessAt: local(1, 3, 4) };
  it('is ok all day after a good nightly sync, whatever SYNC_INTERVAL_MINUTES says', () => {
    expect(healthStatus({ ...nightly, now: local(1, 5) })).toBe('ok');
    expect(healthStatus({ ...nightly, now: local(1, 23) })).toBe('ok');
    expect(healthStatus({ ...nightly, intervalMinutes: 0, now: local(2, 2, 59) })).toBe('ok');
  });

  it('is degraded once three nightly runs passed without a good sync', () => {
    expect(healthStatus({ ...nightly, now: local(4, 2, 59) })).toBe('ok');
    expect(healthStatus({ ...nightly, now: local(4, 3, 1) })).toBe('degraded');
    // SYNC_INTERVAL_MINUTES=0 does not switch the check off while a cron schedules syncs.
    expect(healthStatus({ ...nightly, intervalMinutes: 0, now: local(4, 3, 1) })).toBe('degraded');
  });

  it('keeps a weekday-only cron ok over the weekend and on Monday morning', () => {
    const weekdays = { ...base, cron: '0 9 * * 1-5', lastSuccessAt: local(4, 9, 3) }; // Friday
    for (const at of [local(5, 12), local(6, 20), local(7, 8), local(7, 9, 1), local(8, 10)]) {
      expect(healthStatus({ ...weekdays, now: at }), at.toString()).toBe('ok');
    }
    // Monday, Tuesday and Wednesday missed.
    expect(healthStatus({ ...weekdays, now: local(9, 9, 1) })).toBe('degraded');
  });
});

describe('overdueReason', () => {
  it('says how old the last good sync is and how often one is expected', () => {
    expect(overdueReason(base)).toBeNull();
    expect(overdueReason({ ...base, lastSuccessAt: new Date('2026-06-01T10:00:00Z') })).toBe('last good sync 2 h ago; expected every 15 min');
    expect(overdueReason({ ...base, lastSuccessAt: new Date('2026-05-31T09:00:00Z') })).toBe('last good sync 27 h ago; expected every 15 min');
    expect(overdueReason({ ...base, cron: '0 3 * * *', lastSuccessAt: local(1, 3), now: local(5, 3) })).toBe(
      'last good sync 4 d ago; expected every 24 h by SYNC_CRON "0 3 * * *"',
    );
  });

  it('is null when nothing is scheduled or nothing succeeded yet', () => {
    expect(overdueReason({ ...base, intervalMinutes: 0, lastSuccessAt: new Date('2026-01-01T00:00:00Z') })).toBeNull();
    expect(overdueReason({ ...base, lastSuccessAt: null })).toBeNull();
  });
});
