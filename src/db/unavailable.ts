import type { Config } from '../config.js';
import { DatabaseUnavailableError } from '../errors.js';
import { redact } from '../redact.js';
import { postgresLocation, postgresSecrets } from './connection.js';

/**
 * Why the brain did not open (or stopped answering, when `lost`), where it was looked for (no
 * password), and what to check.
 */
export function databaseUnavailable(target: Config['database'], err: unknown, o: { lost?: boolean } = {}): DatabaseUnavailableError {
  const cause = redact(describeThrown(err), target.kind === 'postgres' ? postgresSecrets(target.url) : []);
  if (target.kind === 'postgres' && tooManyConnections(err)) {
    // The server is up and refuses one more session: nothing about DATABASE_URL is wrong.
    return new DatabaseUnavailableError(
      `The PostgreSQL server at ${postgresLocation(target.url)} refused another connection: ${cause}.`,
      "Allow this role more connections (ALTER ROLE … CONNECTION LIMIT, or the server's max_connections): medtainer-mcp uses up to 8 at once (a first import uses them all). Then ask again",
    );
  }
  if (target.kind === 'postgres') {
    return new DatabaseUnavailableError(
      `${o.lost ? 'Lost the connection to' : 'Cannot open'} the database at ${postgresLocation(target.url)}: ${cause}.`,
      o.lost
        ? 'Ask again: the server or the network dropped the connection (a restart, sessions ended by an administrator). If it keeps happening, check DATABASE_URL and that the PostgreSQL server is running'
        : 'Check DATABASE_URL (host, port, user, password, database name) and that the PostgreSQL server is running',
    );
  }
  const where = target.kind === 'memory' ? 'in memory' : `in ${target.dataDir}`;
  if (o.lost) {
    return new DatabaseUnavailableError(
      `Lost the connection to the embedded database ${where}: ${cause}.`,
      'Ask again: the process sharing the database may have just quit, and another takes it over within seconds',
    );
  }
  return new DatabaseUnavailableError(`Cannot open the embedded database ${where}: ${cause}.`, 'Check that MEDTAINER_DATA_DIR names a folder of its own (new or empty on first use) that this user can write to');
}

/** too_many_connections (53300): the server's or the role's connection limit. */
function tooManyConnections(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '53300' || /too many connections/i.test(typeof e?.message === 'string' ? e.message : '');
}

/** What was thrown, in words: the embedded engine throws plain objects (e.g. { errno: 44 }) too. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null) {
    const e = err as { message?: unknown; code?: unknown; errno?: unknown; name?: unknown };
    const words = [e.name, e.message, e.code, e.errno !== undefined ? `errno ${String(e.errno)}` : undefined].filter((w) => typeof w === 'string' || typeof w === 'number');
    if (words.length) return words.join(': ');
    return JSON.stringify(err) ?? String(err);
  }
  return String(err);
}
