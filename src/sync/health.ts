import { describePeriod, describeSpan, plannedRunsBefore } from '../scheduler.js';

export type HealthStatus = 'ok' | 'degraded' | 'failing' | 'never_synced';

export interface HealthInput {
  lastSuccessAt: Date | null;
  anyRunFinished: boolean;
  consecutiveFailures: number;
  /** The schedule in effect: SYNC_CRON when set, else every SYNC_INTERVAL_MINUTES (0 and no cron: off). */
  intervalMinutes: number;
  cron: string | null;
  now: Date;
  /** No sync can run in this server (GoHighLevel not configured): nothing will refresh the brain. */
  syncUnavailable?: boolean;
}

// Planned runs that pass without a good sync before the brain reads stale: a long run makes the
// schedule skip ticks, and a laptop sleeps through some. Counting the schedule's own runs, not a
// multiple of a period, keeps a weekday-only cron healthy on Monday morning; for an interval it is
// the same as three intervals.
const MISSED_RUNS = 3;

/**
 * Three failures in a row is failing; one, a last success older than three planned runs, or a
 * server that cannot sync at all (its brain only ages from here), is degraded.
 */
export function healthStatus(h: HealthInput): HealthStatus {
  if (!h.anyRunFinished) return 'never_synced';
  if (h.consecutiveFailures >= 3) return 'failing';
  if (h.consecutiveFailures > 0 || !h.lastSuccessAt || h.syncUnavailable) return 'degraded';
  return overdueReason(h) ? 'degraded' : 'ok';
}

/**
 * Why the last good sync is overdue ("last good sync 3 d ago; expected every 24 h by SYNC_CRON …"),
 * or null when it is not, or when nothing is scheduled.
 */
export function overdueReason(h: Pick<HealthInput, 'lastSuccessAt' | 'intervalMinutes' | 'cron' | 'now'>): string | null {
  if (!h.lastSuccessAt) return null;
  const planned = plannedRunsBefore(h.intervalMinutes, h.cron, h.now, MISSED_RUNS);
  const oldest = planned[MISSED_RUNS - 1];
  if (!oldest || h.lastSuccessAt.getTime() >= oldest.getTime()) return null;
  return `last good sync ${describeSpan(h.now.getTime() - h.lastSuccessAt.getTime())} ago; expected ${describePeriod(h.intervalMinutes, h.cron, h.now)}`;
}
