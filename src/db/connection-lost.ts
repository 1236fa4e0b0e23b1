import { setTimeout as sleep } from 'node:timers/promises';

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * What node-postgres says when a connection ends under it, and Kysely when it goes on using a
 * connection whose rollback failed that way ("has been discarded").
 */
const LOST_MESSAGE = /Connection terminated|connection closed|not queryable|connection has been discarded/i;

/**
 * True when an error says the connection to the database went away (or could not be made), as
 * opposed to the database refusing a statement: the same work on a new connection may succeed.
 */
export function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (the server terminating the session: a restart, pg_terminate_backend).
  return CONNECTION_ERRORS.has(e?.code ?? '') || /^(08...|57P0[123])$/.test(e?.code ?? '') || LOST_MESSAGE.test(e?.message ?? '') || /Too many connections/i.test(e?.message ?? '');
}

/** The same, for an error known only by its message (a failed run's recorded error). */
export function saysConnectionLost(message: string | null | undefined): boolean {
  return /\b(?:EPIPE|ECONNRESET)\b/.test(message ?? '') || LOST_MESSAGE.test(message ?? '');
}

/** Runs `work`, and once more if its connection was lost (a new connection may well succeed). */
export async function onceMoreIfConnectionLost<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!isConnectionLost(err)) throw err;
    return work();
  }
}

/**
 * Runs a read, again on a new connection if the one it had was ended under it (a server restart,
 * an administrator ending sessions): reads are safe to repeat. The pool may still hold other ended
 * connections for a moment (it drops each as it hears of its end), hence a short pause and a third
 * try. A database that cannot be reached at all is not tried again: each try could cost a whole
 * connect timeout.
 */
export async function readAgainIfConnectionEnded<T>(read: () => Promise<T>): Promise<T> {
  const unreachable = (err: unknown) => ['ECONNREFUSED', 'ETIMEDOUT', 'ENOENT'].includes((err as { code?: string } | null)?.code ?? '') || /timeout|Too many connections/i.test((err as Error)?.message ?? '');
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt === 3 || !isConnectionLost(err) || unreachable(err)) throw err;
      await sleep(100 * attempt);
    }
  }
}
