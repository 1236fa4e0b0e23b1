import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger, type LogLevel, silentLogger } from '../src/logger.js';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CREATE_DATA_DIR_COMMAND } from '../src/cli/usage.js';
import { runOldSystem } from './old-system.js';
import { storagePerContact } from './storage.js';

/** CPU time all cores have spent busy since boot (Linux /proc/stat), or null elsewhere. */
function machineCpuMs(): number | null {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number) as number[];
    return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

// One measured scenario in a fresh process (so peak RSS is this scenario's own):
//   node dist/bench/sync-scenario.js <engine: postgres|pglite> <fake JSON> <adminUrl> [old]
const [engine, fakeJson, adminUrl, old] = process.argv.slice(2) as [string, string, string, string | undefined];
const fake = JSON.parse(fakeJson) as { url: string; v1Url: string; locationId: string; tokens: { v1: string; v2: string } };

const dbName = `medtainer_bench_${randomBytes(4).toString('hex')}`;
let dataDir: string | null = null;
let databaseUrl: string | undefined;
if (engine === 'postgres') {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  databaseUrl = u.toString();
} else dataDir = mkdtempSync(path.join(os.tmpdir(), 'medtainer-bench-'));

const config = loadConfig(
  {
    GOHIGHLEVEL_API_KEY: fake.tokens.v2,
    GOHIGHLEVEL_LOCATION_ID: fake.locationId,
    GOHIGHLEVEL_BASE_URL: fake.url,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { MEDTAINER_DATA_DIR: path.join(dataDir!, 'brain') }),
    SYNC_ON_START: 'false',
  },
  { platform: process.platform, homedir: os.homedir() },
);
// BENCH_LOG=debug|info shows the sync's own log on stderr.
const logLevel = process.env.BENCH_LOG as LogLevel | undefined;
const log = logLevel ? createLogger({ level: logLevel, write: (line) => void process.stderr.write(line) }) : silentLogger;
// A new embedded data directory is created the way the server creates it: by the built program in a child process.
const runtime = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'runtime', 'medtainer-mcp.js');
const initializeDataDir = (dir: string) =>
  new Promise<void>((resolve, reject) =>
    spawn(process.execPath, [runtime, CREATE_DATA_DIR_COMMAND, dir], { stdio: 'inherit' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb exited ${code}`)))),
  );
const app = createApp(config, log, { holder: 'bench', initializeDataDir });
const result: Record<string, unknown> = { engine };
try {
  const db = (await app.database()).db;
  if (old) {
    const t0 = performance.now();
    const r = await runOldSystem(db, fake.v1Url, fake.tokens.v1);
    result.old = { wall_ms: Math.round(performance.now() - t0), ...r };
  } else {
    // Peak RSS while the sync runs (the lifetime peak also holds PGlite's first-start initdb).
    let syncPeak = 0;
    let atPeak = null as NodeJS.MemoryUsage | null;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > syncPeak) [syncPeak, atPeak] = [m.rss, m];
    }, 50);
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpuMs();
    const t0 = performance.now();
    let contactsDoneMs = 0;
    const handle = await app.sync.start('cli', 'full');
    const timeline: string[] = [];
    handle.onProgress((p) => {
      const at = performance.now() - t0;
      if (timeline.length < Math.floor(at / 1000)) timeline.push(`${Math.floor(at / 1000)}s:${p.fetched}`);
      // The pass's last word comes once its contacts are written, indexed and searchable.
      if (p.total && p.fetched >= p.total) contactsDoneMs = at;
    });
    const full = await handle.done;
    const fullMs = performance.now() - t0;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    result.sync_cpu_ms = Math.round((cpu.user + cpu.system) / 1000);
    // Every process on the machine (this one, the database server, the fake GHL, anything else).
    result.machine_cpu_ms = machine0 === null ? null : machineCpuMs()! - machine0;
    result.sync_peak_rss_mb = Math.round(syncPeak / 1024 / 1024);
    const mb = (n: number | undefined) => Math.round((n ?? 0) / 1024 / 1024);
    result.at_peak = atPeak && { heap_used_mb: mb(atPeak.heapUsed), heap_total_mb: mb(atPeak.heapTotal), external_mb: mb(atPeak.external), array_buffers_mb: mb(atPeak.arrayBuffers) };
    const t1 = performance.now();
    const idle = await (await app.sync.start('cli', 'auto')).done;
    const idleMs = performance.now() - t1;
    const storage = await storagePerContact(db);
    if (process.env.BENCH_TIMELINE) process.stderr.write(`written by second: ${timeline.join(' ')}\n`);
    result.full = { status: full.status, wall_ms: Math.round(fullMs), contacts_pass_ms: Math.round(contactsDoneMs || fullMs), fetched: full.contacts_fetched, created: full.contacts_created, requests: full.api_requests, rate_limited: full.rate_limited, error: full.error };
    result.idle = { status: idle.status, mode: idle.mode, wall_ms: Math.round(idleMs), requests: idle.api_requests, unchanged: idle.contacts_unchanged };
    result.bytes_per_contact = storage.total;
    result.bytes_by_table = storage.byTable;
  }
  result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
} finally {
  await app.close();
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
