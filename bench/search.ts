import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { type DbHandle, openDatabase } from '../src/db/connection.js';
import { applyContactPage } from '../src/db/contact-sync.repository.js';
import { buildIndexesAfterImport, dropIndexesForImport } from '../src/db/import-indexes.repository.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createRandom } from '../src/fake-ghl/random.js';
import { generateContacts } from '../src/fake-ghl/generator.js';
import { v2SearchContact } from '../src/fake-ghl/shapes.js';
import type { FakeContact } from '../src/fake-ghl/types.js';
import { parseContacts } from '../src/ghl/parse-contact.js';
import { silentLogger } from '../src/logger.js';
import { mapContact } from '../src/sync/map-contact.js';
import { searchContacts } from '../src/tools/search-contacts.js';
import type { ToolDeps } from '../src/tools/define-tool.js';
import { benchArg } from './args.js';

// npm run bench:search -- [--contacts 100000] [--engines postgres,pglite]
// Loads generated contacts into a fresh brain (PostgreSQL: a throw-away database on 127.0.0.1;
// PGlite: a temp data directory, served the way the product serves it), then times a realistic
// mix of search_contacts requests through the tool's own handler (parsing + SQL), after warm-up.
const N = Number(benchArg('contacts', '100000'));
const engines = benchArg('engines', 'postgres,pglite').split(',');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const now = new Date();

function misspell(word: string, r: ReturnType<typeof createRandom>): string {
  if (word.length < 5) return word;
  const i = r.int(1, word.length - 3);
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

function queries(contacts: FakeContact[]): Array<{ kind: string; query: string }> {
  const r = createRandom(77);
  const named = contacts.filter((c) => c.firstName && c.lastName);
  const out: Array<{ kind: string; query: string }> = [];
  for (let i = 0; i < 60; i++) {
    const c = r.pick(named);
    out.push({ kind: 'full name', query: `${c.firstName} ${c.lastName}` });
  }
  for (let i = 0; i < 30; i++) {
    const c = r.pick(named.filter((x) => x.companyName));
    out.push({ kind: 'name from company', query: `${c.firstName} from ${c.companyName}` });
  }
  for (let i = 0; i < 30; i++) {
    const c = r.pick(named);
    out.push({ kind: 'misspelt name', query: `${misspell(c.firstName!, r)} ${misspell(c.lastName!, r)}` });
  }
  for (let i = 0; i < 20; i++) out.push({ kind: 'first name / prefix', query: r.pick(named).firstName!.slice(0, r.int(4, 8)) });
  for (let i = 0; i < 20; i++) out.push({ kind: 'email', query: r.pick(contacts.filter((c) => c.email)).email! });
  for (let i = 0; i < 20; i++) out.push({ kind: 'phone', query: r.pick(contacts.filter((c) => c.phone)).phone! });
  // A local number: the last seven digits, dashed ("591-6386").
  for (let i = 0; i < 10; i++) {
    const d = r.pick(contacts.filter((c) => c.phone)).phone!.replace(/\D/g, '').slice(-7);
    out.push({ kind: 'phone, last 7 digits', query: `${d.slice(0, 3)}-${d.slice(3)}` });
  }
  for (let i = 0; i < 10; i++) out.push({ kind: 'company', query: `who's at ${r.pick(contacts.filter((c) => c.companyName)).companyName}?` });
  const english = ['my most important contacts', 'recent leads', 'contacts added this week', 'contacts added today', 'leads without email',
    "who haven't I contacted in 30 days?", 'contacts in the cannabis industry', 'who needs follow-up?', 'customers tagged vip', 'new leads in the last 7 days'];
  for (let i = 0; i < 30; i++) out.push({ kind: 'plain-English filters', query: english[i % english.length]! });
  return out;
}

/** Fills the brain the way a first sync does: secondary indexes set aside, then built (or left waiting in a small brain). */
async function load(handle: DbHandle, contacts: FakeContact[]): Promise<number> {
  await dropIndexesForImport(handle.db);
  for (let i = 0; i < contacts.length; i += 500) {
    const page = parseContacts(contacts.slice(i, i + 500).map((c) => JSON.parse(JSON.stringify(v2SearchContact(c, c.dateAdded))))).contacts;
    await applyContactPage(handle.db, page.map((c) => mapContact(c, 'L')), { runId: null, recordCreations: false });
  }
  const { built } = await buildIndexesAfterImport(handle.db, silentLogger);
  await sql`VACUUM (ANALYZE)`.execute(handle.db);
  return built;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

console.log(`bench:search — ${N.toLocaleString('en-US')} contacts, ${os.cpus().length} cores`);
const contacts = generateContacts({ count: N, seed: 5, now: now.getTime() });
const mix = queries(contacts);
for (const engine of engines) {
  const name = `medtainer_bench_${randomBytes(4).toString('hex')}`;
  const dir = engine === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'medtainer-search-')) : null;
  if (!dir) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase(dir ? { kind: 'pglite', dataDir: path.join(dir, 'brain') } : { kind: 'postgres', url: url.toString() }, silentLogger);
  try {
    await migrateToLatest(handle.db, silentLogger);
    const t0 = performance.now();
    const indexesBuilt = await load(handle, contacts);
    const loadMs = performance.now() - t0;
    const deps: ToolDeps = { db: async () => handle.db, dbKind: () => handle.kind, config: loadConfig({}, { platform: 'linux', homedir: '/tmp' }), log: silentLogger, now: () => now };
    const ctx = { progress: async () => {}, signal: new AbortController().signal };
    const run = async (query: string) => searchContacts.handler(searchContacts.inputSchema.parse({ query }), deps, ctx);
    for (const q of mix.slice(0, 25)) await run(q.query);
    const times = new Map<string, number[]>();
    const each: Array<{ query: string; ms: number; total: number }> = [];
    let empty = 0;
    for (const q of mix) {
      const t = performance.now();
      const out = await run(q.query);
      const ms = performance.now() - t;
      if (out.total === 0) empty += 1;
      times.set(q.kind, [...(times.get(q.kind) ?? []), ms]);
      each.push({ query: q.query, ms, total: out.total });
    }
    const allMs = [...times.values()].flat();
    console.log(`\n${engine}: loaded in ${(loadMs / 1000).toFixed(1)} s (${indexesBuilt ? `${indexesBuilt} secondary indexes built` : 'secondary indexes waiting: a small brain'}); ${allMs.length} queries, p50 ${pct(allMs, 50).toFixed(1)} ms, p95 ${pct(allMs, 95).toFixed(1)} ms, max ${Math.max(...allMs).toFixed(1)} ms (bar p95 ≤ ${engine === 'postgres' ? 15 : 40} ms); ${empty} found nothing`);
    for (const [kind, xs] of times) console.log(`  ${kind.padEnd(24)} n=${String(xs.length).padStart(3)}  p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms  p95 ${pct(xs, 95).toFixed(1).padStart(6)} ms`);
    const nothing = [...new Set(each.filter((x) => x.total === 0).map((x) => `"${x.query}"`))];
    if (nothing.length) console.log(`  found nothing: ${nothing.join(', ')}`);
    const slowest = each.sort((a, b) => b.ms - a.ms).slice(0, 12);
    console.log(`  slowest: ${slowest.map((x) => `"${x.query}" ${x.ms.toFixed(1)} ms (${x.total} found)`).join('; ')}`);
  } finally {
    await handle.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    else {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
}
