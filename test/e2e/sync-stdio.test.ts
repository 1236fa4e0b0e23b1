import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { BIN, runCli, spawnServer } from '../helpers/spawn-server.js';

let fake: FakeGhl;
const dirs: string[] = [];
beforeAll(async () => {
  fake = await startFakeGhl({ contactCount: 3_000, seed: 12, rateLimit: { max: 10_000 } });
});
afterAll(async () => {
  await fake.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const env = (dataDir: string) => ({
  GOHIGHLEVEL_API_KEY: fake.tokens.v2,
  GOHIGHLEVEL_LOCATION_ID: fake.locationId,
  GOHIGHLEVEL_BASE_URL: fake.url,
  MEDTAINER_DATA_DIR: dataDir,
  SYNC_ON_START: 'false',
});
const newDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'medtainer-e2e-sync-'));
  dirs.push(d);
  return path.join(d, 'brain');
};

describe('syncing through the built server', () => {
  it('sends progress notifications to a stdio client and returns the result', async () => {
    fake.configure({ latencyMs: 60 });
    const server = await spawnServer(env(newDir()));
    try {
      const progress: number[] = [];
      const res = await server.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: { mode: 'full' } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect(res.structuredContent).toMatchObject({ status: 'succeeded', mode: 'full', contacts_fetched: 3_000, contacts_created: 3_000 });
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(server.stderr()).not.toMatch(/unknown token/);
    } finally {
      fake.configure({ latencyMs: 0 });
      server.child.stdin!.end();
      await server.exited;
    }
  });

  it('`sync` interrupted (Ctrl-C, its terminal closed, SIGTERM) records the run as interrupted and exits 128 + the signal', async () => {
    fake.configure({ latencyMs: 400 });
    try {
      for (const [signal, code] of [['SIGINT', 130], ['SIGHUP', 129], ['SIGTERM', 143]] as const) {
        const dir = newDir();
        const child = spawn(process.execPath, [BIN, 'sync'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env(dir) } });
        let stderr = '';
        const started = new Promise<void>((resolve) =>
          child.stderr.on('data', (d: Buffer) => {
            stderr += d.toString();
            if (/sync #1 started/.test(stderr)) resolve();
          }),
        );
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        await started;
        child.kill(signal);
        expect(await exited, stderr).toBe(code);
        const after = await runCli(['stats', '--json'], env(dir));
        expect(JSON.parse(after.stdout).last_sync, after.stdout).toMatchObject({ status: 'failed', errors: [expect.stringMatching(/^interrupted: the process running it \(.+:\d+\) stopped$/)] });
      }
    } finally {
      fake.configure({ latencyMs: 0 });
    }
  });

  it('returns "running" after wait_seconds and keeps going in the background', async () => {
    fake.configure({ latencyMs: 400 });
    const server = await spawnServer(env(newDir()));
    try {
      const res = await server.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: { mode: 'full', wait_seconds: 0 } });
      expect(res.structuredContent).toMatchObject({ status: 'running' });
      let stats: any;
      for (let i = 0; i < 100; i++) {
        const r = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
        expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
        stats = r.structuredContent;
        if (stats.last_sync?.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stats.last_sync).toMatchObject({ status: 'succeeded', contacts_fetched: 3_000 });
      expect(stats.total_contacts).toBe(3_000);
    } finally {
      fake.configure({ latencyMs: 0 });
      server.child.stdin!.end();
      await server.exited;
    }
  });

  it('finishes the job after the syncing process is killed mid-run (SIGKILL)', async () => {
    const dir = newDir();
    // Slow enough to be killed half way: 2 requests per second.
    fake.configure({ latencyMs: 100, rateLimit: { max: 20 } });
    const child = spawn(process.execPath, [BIN, 'sync', '--full'], { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env(dir) } });
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        if (/\d+\/3000 contacts read/.test(d.toString())) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    fake.configure({ latencyMs: 0, rateLimit: { max: 10_000 } });

    const again = await runCli(['sync'], env(dir));
    expect(again.code, again.stderr).toBe(0);
    const stats = JSON.parse((await runCli(['stats', '--json'], env(dir))).stdout);
    expect(stats.total_contacts).toBe(3_000);
    expect(stats.last_sync).toMatchObject({ status: 'succeeded', mode: 'full' });
  });

  it('a `sync` following another process\'s run takes over when that process is killed, and reports its own result', async () => {
    const dir = newDir();
    fake.configure({ latencyMs: 100, rateLimit: { max: 20 } });
    const cliEnv = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env(dir) };
    const owner = spawn(process.execPath, [BIN, 'sync', '--full'], { env: cliEnv });
    await new Promise<void>((resolve) => {
      owner.stderr.on('data', (d: Buffer) => {
        if (/\d+\/3000 contacts read/.test(d.toString())) resolve();
      });
    });
    const follower = spawn(process.execPath, [BIN, 'sync', '--full'], { env: cliEnv });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    follower.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const followerExit = new Promise<number | null>((resolve) => follower.once('exit', resolve));
    while (!/following it/.test(out)) await new Promise((r) => setTimeout(r, 50));
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    fake.configure({ latencyMs: 0, rateLimit: { max: 10_000 } });
    // Before, it exited 0 in the middle of following, without a word and without a sync.
    expect(await followerExit, out).toBe(0);
    expect(out).toMatch(/Sync #\d+ \(full\) succeeded/);
    const stats = JSON.parse((await runCli(['stats', '--json'], env(dir))).stdout);
    expect(stats.total_contacts).toBe(3_000);
    expect(stats.last_sync).toMatchObject({ status: 'succeeded', mode: 'full' });
  });

  it('a `sync` started just as another process sharing the brain quits carries on with the one that takes it over', async () => {
    const dir = newDir();
    expect((await runCli(['sync'], env(dir))).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      // `stats` owns the embedded database for a moment and quits while `sync` uses it.
      const stats = runCli(['stats'], env(dir));
      await new Promise((r) => setTimeout(r, 200));
      const sync = await runCli(['sync'], env(dir));
      expect(sync.code, sync.stderr).toBe(0);
      expect((await stats).code).toBe(0);
    }
  });

  it('`stats` and `doctor` started just as another process sharing the brain quits answer from the one that takes it over', async () => {
    const dir = newDir();
    expect((await runCli(['sync'], env(dir))).code).toBe(0);
    for (const delay of [100, 200, 300]) {
      const first = runCli(['stats'], env(dir));
      await new Promise((r) => setTimeout(r, delay));
      const [stats, doctor] = await Promise.all([runCli(['stats', '--json'], env(dir)), runCli(['doctor'], env(dir))]);
      expect(stats.code, stats.stderr).toBe(0);
      expect(JSON.parse(stats.stdout).total_contacts).toBe(3_000);
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
      expect((await first).code).toBe(0);
    }
  });

  it('doctor checks config, database and GHL access, and fails with what to fix', async () => {
    const ok = await runCli(['doctor'], env(newDir()));
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/authenticated: the location has 3000 contacts/);
    expect(ok.stdout).toMatch(/rate limit: 10000 per 10 s; 199,\d{3} of 200,000 requests left today/);
    expect(ok.stdout).not.toMatch(/clock/);
    // GoHighLevel's clock (its Date headers) 10 minutes behind this machine's: said, not failed.
    fake.store.now = () => Date.now() - 10 * 60_000;
    try {
      const skewed = await runCli(['doctor'], env(newDir()));
      expect(skewed.code, skewed.stdout).toBe(0);
      expect(skewed.stdout).toMatch(/note {2}this machine's clock is 10 min ahead of GoHighLevel's/);
    } finally {
      fake.store.now = Date.now;
    }
    const bad = await runCli(['doctor'], { ...env(newDir()), GOHIGHLEVEL_API_KEY: 'pit-99999999-9999-4999-8999-999999999999' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL {2}GoHighLevel answered .* with 401/);
    expect(bad.stdout).toMatch(/fix: Check GOHIGHLEVEL_API_KEY/);
    expect(bad.stdout + bad.stderr).not.toContain('pit-99999999');
    // A token without its location: one problem, named once, with its fix.
    const noLocation = await runCli(['doctor'], { ...env(newDir()), GOHIGHLEVEL_LOCATION_ID: '' });
    expect(noLocation.code).toBe(1);
    expect(noLocation.stdout).toMatch(/FAIL {2}GoHighLevel is not configured\n {8}fix: .*GOHIGHLEVEL_LOCATION_ID/);
    expect(noLocation.stdout).toMatch(/skipped: GoHighLevel is not configured \(see above\)/);
    expect(noLocation.stdout.match(/FAIL/g)).toHaveLength(1);
  });

  it('reads settings from a .env in the working folder; the environment wins where both set one', async () => {
    const folder = path.dirname(newDir());
    const settings = env(path.join(folder, 'from-dotenv'));
    writeFileSync(path.join(folder, '.env'), Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n') + '\nLOG_LEVEL=\n');
    const fromFile = await runCli(['doctor'], {}, folder);
    expect(fromFile.code, fromFile.stdout + fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/authenticated: the location has 3000 contacts/);
    expect(fromFile.stdout).toContain(path.join(folder, 'from-dotenv'));
    expect(fromFile.stderr).toContain(`read settings from ${path.join(folder, '.env')}`);
    expect(fromFile.stdout + fromFile.stderr).not.toContain(fake.tokens.v2);

    // A token set in the environment wins; where it is sent and where the brain lives then come
    // from the environment too (a .env does not redirect a token it does not carry).
    const overridden = await runCli(['doctor'], { GOHIGHLEVEL_API_KEY: 'pit-99999999-9999-4999-8999-999999999999', GOHIGHLEVEL_BASE_URL: fake.url, MEDTAINER_DATA_DIR: settings.MEDTAINER_DATA_DIR }, folder);
    expect(overridden.code).toBe(1);
    expect(overridden.stdout).toMatch(/with 401/);
    expect(overridden.stderr).not.toMatch(/ignored/);
  });
});
