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
