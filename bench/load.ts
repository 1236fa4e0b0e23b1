import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { copyNewContacts, prepareCopy } from '../src/db/contact-copy.repository.js';
import { applyContactPage, pageSource } from '../src/db/contact-sync.repository.js';
import type { Database } from '../src/db/database.js';
import { analyzeTables, buildIndexesAfterImport, dropIndexesForImport } from '../src/db/import-indexes.repository.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { generateContacts } from '../src/fake-ghl/generator.js';
import { v2SearchContact } from '../src/fake-ghl/shapes.js';
import { parseSearchPage } from '../src/ghl/v2.js';
import { silentLogger } from '../src/logger.js';
import { mapContact } from '../src/sync/map-contact.js';
import { benchArg } from './args.js';
import { storagePerContact } from './storage.js';

// npm run bench:load -- [--contacts 100000] [--indexes deferred|kept] [--writers 2] [--write merge|copy]
// Where a large pass's CPU goes, without the network: writes generated contacts page by page
// (500, by two writers as a sync does on PostgreSQL) into a fresh PostgreSQL database and prints
// the CPU of this process and of its database backends (read from /proc, so Linux only), in total
// and statement by statement. `--write merge` (the default) upserts each page, as every pass does
// but a first import into a PostgreSQL server; `--write copy` writes as that first import does.
// One writer reads differently: a saving that shows with one writer may vanish with two (fresh
// memory and page faults weigh differently), so compare with --writers 2.
const count = Number(benchArg('contacts', '100000'));
const indexes = benchArg('indexes', 'deferred');
const writers = Number(benchArg('writers', '2'));
if (!Number.isInteger(writers) || writers < 1) throw new Error('--writers takes a whole number, at least 1');
const write = benchArg('write', 'merge');
if (write !== 'merge' && write !== 'copy') throw new Error('--write takes merge or copy');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** CPU time (ms) a process has used: utime + stime from /proc/<pid>/stat, in 10 ms ticks. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// Each statement's CPU in the backend that ran it, keyed by its first words. Tick-sized readings,
// so only sums over many statements mean anything.
const perStatement = new Map<string, number>();
let measuring = false;
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => Promise<unknown>;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client & { processID?: number }, ...args: unknown[]) {
  const pid = this.processID;
  if (!measuring || !pid || typeof args.at(-1) === 'function') return clientQuery.apply(this, args);
  const first = args[0] as string | { text?: string };
  const key = (typeof first === 'string' ? first : (first.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 60);
  const before = cpuMsOf(pid);
  const record = () => perStatement.set(key, (perStatement.get(key) ?? 0) + cpuMsOf(pid) - before);
  const result = clientQuery.apply(this, args) as Promise<unknown> | NodeJS.EventEmitter;
  if ('then' in result)
    return result.then((r) => {
      record();
      return r;
    });
  // A COPY stream says it is done with an event instead.
  result.once('finish', record);
  return result;
};

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const name = `medtainer_load_${randomBytes(4).toString('hex')}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
// One connection per writer: their backends do all the work, so their CPU is the database's.
// idleTimeoutMillis 0: a backend closed while idle would take its CPU figure with it.
const pool = new pg.Pool({ connectionString: url.toString(), max: writers, idleTimeoutMillis: 0 });
// pool.end() resolves before its connection has closed, so the DROP ... WITH (FORCE) at the end can
// still terminate it; that connection's error is expected, not a reason to crash.
pool.on('error', () => {});
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
try {
  await migrateToLatest(db, silentLogger);
  // Every connection the pool will use, opened now so each backend's CPU can be read before and after.
  const clients = await Promise.all(Array.from({ length: writers }, () => pool.connect()));
  const pids = clients.map((c) => (c as pg.PoolClient & { processID: number }).processID);
  for (const c of clients) c.release();
  const databaseCpuMs = () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const generated = generateContacts({ count, seed: 7 });
  const pages: Buffer[] = [];
  for (let i = 0; i < count; i += 500) pages.push(Buffer.from(JSON.stringify({ contacts: generated.slice(i, i + 500).map((c) => v2SearchContact(c, c.dateAdded)) })));

  const dbBefore = databaseCpuMs();
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  measuring = true;
  if (indexes === 'deferred') await dropIndexesForImport(db);
  const knownTerms = new Set<string>();
  // As a sync writes a v2 page: parsed for the typed columns; merged with the records stored from
  // its bytes, or copied (a page COPY hands back is merged, as a sync does).
  const connect = () => pool.connect();
  const read = (bytes: Buffer) => {
    const page = parseSearchPage(bytes);
    return page.contacts.map((c, i) => ({ ...mapContact(c, 'L'), position: page.positions[i] }));
  };
  let next = 0;
  const writer = async () => {
    while (next < pages.length) {
      const bytes = pages[next++]!;
      if (write === 'copy' && (await copyNewContacts(connect, prepareCopy(read(bytes), knownTerms), knownTerms))) continue;
      await applyContactPage(db, read(bytes), { runId: null, recordCreations: false, knownTerms, page: pageSource(bytes) });
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  await analyzeTables(db, (await buildIndexesAfterImport(db, silentLogger, { indexesFrom: 0 })).filled);
  measuring = false;
  const wallMs = performance.now() - started;
  const node = process.cpuUsage(nodeBefore);
  const dbMs = databaseCpuMs() - dbBefore;
  const storage = await storagePerContact(db);
  const perContact = (ms: number) => `${Math.round((ms * 1000) / count)} µs/contact`;
  console.log(
    `bench:load — ${count} contacts, ${writers} writer${writers > 1 ? 's' : ''}, ${write}, indexes ${indexes}: ${(wallMs / 1000).toFixed(1)} s; CPU of this process ${((node.user + node.system) / 1e6).toFixed(1)} s ` +
      `(${perContact((node.user + node.system) / 1000)}), of the database ${(dbMs / 1000).toFixed(1)} s (${perContact(dbMs)}); ${storage.total} B/contact`,
  );
  console.log('database CPU by statement:');
  for (const [key, ms] of [...perStatement].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms > 0)) console.log(`${String(ms).padStart(8)} ms  ${perContact(ms).padStart(16)}  ${key}`);
} finally {
  measuring = false;
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
