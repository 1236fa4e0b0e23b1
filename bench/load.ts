import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
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

// npm run bench:load -- [--contacts 100000] [--indexes deferred|kept]
// Where a first import's CPU goes, without the network: writes generated contacts page by page
// (500, one writer) into a fresh PostgreSQL database and prints the CPU of this process and of
// its database backend (read from /proc, so Linux only), in total and statement by statement.
const count = Number(benchArg('contacts', '100000'));
const indexes = benchArg('indexes', 'deferred');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** CPU time (ms) a process has used: utime + stime from /proc/<pid>/stat, in 10 ms ticks. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// Each statement's backend CPU, keyed by its first words. Tick-sized readings, so only sums over
// many statements mean anything.
const perStatement = new Map<string, number>();
let measuredPid = 0;
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => Promise<unknown>;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  if (!measuredPid || typeof args.at(-1) === 'function') return clientQuery.apply(this, args);
  const first = args[0] as string | { text?: string };
  const key = (typeof first === 'string' ? first : (first.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 60);
  const pid = measuredPid;
  const before = cpuMsOf(pid);
  return clientQuery.apply(this, args).then((result) => {
    perStatement.set(key, (perStatement.get(key) ?? 0) + cpuMsOf(pid) - before);
    return result;
  });
};

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const name = `medtainer_load_${randomBytes(4).toString('hex')}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
// One connection, so one backend does all the work and its CPU is the database's.
const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
// pool.end() resolves before its connection has closed, so the DROP ... WITH (FORCE) at the end can
// still terminate it; that connection's error is expected, not a reason to crash.
pool.on('error', () => {});
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
try {
  await migrateToLatest(db, silentLogger);
  const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid;
  const generated = generateContacts({ count, seed: 7 });
  const pages: Buffer[] = [];
  for (let i = 0; i < count; i += 500) pages.push(Buffer.from(JSON.stringify({ contacts: generated.slice(i, i + 500).map((c) => v2SearchContact(c, c.dateAdded)) })));

  const dbBefore = cpuMsOf(pid);
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  measuredPid = pid;
  if (indexes === 'deferred') await dropIndexesForImport(db);
  const knownTerms = new Set<string>();
  // As a sync writes a v2 page: parsed for the typed columns, the records stored from its bytes.
  for (const bytes of pages) {
    const page = parseSearchPage(bytes);
    const mapped = page.contacts.map((c, i) => ({ ...mapContact(c, 'L'), position: page.positions[i] }));
    await applyContactPage(db, mapped, { runId: null, recordCreations: false, knownTerms, page: pageSource(bytes) });
  }
  await analyzeTables(db, (await buildIndexesAfterImport(db, silentLogger, { indexesFrom: 0 })).filled);
  measuredPid = 0;
  const wallMs = performance.now() - started;
  const node = process.cpuUsage(nodeBefore);
  const dbMs = cpuMsOf(pid) - dbBefore;
  const storage = await storagePerContact(db);
  const perContact = (ms: number) => `${Math.round((ms * 1000) / count)} µs/contact`;
  console.log(
    `bench:load — ${count} contacts, indexes ${indexes}: ${(wallMs / 1000).toFixed(1)} s; CPU of this process ${((node.user + node.system) / 1e6).toFixed(1)} s ` +
      `(${perContact((node.user + node.system) / 1000)}), of the database ${(dbMs / 1000).toFixed(1)} s (${perContact(dbMs)}); ${storage.total} B/contact`,
  );
  console.log('database CPU by statement:');
  for (const [key, ms] of [...perStatement].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms > 0)) console.log(`${String(ms).padStart(8)} ms  ${perContact(ms).padStart(16)}  ${key}`);
} finally {
  measuredPid = 0;
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
