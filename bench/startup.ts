import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pg from 'pg';
import { benchArg } from './args.js';

// npm run bench:startup -- [--runs 5] [--engines embedded,memory,postgres]
// Spawns the built server the way an MCP client does (stdio, the SDK's own client) and times
// spawn → `initialize` answered, then the first gohighlevel_get_sync_stats call (which waits for
// the brain: migrations, and PGlite's initdb on a new data directory).
const runs = Number(benchArg('runs', '5'));
const engines = benchArg('engines', 'embedded,memory,postgres').split(',');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/medtainer-mcp.js');

async function once(env: Record<string, string>): Promise<{ initializeMs: number; statsMs: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), SYNC_ON_START: 'false', ...env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench-startup', version: '1.0.0' });
  const t0 = performance.now();
  await client.connect(transport);
  const initializeMs = performance.now() - t0;
  const stats = await client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
  const statsMs = performance.now() - t0;
  if (stats.isError) throw new Error(`stats failed: ${JSON.stringify(stats.content)}`);
  await client.close();
  return { initializeMs, statsMs };
}

function describe(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`;
}

process.stdout.write(`bench:startup — ${runs} spawns per case, on ${os.cpus().length} cores\n`);
for (const engine of engines) {
  const cases: Array<{ label: string; env: () => Record<string, string>; cleanup: () => Promise<void> }> = [];
  if (engine === 'embedded') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'medtainer-startup-'));
    let fresh = 0;
    // A new data directory each time (initdb included), then one directory reused (the everyday case).
    cases.push({ label: 'embedded PGlite, new data directory', env: () => ({ MEDTAINER_DATA_DIR: path.join(dir, `new-${fresh++}`) }), cleanup: async () => {} });
    cases.push({ label: 'embedded PGlite, existing data directory', env: () => ({ MEDTAINER_DATA_DIR: path.join(dir, 'new-0') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) });
  } else if (engine === 'memory') {
    cases.push({ label: 'memory://', env: () => ({ DATABASE_URL: 'memory://' }), cleanup: async () => {} });
  } else if (engine === 'postgres') {
    const name = `medtainer_startup_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    cases.push({
      label: 'PostgreSQL server',
      env: () => ({ DATABASE_URL: url.toString() }),
      cleanup: async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    });
  } else throw new Error(`unknown engine ${engine} (embedded, memory, postgres)`);

  for (const c of cases) {
    const initialize: number[] = [];
    const stats: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await once(c.env());
      initialize.push(r.initializeMs);
      stats.push(r.statsMs);
    }
    process.stdout.write(`${c.label.padEnd(42)} initialize: ${describe(initialize)} (bar ≤ 500 ms); first stats answer: ${describe(stats)}\n`);
    await c.cleanup();
  }
}
