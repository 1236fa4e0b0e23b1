import { describe, expect, it } from 'vitest';
import { healthStatus } from '../../src/sync/health.js';

const now = new Date('2026-06-01T12:00:00Z');
const base = { lastSuccessAt: new Date('2026-06-01T11:50:00Z'), anyRunFinished: true, consecutiveFailures: 0, intervalMinutes: 15, now };

describe('healthStatus', () => {
  it('grades the sync', () => {
    expect(healthStatus({ ...base, anyRunFinished: false, lastSuccessAt: null })).toBe('never_synced');
    expect(healthStatus(base)).toBe('ok');
    expect(healthStatus({ ...base, consecutiveFailures: 1 })).toBe('degraded');
    expect(healthStatus({ ...base, consecutiveFailures: 3 })).toBe('failing');
    expect(healthStatus({ ...base, lastSuccessAt: new Date('2026-06-01T10:00:00Z') })).toBe('degraded');
    expect(healthStatus({ ...base, lastSuccessAt: new Date('2026-05-01T10:00:00Z'), intervalMinutes: 0 })).toBe('ok');
    expect(healthStatus({ ...base, lastSuccessAt: null, consecutiveFailures: 2 })).toBe('degraded');
  });
});
