// Set before any date is made: an evening in California is already tomorrow in UTC.
process.env.TZ = 'America/Los_Angeles';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../src/local-date.js';

describe('localDate', () => {
  it('names the day of the server\'s time zone, not UTC\'s', () => {
    // Monday 30 November 2026, 18:30 in Los Angeles.
    expect(localDate(new Date('2026-12-01T02:30:00Z'))).toBe('2026-11-30');
    expect(localDate(new Date('2026-12-01T09:00:00Z'))).toBe('2026-12-01');
  });
});
