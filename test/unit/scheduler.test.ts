import { describe, expect, it } from 'vitest';
import { scheduleFor } from '../../src/scheduler.js';

describe('scheduleFor', () => {
  it('turns an interval into a croner pattern', () => {
    expect(scheduleFor(15, null)).toEqual({ pattern: '*/15 * * * *' });
    expect(scheduleFor(120, null)).toEqual({ pattern: '0 */2 * * *' });
    expect(scheduleFor(45, null)).toEqual({ pattern: '* * * * *', minSeconds: 2700 });
    expect(scheduleFor(0, null)).toBeNull();
    expect(scheduleFor(15, '*/5 * * * * *')).toEqual({ pattern: '*/5 * * * * *' });
  });
});
