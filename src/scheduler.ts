import { Cron } from 'croner';
import type { Logger } from './logger.js';

export interface Scheduler {
  nextRunAt(): Date | null;
  stop(): void;
}

export interface ScheduleOptions {
  intervalMinutes: number;
  cron: string | null;
  run(): Promise<unknown>;
  log: Logger;
}

/** A croner pattern for "every N minutes", or null when the schedule is off. */
export function scheduleFor(intervalMinutes: number, cron: string | null): { pattern: string; minSeconds?: number } | null {
  if (cron) return { pattern: cron };
  const n = intervalMinutes;
  if (n <= 0) return null;
  if (n < 60 && 60 % n === 0) return { pattern: `*/${n} * * * *` };
  if (n % 60 === 0 && 24 % (n / 60) === 0) return { pattern: `0 */${n / 60} * * *` };
  // Periods that do not divide an hour or a day: tick every minute, at least N minutes apart.
  return { pattern: '* * * * *', minSeconds: n * 60 };
}

/**
 * When a server with this schedule syncs next, for a process that does not run the schedule itself
 * (the command line): the patterns are wall-clock times, so every server with the same settings
 * ticks at the same moments. A period that divides neither an hour nor a day counts from the last
 * good sync instead. Null when the schedule is off.
 */
export function plannedNextRun(intervalMinutes: number, cron: string | null, lastSuccessAt: Date | null, now: Date): Date | null {
  const schedule = scheduleFor(intervalMinutes, cron);
  if (!schedule) return null;
  if (schedule.minSeconds) {
    const due = lastSuccessAt ? lastSuccessAt.getTime() + schedule.minSeconds * 1000 : now.getTime();
    return new Date(Math.max(due, now.getTime()));
  }
  return new Cron(schedule.pattern, { paused: true }).nextRun(now);
}

/**
 * The syncs this schedule planned up to `now`, latest first, `count` of them at most. A cron's are its
 * own runs. An interval's are one every N minutes back from now: its spacing is what it promises (a
 * period that divides neither an hour nor a day has no fixed ticks at all). Empty when the schedule is off.
 */
export function plannedRunsBefore(intervalMinutes: number, cron: string | null, now: Date, count: number): Date[] {
  if (cron) return new Cron(cron, { paused: true }).previousRuns(count, now);
  if (intervalMinutes <= 0) return [];
  return Array.from({ length: count }, (_, i) => new Date(now.getTime() - (i + 1) * intervalMinutes * 60_000));
}

/**
 * How often the schedule syncs, in words: "every 15 min", or for a cron the gap between its next two
 * runs and the pattern itself (a weekday-only cron is "every 24 h" with its weekends in the pattern).
 * Null when the schedule is off.
 */
export function describePeriod(intervalMinutes: number, cron: string | null, now: Date): string | null {
  if (cron) {
    const [a, b] = new Cron(cron, { paused: true }).nextRuns(2, now);
    return a && b ? `every ${describeSpan(b.getTime() - a.getTime())} by SYNC_CRON "${cron}"` : `by SYNC_CRON "${cron}"`;
  }
  return intervalMinutes > 0 ? `every ${describeSpan(intervalMinutes * 60_000)}` : null;
}

/** A length of time the way a person says it: "45 s", "90 min", "3 h", "2 d". */
export function describeSpan(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

/**
 * Whether a starting server should sync now: when its last good sync is older than the latest run the
 * schedule planned (for an interval, older than the interval). A restart between two planned runs of a
 * nightly or weekday cron then leaves the brain as the schedule keeps it. With the schedule off, a start
 * syncs unless a sync finished in the last minute.
 */
export function syncDueAtStart(intervalMinutes: number, cron: string | null, lastSuccessAt: Date | null, now: Date): boolean {
  if (!lastSuccessAt) return true;
  const [planned] = plannedRunsBefore(intervalMinutes, cron, now, 1);
  const since = planned ?? new Date(now.getTime() - 60_000);
  return lastSuccessAt.getTime() <= since.getTime();
}

/**
 * The periodic sync. `protect` skips a tick while the previous run is still going; `catch` keeps
 * one failure from killing the job; `unref` lets the process exit when the client goes away.
 */
export function startScheduler(o: ScheduleOptions): Scheduler | null {
  const schedule = scheduleFor(o.intervalMinutes, o.cron);
  if (!schedule) {
    o.log.info('scheduled sync is off (SYNC_INTERVAL_MINUTES=0)');
    return null;
  }
  const job = new Cron(
    schedule.pattern,
    {
      name: 'medtainer-sync',
      protect: true,
      unref: true,
      ...(schedule.minSeconds ? { interval: schedule.minSeconds } : {}),
      catch: (err) => o.log.error('scheduled sync crashed', { error: err instanceof Error ? err.message : String(err) }),
    },
    async () => {
      await o.run();
    },
  );
  o.log.info(`scheduled sync: ${schedule.pattern}${schedule.minSeconds ? ` (every ${schedule.minSeconds / 60} min)` : ''}, next at ${job.nextRun()?.toISOString() ?? 'never'}`);
  const ticks = new Cron(schedule.pattern, { paused: true });
  const nextRunAt = (): Date | null => {
    // Croner counts an interval from the reference it is given (now, when none is), so ask from the
    // run in progress or last started, as croner itself does. A tick that a long run made it skip lies
    // in the past: the job then fires at the pattern's next tick.
    const next = job.nextRun(job.currentRun() ?? undefined);
    return next && next.getTime() < Date.now() ? ticks.nextRun() : next;
  };
  return { nextRunAt, stop: () => job.stop() };
}
