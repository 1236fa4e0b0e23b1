import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';

/**
 * `db`, whose first statement (or first insert into `insertInto`) fails the way a dropped
 * connection fails it; its transaction is rolled back. `attempts()` counts the statements that
 * were aimed at (the failed one included).
 */
export function dropConnectionOnce(db: Kysely<Database>, o: { insertInto?: string } = {}): { db: Kysely<Database>; attempts(): number } {
  let attempts = 0;
  const flaky = db.withPlugin({
    transformQuery(args) {
      const node = args.node as { kind: string; into?: { table: { identifier: { name: string } } } };
      const aimed = !o.insertInto || (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === o.insertInto);
      if (aimed && attempts++ === 0) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { db: flaky, attempts: () => attempts };
}
