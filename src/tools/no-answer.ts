import { postgresLocation } from '../db/connection.js';
import { settledWithin } from '../deadline.js';
import { NoAnswerError } from '../errors.js';
import { ANSWER_DEADLINE_MS, type ToolDeps } from './define-tool.js';

/**
 * `work`'s result, or a NoAnswerError once `limitMs` (ANSWER_DEADLINE_MS unless said) has passed:
 * most often a database that stopped answering without closing the connection. Given up, the work
 * may still finish or fail later; its outcome is taken so that a late failure is not "unhandled".
 */
export async function answeredInTime<T>(deps: ToolDeps, work: Promise<T>, o: { limitMs?: number; readOnly: boolean }): Promise<T> {
  const limitMs = o.limitMs ?? deps.answerDeadlineMs ?? ANSWER_DEADLINE_MS;
  if (!(await settledWithin(work, limitMs))) throw noAnswer(deps, limitMs, o.readOnly);
  return work;
}

function noAnswer(deps: ToolDeps, limitMs: number, readOnly: boolean): NoAnswerError {
  const target = deps.config.database;
  const where = target.kind === 'postgres' ? `the PostgreSQL database at ${postgresLocation(target.url)}` : target.kind === 'memory' ? 'the in-memory database' : `the embedded database in ${target.dataDir}`;
  return new NoAnswerError(
    `No answer within ${Math.round(limitMs / 1000)} s: ${where} did not reply in time, so this call was given up.${readOnly ? '' : ' What it asked to change may still be applied once the database replies.'}`,
    'Ask again in a minute. If it keeps happening, the database may be paused or overloaded, or the network to it may have dropped; npx medtainer-mcp doctor checks the connection.',
  );
}

/**
 * A resource or prompt handler that answers by the deadline too. Its failure reaches the client
 * as a protocol error, which carries one message: the next step goes in it.
 */
export function readInTime<A extends unknown[], R>(deps: ToolDeps, handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await answeredInTime(deps, handler(...args), { readOnly: true });
    } catch (err) {
      if (err instanceof NoAnswerError) throw new Error(`${err.message} ${err.hint}`);
      throw err;
    }
  };
}
