import { describe, expect, it } from 'vitest';
import { describeSkew, ServerClock } from '../../src/ghl/server-clock.js';

const dated = (date: string) => new Headers({ date });

describe('GoHighLevel\'s clock from its Date headers', () => {
  it('gives the earliest time GHL answered with while a window was open, whatever this machine\'s clock does', () => {
    const clock = new ServerClock();
    clock.observe(dated('Mon, 30 Nov 2026 11:00:00 GMT')); // before the window: not counted
    const run = clock.open();
    expect(run.earliest()).toBeNull();
    clock.observe(dated('Mon, 30 Nov 2026 12:00:05 GMT'), Date.parse('2026-11-30T12:10:05Z'));
    clock.observe(dated('Mon, 30 Nov 2026 12:00:03 GMT'), Date.parse('2026-11-30T11:00:00Z')); // an older answer, a clock stepped back
    clock.observe(dated('Mon, 30 Nov 2026 12:00:09 GMT'));
    expect(run.earliest()?.toISOString()).toBe('2026-11-30T12:00:03.000Z');
    run.close();
    clock.observe(dated('Mon, 30 Nov 2026 09:00:00 GMT'));
    expect(run.earliest()?.toISOString()).toBe('2026-11-30T12:00:03.000Z');
  });

  it('ignores answers without a readable Date', () => {
    const clock = new ServerClock();
    const run = clock.open();
    clock.observe(dated('yesterday-ish'), 0);
    clock.observe(new Headers(), 0);
    expect(clock.offset).toBeNull();
    expect(run.earliest()).toBeNull();
    clock.observe(dated('Thu, 01 Jan 1970 00:00:05 GMT'), 1_000);
    clock.observe(dated('garbage'), 1_000);
    expect(clock.offset).toBe(4_000);
    expect(run.earliest()?.getTime()).toBe(5_000);
  });

  it('words a skew over a minute for a person, and stays quiet below', () => {
    expect(describeSkew(null)).toBeNull();
    expect(describeSkew(-59_000)).toBeNull();
    expect(describeSkew(-600_400)).toBe('this machine\'s clock is 10 min ahead of GoHighLevel\'s');
    expect(describeSkew(125_000)).toBe('this machine\'s clock is 2 min behind GoHighLevel\'s');
  });
});
