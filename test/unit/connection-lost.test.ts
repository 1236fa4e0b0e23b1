import { describe, expect, it } from 'vitest';
import { isConnectionLost, saysConnectionLost } from '../../src/db/connection-lost.js';

describe('isConnectionLost', () => {
  it('knows a connection that went away from a statement the database refused', () => {
    const lost = [
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      // Kysely, after a rollback failed on a connection that went away.
      new Error('Postgres connection has been discarded'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
    ];
    for (const err of lost) expect(isConnectionLost(err), err.message).toBe(true);
    const refused = [
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
      Object.assign(new Error('relation "contacts" does not exist'), { code: '42P01' }),
      new Error('invalid input syntax for type json'),
      null,
      undefined,
    ];
    for (const err of refused) expect(isConnectionLost(err), String(err)).toBe(false);
  });

  it('reads a recorded error message the same way', () => {
    expect(saysConnectionLost('write EPIPE')).toBe(true);
    expect(saysConnectionLost('Postgres connection has been discarded')).toBe(true);
    expect(saysConnectionLost('GHL answered 503')).toBe(false);
    expect(saysConnectionLost(null)).toBe(false);
  });
});
