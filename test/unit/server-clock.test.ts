import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../src/ghl/server-clock.js';

describe('GoHighLevel\'s clock from its Date headers', () => {
  it('knows nothing before a dated answer, then gives GHL\'s time for a local time', () => {
    const clock = new ServerClock();
    expect(clock.at(1_000_000)).toBeNull();
    clock.observe(new Headers({ date: 'Mon, 30 Nov 2026 12:00:00 GMT' }), Date.parse('2026-11-30T12:10:00.400Z'));
    expect(clock.offset).toBe(-600_400);
    expect(clock.at(Date.parse('2026-11-30T12:10:00.000Z'))?.toISOString()).toBe('2026-11-30T11:59:59.600Z');
  });

  it('ignores answers without a readable Date and keeps what it knew', () => {
    const clock = new ServerClock();
    clock.observe(new Headers({ date: 'yesterday-ish' }), 0);
    clock.observe(new Headers(), 0);
    expect(clock.offset).toBeNull();
    clock.observe(new Headers({ date: 'Thu, 01 Jan 1970 00:00:05 GMT' }), 1_000);
    clock.observe(new Headers({ date: 'garbage' }), 1_000);
    expect(clock.offset).toBe(4_000);
  });
});
