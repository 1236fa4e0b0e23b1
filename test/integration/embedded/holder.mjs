// A separate process that opens the embedded database and keeps it: owner or client, whichever it gets.
// Usage: node holder.mjs <dataDir> <rowsToInsert>; prints "ready <role>" once its rows are committed.
import pg from 'pg';
import { openEmbedded } from '../../../dist/src/db/embedded/index.js';

const [dataDir, rows] = process.argv.slice(2);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const db = await openEmbedded({ dataDir, log: quiet });
const client = await db.pool.connect();
await client.query('CREATE TABLE IF NOT EXISTS t (id text PRIMARY KEY, who int)');
await client.query(`INSERT INTO t SELECT 'p${process.pid}-' || g, ${process.pid} FROM generate_series(1, ${Number(rows)}) g`);
client.release();
process.stdout.write(`ready ${db.role()}\n`);
process.stdin.on('end', async () => {
  await db.close();
  process.exit(0);
});
void pg;
