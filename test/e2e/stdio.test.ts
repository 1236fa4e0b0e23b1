import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestTarget, type Engine, testEngines } from '../helpers/test-db.js';
import { runCli, type SpawnedServer, spawnServer } from '../helpers/spawn-server.js';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'medtainer-e2e-'));
  dirs.push(d);
  return d;
}

async function databaseEnv(engine: Engine | 'embedded'): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (engine === 'embedded') return { env: { MEDTAINER_DATA_DIR: path.join(tempDir(), 'brain') }, drop: async () => {} };
  const { target, drop } = await createTestTarget(engine);
  return { env: { DATABASE_URL: target.kind === 'postgres' ? target.url : 'memory://' }, drop };
}

async function stats(server: SpawnedServer): Promise<Record<string, any>> {
  const res = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
  expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
  return res.structuredContent as Record<string, any>;
}

describe.each([...testEngines(), 'embedded' as const])('the built server over stdio (%s)', (engine) => {
  it('answers initialize, lists valid tools, serves stats and exits when stdin closes', async () => {
    const db = await databaseEnv(engine);
    const server = await spawnServer({ ...db.env, SYNC_ON_START: 'false' });
    try {
      console.info(`[${engine}] initialize answered ${server.initializeMs.toFixed(0)} ms after spawn`);
      expect(server.client.getServerVersion()?.name).toBe('medtainer-mcp');
      expect(server.client.getInstructions()).toMatch(/brain/);
      const { tools } = await server.client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      for (const t of tools) {
        expect(t.name).toMatch(TOOL_NAME);
        expect(t.title, t.name).toBeTruthy();
        expect(t.description!.length, t.name).toBeGreaterThan(80);
        expect(t.outputSchema, t.name).toBeDefined();
        expect(Object.keys(t.annotations ?? {}).sort(), t.name).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint', 'title']);
      }
      const s = await stats(server);
      expect(s.total_contacts).toBe(0);
      expect(s.last_sync).toBeNull();
      expect(s.database.kind).toBe(engine === 'postgres' ? 'postgres' : 'pglite');

      server.child.stdin!.end();
      expect(await server.exited).toBe(0);
      expect(server.stderr()).toMatch(/shutting down \(stdin closed\)/);
    } finally {
      server.child.kill('SIGKILL');
      await db.drop();
    }
  });
});

describe('process handling', () => {
  it('exits cleanly on SIGTERM', async () => {
    const server = await spawnServer({ DATABASE_URL: 'memory://', SYNC_ON_START: 'false' });
    await stats(server);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/shutting down \(SIGTERM\)/);
  });

  it('exits cleanly on SIGHUP (the terminal running it closed)', async () => {
    const server = await spawnServer({ DATABASE_URL: 'memory://', SYNC_ON_START: 'false' });
    await stats(server);
    server.child.kill('SIGHUP');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/shutting down \(SIGHUP\)/);
  });

  it('a client that dies (nobody reads its stdout any more) is a shutdown, not a crash', async () => {
    const server = await spawnServer({ DATABASE_URL: 'memory://', SYNC_ON_START: 'false' });
    await stats(server);
    server.child.stdout!.destroy();
    // Its answer cannot be written: EPIPE.
    void server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} }).catch(() => {});
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/shutting down \(stdout closed\)/);
  });

  it('a client that quits while the embedded database is first being created: a clean exit, no lock or half-made folder left, and the next start works', async () => {
    const parent = tempDir();
    const dataDir = path.join(parent, 'brain');
    const server = await spawnServer({ MEDTAINER_DATA_DIR: dataDir, SYNC_ON_START: 'false' });
    server.child.stdin!.end();
    expect(await server.exited).toBe(0);
    // Creating it stopped: no database nobody asked for any more, no lock, no half-made folder.
    expect(readdirSync(parent)).toEqual([]);
    expect(server.stderr()).not.toMatch(/applied migration/);
    const again = await spawnServer({ MEDTAINER_DATA_DIR: dataDir, SYNC_ON_START: 'false' });
    try {
      expect((await stats(again)).total_contacts).toBe(0);
    } finally {
      again.child.stdin!.end();
      expect(await again.exited).toBe(0);
    }
  });

  it('keeps stdout for the protocol: tool calls without GHL credentials are clear errors, not noise', async () => {
    const server = await spawnServer({ DATABASE_URL: 'memory://', SYNC_ON_START: 'false' });
    try {
      const res = await server.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: {} });
      expect(res.isError).toBe(true);
      expect(JSON.stringify(res.content)).toMatch(/GOHIGHLEVEL_API_KEY/);
    } finally {
      server.child.stdin!.end();
      await server.exited;
    }
  });

  it('a database it cannot reach: tools and commands say where and what to check, without the password', async () => {
    const env = { DATABASE_URL: 'postgres://medtainer:s3cret-pw@127.0.0.1:1/brain', SYNC_ON_START: 'false' };
    const server = await spawnServer(env);
    try {
      const res = await server.client.callTool({ name: 'search_contacts', arguments: { query: 'rachel' } });
      expect(res.isError).toBe(true);
      const text = JSON.stringify(res.content);
      expect(text).toMatch(/Cannot open the database at postgres:\/\/medtainer@127\.0\.0\.1:1\/brain: connect ECONNREFUSED/);
      expect(text).toMatch(/Next step: Check DATABASE_URL/);
      expect(text + server.stderr()).not.toMatch(/s3cret-pw/);
    } finally {
      server.child.stdin!.end();
      await server.exited;
    }
    const cli = await runCli(['stats'], env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/Next step: Check DATABASE_URL/);
    expect(cli.stderr).not.toMatch(/s3cret-pw/);
    // A password given as a parameter, or holding an @, stays out as well.
    for (const url of ['postgres://medtainer@127.0.0.1:1/brain?password=s3cret-pw', 'postgres://medtainer:p@s3cret-pw@127.0.0.1:1/brain']) {
      const other = await runCli(['stats'], { DATABASE_URL: url });
      expect(other.stderr, url).toMatch(/Cannot open the database at postgres:\/\/medtainer@127\.0\.0\.1:1\/brain: /);
      expect(other.stderr, url).not.toMatch(/s3cret-pw/);
    }
  });

  it('prints --version and --help, and lists every configuration problem at once', async () => {
    const version = await runCli(['--version'], {});
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runCli(['--help'], {});
    expect(help.stdout).toMatch(/medtainer-mcp stats/);
    const bad = await runCli(['stats'], { LOG_LEVEL: 'loud', SYNC_INTERVAL_MINUTES: '-5' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/LOG_LEVEL/);
    expect(bad.stderr).toMatch(/SYNC_INTERVAL_MINUTES/);
    expect(bad.stdout).toBe('');
    expect(help.stdout).toMatch(/copy-context \[--from DIR\]/);
    const noBrain = await runCli(['copy-context', '--from', path.join(tempDir(), 'none')], { DATABASE_URL: 'memory://' });
    expect(noBrain.code).toBe(2);
    expect(noBrain.stderr).toMatch(/No embedded database in .*none/);
  });
});

describe('two processes on one embedded data directory', () => {
  it('both answer, and the second keeps working after the first exits', async () => {
    const env = { MEDTAINER_DATA_DIR: path.join(tempDir(), 'shared'), SYNC_ON_START: 'false' };
    const first = await spawnServer(env);
    await stats(first);
    const second = await spawnServer(env);
    try {
      expect((await stats(second)).total_contacts).toBe(0);
      const cli = await runCli(['stats', '--json'], env);
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout).database.kind).toBe('pglite');
      first.child.stdin!.end();
      expect(await first.exited).toBe(0);
      expect((await stats(second)).database.kind).toBe('pglite');
    } finally {
      first.child.kill('SIGKILL');
      second.child.stdin!.end();
      await second.exited;
    }
  });
});

describe('demo mode', () => {
  it('npm run demo syncs the simulated location and answers, every answer marked as demo data', async () => {
    const r = await runCli(['demo'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Synced 400 contacts/);
    expect(r.stdout.match(/DEMO DATA/g)?.length).toBeGreaterThanOrEqual(3);
    expect(r.stdout).toMatch(/Rachel Baker · Fresh Headies/);
    // The brain's own answers come first: a search and the follow-up list.
    expect(r.stdout).toMatch(/> Show me rachel from fresh headies {3}\(search_contacts\)\n.*\n1 contact matched/);
    expect(r.stdout).toMatch(/\(find_contacts_needing_follow_up\)\n.*\n\d+ important contact\(s\) need follow-up/);
  });

  it('--demo serves tools against the simulated location and says so in every result', async () => {
    const server = await spawnServer({ MEDTAINER_DATA_DIR: path.join(tempDir(), 'real'), SYNC_ON_START: 'false' }, ['--demo']);
    try {
      const res = await server.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: { mode: 'full' } });
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect((res.structuredContent as { contacts_fetched: number }).contacts_fetched).toBe(400);
      expect(JSON.stringify(res.content)).toMatch(/DEMO DATA/);
      expect(res._meta).toEqual({ 'medtainer/demo': true });
      const stats = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
      expect(JSON.stringify(stats.content)).toMatch(/DEMO DATA/);
    } finally {
      server.child.stdin!.end();
      await server.exited;
    }
  });
});

describe('a client that writes its last requests and closes stdin (a script piping into the server)', () => {
  it('still gets the answers (each written after its audit row)', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/spawn-server.js');
    const child = spawn(process.execPath, [BIN], { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: 'memory://', SYNC_ON_START: 'false', LOG_LEVEL: 'info' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } });
    send({ method: 'notifications/initialized' });
    // The brain opens as these arrive (a second or two): both calls are still waiting for it when stdin closes.
    send({ id: 2, method: 'tools/call', params: { name: 'gohighlevel_get_sync_stats', arguments: {} } });
    send({ id: 3, method: 'tools/call', params: { name: 'search_contacts', arguments: { query: 'rachel' } } });
    send({ id: 4, method: 'prompts/get', params: { name: 'daily_briefing', arguments: {} } });
    send({ id: 5, method: 'resources/list', params: {} });
    child.stdin.end();
    expect(await exited, stderr).toBe(0);
    const answers = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id?: number; result?: { isError?: boolean } });
    expect(answers.filter((a) => a.id !== undefined).map((a) => a.id).sort(), stderr).toEqual([1, 2, 3, 4, 5]);
    expect(answers.find((a) => a.id === 2)?.result?.isError).toBeFalsy();
    expect(stderr).not.toMatch(/ERROR|could not record/);
    expect(stderr).toMatch(/answering 4 call\(s\) received before stdin closed/);
  });
});

describe('a client that closes stdin, then sends SIGTERM while a call is still running', () => {
  it('exits on the signal instead of waiting out the answers (the SDK client sends SIGKILL 2 s later)', async () => {
    const net = await import('node:net');
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/spawn-server.js');
    // A GoHighLevel that takes connections and never answers: the live read stays in flight.
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const child = spawn(process.execPath, [BIN], {
        env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: 'memory://', SYNC_ON_START: 'false', LOG_LEVEL: 'info', GOHIGHLEVEL_API_KEY: 'pit-00000000-0000-4000-8000-00000000f4c3', GOHIGHLEVEL_LOCATION_ID: 'LOC123456789', GOHIGHLEVEL_BASE_URL: `http://127.0.0.1:${port}` },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
      const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
      send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } });
      send({ method: 'notifications/initialized' });
      send({ id: 2, method: 'tools/call', params: { name: 'gohighlevel_read_contacts', arguments: { query: 'x' } } });
      while (!sockets.length) await new Promise((r) => setTimeout(r, 50));
      child.stdin.end();
      while (!/answering 1 call/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      // The signal, not the 8 s answer window, ended the wait (GoHighLevel never answers).
      expect(stderr).toMatch(/closing with 1 call\(s\) unanswered \(SIGTERM\)/);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 60_000);
});
