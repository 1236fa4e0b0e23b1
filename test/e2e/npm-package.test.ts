import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnServer } from '../helpers/spawn-server.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies?: Record<string, string> };

interface PackedFile {
  path: string;
  size: number;
}

/**
 * What `npx -y medtainer-mcp` gets: the packed tarball, installed into an empty folder with npm and
 * started through npx, outside this checkout (so nothing from the source tree can leak in).
 */
describe('the npm package', () => {
  let work: string;
  let app: string;
  let packed: { filename: string; size: number; unpackedSize: number; files: PackedFile[] };

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'medtainer-pack-'));
    app = path.join(work, 'app');
    // The suite builds before it runs (pretest); packing must not rebuild under the running tests.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 16 << 20 });
    packed = JSON.parse(stdout)[0];
    await run('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'npx-check', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, packed.filename)], { cwd: app, maxBuffer: 16 << 20, timeout: 300_000 });
  }, 360_000);
  afterAll(() => work && rmSync(work, { recursive: true, force: true }));

  it('is small and holds only what runs: the bin, the bundled server, the README and the licence; PGlite is its only dependency', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'bin/medtainer-mcp.js', 'dist/runtime/medtainer-mcp.js']));
    expect(paths.some((p) => /^dist\/runtime\/chunks\/embedded-.+\.js$/.test(p))).toBe(true);
    const stray = paths.filter((p) => !/^(package\.json|README\.md|LICENSE|claude_desktop_config\.example\.json|bin\/[^/]+\.js|dist\/runtime\/.+\.(js|txt))$/.test(p));
    expect(stray).toEqual([]);
    console.info(`[package] ${packed.filename}: ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked, ${paths.length} files`);
    // The SDK, Kysely, zod, pg, ky and croner are inside the bundle, so npx downloads PGlite and nothing else.
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['@electric-sql/pglite']);
    expect(packed.size).toBeLessThan(600 * 1024);
  });

  it('carries the licence notice of every package bundled into it', () => {
    expect(packed.files.map((f) => f.path)).toContain('dist/runtime/THIRD_PARTY_LICENSES.txt');
    const runtime = path.join(ROOT, 'dist', 'runtime');
    const code = [path.join(runtime, 'medtainer-mcp.js'), ...readdirSync(path.join(runtime, 'chunks')).map((f) => path.join(runtime, 'chunks', f))].map((f) => readFileSync(f, 'utf8')).join('\n');
    // esbuild marks each bundled file with a comment naming its path.
    const bundled = new Set([...code.matchAll(/^\/\/ (?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]!));
    expect(bundled.size).toBeGreaterThan(10);
    const notices = readFileSync(path.join(runtime, 'THIRD_PARTY_LICENSES.txt'), 'utf8');
    for (const name of bundled) expect(notices, name).toMatch(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@\\d`, 'm'));
  });

  it('runs through npx: --version, then MCP over stdio with every tool, and exits when stdin closes', async () => {
    const version = await run('npx', ['--no-install', 'medtainer-mcp', '--version'], { cwd: app });
    expect(version.stdout.trim()).toBe(pkg.version);

    const server = await spawnServer({ DATABASE_URL: 'memory://', SYNC_ON_START: 'false' }, [], { command: ['npx', '--no-install', 'medtainer-mcp'], cwd: app });
    try {
      expect(server.client.getServerVersion()).toMatchObject({ name: pkg.name, version: pkg.version });
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'find_contacts_needing_follow_up',
        'get_contact_360',
        'gohighlevel_get_sync_stats',
        'gohighlevel_pipeline_digest',
        'gohighlevel_read_contacts',
        'gohighlevel_sync_all_contacts',
        'save_contact_context',
        'search_contacts',
      ]);
      const stats = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
      expect(stats.isError, JSON.stringify(stats.content)).toBeFalsy();
      expect(stats.structuredContent).toMatchObject({ total_contacts: 0, last_sync: null, database: { kind: 'pglite' } });
      const { prompts } = await server.client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(['daily_briefing']);
      server.child.stdin!.end();
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('serves the demo from the installed package', async () => {
    const server = await spawnServer({ MEDTAINER_DATA_DIR: path.join(work, 'brain'), SYNC_ON_START: 'false' }, ['--demo'], { command: ['npx', '--no-install', 'medtainer-mcp'], cwd: app });
    try {
      const sync = await server.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: { mode: 'full' } });
      expect(sync.isError, JSON.stringify(sync.content)).toBeFalsy();
      const found = await server.client.callTool({ name: 'search_contacts', arguments: { query: 'rachel from fresh headies' } });
      expect(found.isError, JSON.stringify(found.content)).toBeFalsy();
      expect(JSON.stringify(found.content)).toMatch(/DEMO DATA/);
      expect((found.structuredContent as { contacts: Array<{ name: string }> }).contacts[0]?.name).toBe('Rachel Baker');
    } finally {
      server.child.stdin!.end();
      await server.exited;
    }
  });
});
