const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * True when an error says the connection to the database went away (or could not be made), as
 * opposed to the database refusing a statement: the same work on a new connection may succeed.
 */
export function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return CONNECTION_ERRORS.has(e?.code ?? '') || /Connection terminated|Too many connections|connection closed|not queryable/i.test(e?.message ?? '');
}
