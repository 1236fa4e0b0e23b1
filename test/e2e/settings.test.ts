import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type SpawnedServer, spawnServer } from '../helpers/spawn-server.js';

// Settings as people really write them, through the built program.

const PIT = 'pit-00000000-0000-4000-8000-00000000f4c3';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'medtainer-e2e-settings-'));
  dirs.push(d);
  return d;
}

async function waitForStderr(server: SpawnedServer, pattern: RegExp, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(server.stderr())) {
    if (Date.now() > until) throw new Error(`stderr never matched ${pattern}:\n${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * runCli for settings that once made the program spin or wait for ever: a child still running after
 * a generous while is killed (SIGKILL: a spinning one ignores SIGTERM) and the test fails, instead
 * of leaving a process at full CPU behind.
 */
function runCliOrKill(args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, cwd, timeout: 60_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function stop(server: SpawnedServer): Promise<void> {
  server.child.stdin!.end();
  await server.exited;
}

describe('the server with a malformed or mismatched setting', () => {
  it('starts with a tuning setting\'s default and says what to fix on stderr and to the client', async () => {
    const server = await spawnServer({ DATABASE_URL: 'memory://', LOG_LEVEL: 'loud', SYNC_ON_START: 'maybe' });
    const notes: string[] = [];
    server.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void notes.push(`${n.params.level} ${String(n.params.data)}`));
    try {
      const res = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect(server.stderr()).toMatch(/WARN LOG_LEVEL: expected error, warn, info or debug; using info until it is fixed \(set it in/);
      expect(server.stderr()).toMatch(/WARN SYNC_ON_START: .*; using true until it is fixed/);
      // The default level (info) applies.
      expect(server.stderr()).toMatch(/INFO medtainer-mcp .* serving over stdio/);
      await expect.poll(() => notes.join('\n')).toMatch(/^warning LOG_LEVEL: expected error, warn, info or debug/m);
    } finally {
      await stop(server);
    }
  });

  it('upper-case LOG_LEVEL and values with stray spaces are read as meant', async () => {
    const server = await spawnServer({ DATABASE_URL: 'memory:// ', LOG_LEVEL: 'WARN ', SYNC_ON_START: 'false ' });
    try {
      const res = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect(server.stderr()).not.toMatch(/INFO |expected/);
    } finally {
      await stop(server);
    }
  });

  it('a pit- token forced to v1: tools and the log say why GoHighLevel is off, and doctor fails', async () => {
    const env = { DATABASE_URL: 'memory://', GOHIGHLEVEL_API_KEY: PIT, GOHIGHLEVEL_API_VERSION: 'v1', LOG_LEVEL: 'warn' };
    const server = await spawnServer(env);
    try {
      const res = (await server.client.callTool({ name: 'gohighlevel_read_contacts', arguments: {} })) as { isError?: boolean; content: { text: string }[] };
      expect(res.isError).toBe(true);
      expect(res.content[0]!.text).toMatch(/GOHIGHLEVEL_API_VERSION=v1, but a Private Integration Token .* v2 API only/);
      await waitForStderr(server, /GoHighLevel sync is off: /);
      expect(server.stderr()).toMatch(/GoHighLevel sync is off: GOHIGHLEVEL_API_VERSION=v1/);
      expect(server.stderr()).not.toContain(PIT);
    } finally {
      await stop(server);
    }
    const doctor = await runCli(['doctor'], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL {2}GoHighLevel is not configured\n {8}fix: GOHIGHLEVEL_API_VERSION=v1/);
    expect(doctor.stdout).not.toMatch(/Everything looks good/);
  });
});

describe('doctor', () => {
  it('never prints a token typed into GOHIGHLEVEL_LOCATION_ID, and says the two look swapped', async () => {
    const r = await runCli(['doctor'], { GOHIGHLEVEL_API_KEY: 'FakeLocation00000001', GOHIGHLEVEL_LOCATION_ID: PIT, DATABASE_URL: 'memory://', LOG_LEVEL: 'warn' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/GOHIGHLEVEL_API_KEY and GOHIGHLEVEL_LOCATION_ID swapped\?/);
    expect(r.stdout + r.stderr).not.toContain(PIT);
  });

  it('names the README placeholder key at once, instead of retrying it as a network failure', async () => {
    const r = await runCli(['doctor'], { GOHIGHLEVEL_API_KEY: 'pit-…', GOHIGHLEVEL_LOCATION_ID: 'LOC123', DATABASE_URL: 'memory://', LOG_LEVEL: 'warn' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/fix: GOHIGHLEVEL_API_KEY is still the placeholder "pit-…"/);
    expect(r.stdout).not.toMatch(/network/);
  });

  it('gives up on a GoHighLevel host that never answers after its own deadline, saying so', { timeout: 90_000 }, async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
      const r = await runCli(['doctor'], { GOHIGHLEVEL_API_KEY: PIT, GOHIGHLEVEL_LOCATION_ID: 'LOC123', GOHIGHLEVEL_BASE_URL: url, DATABASE_URL: 'memory://', LOG_LEVEL: 'warn' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL {2}GoHighLevel did not answer POST \/contacts\/search in time/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('lists a malformed tuning setting as a problem while checking the rest', async () => {
    const r = await runCli(['doctor'], { DATABASE_URL: 'memory://', LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}LOG_LEVEL: expected error, warn, info or debug; using info until it is fixed/);
    expect(r.stdout).toMatch(/ok {4}in-memory PGlite/);
    // One-shot commands stay strict.
    const stats = await runCli(['stats'], { DATABASE_URL: 'memory://', LOG_LEVEL: 'loud' });
    expect(stats.code).toBe(1);
    expect(stats.stderr).toMatch(/Invalid configuration:\n {2}- LOG_LEVEL/);
  });

  it('a .env in the working folder fills in variables the environment leaves unset or empty, never one it sets', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), 'SYNC_INTERVAL_MINUTES=0\nLOG_LEVEL=loud\n');
    // Empty in the environment (a shell profile's `export SYNC_INTERVAL_MINUTES=`): .env's value counts.
    const empty = await runCli(['doctor'], { DATABASE_URL: 'memory://', SYNC_INTERVAL_MINUTES: '', LOG_LEVEL: 'warn' }, dir);
    // "schedule off" alone read as "never syncs"; a server still syncs at start unless SYNC_ON_START=false.
    expect(empty.stdout).toMatch(/ok {4}sync schedule off \(SYNC_INTERVAL_MINUTES=0\): a server still syncs at each start \(SYNC_ON_START\), and when asked\n/);
    const never = await runCli(['doctor'], { DATABASE_URL: 'memory://', SYNC_ON_START: 'false', LOG_LEVEL: 'warn' }, dir);
    expect(never.stdout).toMatch(/ok {4}sync schedule off \(SYNC_INTERVAL_MINUTES=0, SYNC_ON_START=false\): only when asked/);
    // Set in the environment: it wins over .env.
    const set = await runCli(['doctor'], { DATABASE_URL: 'memory://', SYNC_INTERVAL_MINUTES: '30', LOG_LEVEL: 'warn' }, dir);
    expect(set.stdout).toMatch(/ok {4}sync every 30 minutes/);
    expect(set.stdout).not.toMatch(/LOG_LEVEL/);
  });

  it('a .env does not decide where a token from the environment is sent', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), 'GOHIGHLEVEL_BASE_URL=http://127.0.0.1:9/\nDATABASE_URL=postgres://elsewhere.example/brain\nLOG_LEVEL=info\n');
    const r = await runCli(['migrate'], { GOHIGHLEVEL_API_KEY: PIT, GOHIGHLEVEL_LOCATION_ID: 'LOC123', MEDTAINER_DATA_DIR: path.join(dir, 'brain') }, dir);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['GOHIGHLEVEL_BASE_URL', 'DATABASE_URL']) expect(r.stderr).toMatch(new RegExp(`WARN ignored [A-Z_, ]*${name}[A-Z_, ]* from .*\\.env: the GoHighLevel token comes from the environment`));
    expect(r.stdout + r.stderr).not.toMatch(/elsewhere\.example/);
    // The rest of the file still counts (LOG_LEVEL=info: the INFO lines).
    expect(r.stderr).toMatch(/INFO read settings from/);
  });

  it('a folder called .env (a Python virtual environment) is passed over with a warning naming it, not a bare EISDIR', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, '.env'));
    const r = await runCli(['stats', '--json'], { DATABASE_URL: 'memory://' }, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`WARN ignored ${path.join(dir, '.env')}: it is a folder, not a settings file`);
    expect(r.stderr).not.toMatch(/EISDIR/);
  });

  it.skipIf(process.platform === 'win32')('a pipe called .env is not opened (the command once waited on it for ever)', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [path.join(dir, '.env')]);
    const r = await runCliOrKill(['stats', '--json'], { DATABASE_URL: 'memory://' }, dir);
    expect(r.signal, 'still waiting on the pipe').toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`WARN ignored ${path.join(dir, '.env')}: it is not a regular file`);
  });

  it('in demo mode checks the simulated location, not the GoHighLevel settings', async () => {
    const r = await runCli(['--demo', 'doctor'], { MEDTAINER_DATA_DIR: path.join(tempDir(), 'brain'), LOG_LEVEL: 'warn' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok {4}demo: simulated location at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).not.toMatch(/not configured|GOHIGHLEVEL_API_KEY/);
    expect(r.stdout).toMatch(/authenticated: the location has 400 contacts/);
  });

  it('in demo mode, sync and stats say on stdout that the figures are demo data (text and JSON)', async () => {
    const env = { MEDTAINER_DATA_DIR: path.join(tempDir(), 'brain'), LOG_LEVEL: 'warn' };
    const sync = await runCli(['sync', '--demo'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^DEMO DATA: .*simulated GoHighLevel location.*\nSync #1 \(full\) succeeded/);
    const stats = await runCli(['stats', '--demo'], env);
    expect(stats.stdout).toMatch(/^DEMO DATA: .*\nBrain: 400 contacts/);
    const json = JSON.parse((await runCli(['stats', '--demo', '--json'], env)).stdout) as { notice?: string; total_contacts: number };
    expect(json).toMatchObject({ notice: expect.stringMatching(/^DEMO DATA/), total_contacts: 400 });
    // Not in normal use.
    const real = JSON.parse((await runCli(['stats', '--json'], { MEDTAINER_DATA_DIR: path.join(tempDir(), 'real'), LOG_LEVEL: 'warn' })).stdout) as Record<string, unknown>;
    expect(real.notice).toBeUndefined();
  });
});

describe('MEDTAINER_DATA_DIR', () => {
  it('a leading ~ is the home folder; a relative path is refused with the reason', async () => {
    const home = tempDir();
    const r = await runCli(['stats', '--json'], { HOME: home, MEDTAINER_DATA_DIR: '~/brain ' }, home);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(home, 'brain'))).toBe(true);
    expect(existsSync(path.join(home, '~'))).toBe(false);

    const relative = await runCli(['stats'], { HOME: home, MEDTAINER_DATA_DIR: 'brain' }, home);
    expect(relative.code).toBe(1);
    expect(relative.stderr).toMatch(/MEDTAINER_DATA_DIR: must be an absolute path .*Claude Desktop starts servers in \//);
    // The server refuses it too: a default folder would be another, empty brain.
    const served = await runCli([], { HOME: home, MEDTAINER_DATA_DIR: 'brain' }, home);
    expect(served.code).toBe(1);
    expect(served.stderr).toMatch(/MEDTAINER_DATA_DIR: must be an absolute path/);
  });
});

describe('a folder that cannot be made', () => {
  // Node 20's recursive mkdirSync spins at full CPU, deaf to SIGTERM, where mkdir says ENOENT of a
  // folder that exists (/proc); the command once never ended.
  it.skipIf(process.platform !== 'linux')('MEDTAINER_DATA_DIR under /proc: said at once, naming the folder', async () => {
    const r = await runCliOrKill(['stats'], { MEDTAINER_DATA_DIR: '/proc/self/medtainer/brain', LOG_LEVEL: 'warn' });
    expect(r.signal, 'spinning in mkdir').toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^medtainer-mcp: Cannot create the embedded database's folder \/proc\/self\/medtainer\/brain \(MEDTAINER_DATA_DIR\): cannot create \/proc\/self\/medtainer: \/proc\/self does not take new folders or files/m,
    );
    expect(r.stderr).toMatch(/^Next step: Point MEDTAINER_DATA_DIR at a folder this user can create and write to/m);
  });

  it.skipIf(process.platform !== 'linux')('TMPDIR under /proc: said at once (before a first start\'s initdb), naming TMPDIR', async () => {
    const r = await runCliOrKill(['stats'], { MEDTAINER_DATA_DIR: path.join(tempDir(), 'brain'), TMPDIR: '/proc/self/medtainer-tmp', LOG_LEVEL: 'warn' });
    expect(r.signal, 'spinning in mkdir').toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^medtainer-mcp: Cannot create the embedded database's socket folder \/proc\/self\/medtainer-tmp\/medtainer-[0-9a-f]{12} \(in the temporary folder, TMPDIR\): cannot create \/proc\/self\/medtainer-tmp: /m);
    expect(r.stderr).toMatch(/^Next step: Point TMPDIR at a folder this user can write to, or unset it/m);
  });

  it('MEDTAINER_DATA_DIR under a file: names the file, instead of "EEXIST: file already exists"', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'hostname'), 'x');
    const r = await runCliOrKill(['stats'], { MEDTAINER_DATA_DIR: path.join(dir, 'hostname', 'brain'), LOG_LEVEL: 'warn' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot create the embedded database's folder ${path.join(dir, 'hostname', 'brain')} (MEDTAINER_DATA_DIR): ${path.join(dir, 'hostname')} is a file, not a folder.`);
  });
});

describe('command line', () => {
  it('refuses words and flags a command does not take, with the usage and exit code 2', async () => {
    const env = { DATABASE_URL: 'memory://' };
    for (const [args, said] of [
      [['sync', 'full'], /"sync" takes no argument "full" \(did you mean --full\?\)/],
      [['stats', 'extra'], /"stats" takes no argument "extra"\./],
      [['doctor', '--full'], /"doctor" does not take --full\./],
      [['migrate', '--json'], /"migrate" does not take --json\./],
      [['--bogus'], /^Unknown option '--bogus'\.\n/],
      [['nonsense'], /^Unknown command "nonsense"\./],
    ] as const) {
      const r = await runCli([...args], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(said);
      expect(r.stderr).toMatch(/Usage:/);
      expect(r.stdout).toBe('');
    }
    const help = await runCli(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage:/);
    const version = await runCli(['version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
