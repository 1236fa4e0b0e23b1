import { describe, expect, it } from 'vitest';
import { plannedNextRun, scheduleFor } from '../../src/scheduler.js';

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
