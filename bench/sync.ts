import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArg } from './args.js';

// npm run bench:sync -- [--contacts 1206,100000] [--latency 200] [--rate-limit 100] [--engines postgres,pglite] [--no-old]
// Measures full and idle syncs against the fake GHL (own process, 200 ms latency, 100 requests / 10 s),
// each scenario in a fresh process, plus the previous system's way as a baseline. A rate limit far
// above GHL's (e.g. --rate-limit 100000) shows what the sync itself can do, with no window to wait for.
const here = path.dirname(fileURLToPath(import.meta.url));
const sizes = benchArg('contacts', '1206,100000').split(',').map(Number);
const latency = Number(benchArg('latency', '200'));
/** Requests per 10 s window, as GHL's burst limit (100) counts them. */
const rateLimit = Number(benchArg('rate-limit', '100'));
if (!Number.isInteger(rateLimit) || rateLimit < 1) throw new Error('--rate-limit takes a whole number of requests per 10 s, at least 1');
const engines = benchArg('engines', 'postgres,pglite').split(',');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const withOld = !process.argv.includes('--no-old');

function startFake(contacts: number): Promise<{ child: ChildProcess; info: string }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_FAKE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), path.join(here, 'fake-server.js'), String(contacts), String(latency), String(rateLimit)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.once('data', (d: Buffer) => resolve({ child, info: d.toString().trim() })));
}

/** Sends a command to the fake's process and reads its one-line JSON answer. */
function ask(child: ChildProcess, command: string): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().trim().split('\n')[0]!)));
    child.stdin!.write(`${command}\n`);
  });
}

function runScenario(args: string[]): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles each scenario process.
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, path.join(here, 'sync-scenario.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`scenario ${args[0]} exited ${code}`))));
  });
}

/** The rate-limit floor: with M requests per 10 s window, N requests need ceil(N/M)-1 full windows, plus one round trip. */
const floorMs = (requests: number) => (Math.ceil(requests / rateLimit) - 1) * 10_000 + latency;

console.log(`bench:sync — fake GHL with ${latency} ms latency per request, ${rateLimit} requests / 10 s, on ${(await import('node:os')).cpus().length} cores`);
for (const contacts of sizes) {
  const pages = Math.ceil(contacts / 500);
  for (const engine of engines) {
    const { child, info } = await startFake(contacts);
    try {
      const fakeCpu0 = (await ask(child, 'cpu')).cpu_ms!;
      const r = await runScenario([engine, info, adminUrl]);
      const fakeCpu = (await ask(child, 'cpu')).cpu_ms! - fakeCpu0;
      const f = r.full;
      // The bars hold for GHL's own limit and 200 ms of latency.
      const bar = rateLimit !== 100 || latency !== 200 ? '' : contacts > 10_000 ? `bar ≤ ${((1.25 * floorMs(pages) + 2_000) / 1000).toFixed(1)} s` : contacts <= 1_206 && engine === 'postgres' ? 'bar ≤ 1.5 s' : '';
      console.log(
        `${String(contacts).padStart(7)} contacts ${engine.padEnd(8)} full: ${(f.wall_ms / 1000).toFixed(2)} s (contacts pass ${(f.contacts_pass_ms / 1000).toFixed(2)} s${bar ? `, ${bar}` : ''}), ` +
          `${f.requests} requests (${pages} contact pages), ${f.rate_limited} × 429, ${Math.round(f.fetched / (f.contacts_pass_ms / 1000))} contacts/s, ` +
          `floor ${(floorMs(pages) / 1000).toFixed(1)} s → ratio ${(f.contacts_pass_ms / floorMs(pages)).toFixed(2)}; ` +
          // The whole run also re-pages opportunities, so its own floor counts every request it made.
          `whole sync vs the floor of all ${f.requests} requests (${(floorMs(f.requests) / 1000).toFixed(1)} s): ratio ${(f.wall_ms / floorMs(f.requests)).toFixed(2)}` +
          `${bar && contacts > 10_000 ? ` (1.25 × floor + 2 s = ${((1.25 * floorMs(f.requests) + 2_000) / 1000).toFixed(1)} s)` : ''}; ` +
          `CPU: sync ${(r.sync_cpu_ms / 1000).toFixed(1)} s, fake GHL ${(fakeCpu / 1000).toFixed(1)} s (whole run), whole machine ${r.machine_cpu_ms === null ? '?' : (r.machine_cpu_ms / 1000).toFixed(1)} s; idle: ${r.idle.requests} requests, ${r.idle.wall_ms} ms; ${r.bytes_per_contact} B/contact (${Object.entries(r.bytes_by_table).map(([t, b]) => `${t} ${b}`).join(', ')}); peak RSS during the sync ${r.sync_peak_rss_mb} MB (process lifetime ${r.peak_rss_mb} MB; at the peak: JS heap ${r.at_peak?.heap_used_mb}/${r.at_peak?.heap_total_mb} MB, buffers ${r.at_peak?.external_mb} MB)${f.status !== 'succeeded' ? ` FAILED: ${f.error}` : ''}`,
      );
    } finally {
      child.stdin!.end();
    }
  }
  if (withOld && contacts <= 20_000) {
    const { child, info } = await startFake(contacts);
    try {
      const r = await runScenario(['postgres', info, adminUrl, 'old']);
      console.log(`${String(contacts).padStart(7)} contacts old way (v1 pages of 100 in sequence, a statement per contact, postgres): ${(r.old.wall_ms / 1000).toFixed(2)} s, ${r.old.requests} requests`);
    } finally {
      child.stdin!.end();
    }
  }
}
