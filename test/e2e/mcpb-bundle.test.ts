import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { getMcpConfigForManifest, unpackExtension } from '@anthropic-ai/mcpb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGhl, startFakeGhl } from '../../src/fake-ghl/index.js';
import { ROOT, spawnServer } from '../helpers/spawn-server.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** Builds the .mcpb, unpacks it the way Claude Desktop does and launches it from its own manifest. */
describe('the Claude Desktop bundle', () => {
  let work: string;
  let unpacked: string;
  let bundle: string;
  let fake: FakeGhl;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'medtainer-mcpb-'));
    await run(process.execPath, [path.join(ROOT, 'dist/scripts/build-bundle.js'), '--out', work], { cwd: ROOT, maxBuffer: 16 << 20, timeout: 300_000 });
    bundle = path.join(work, `${pkg.name}-${pkg.version}.mcpb`);
    unpacked = path.join(work, 'installed');
    expect(await unpackExtension({ mcpbPath: bundle, outputDir: unpacked, silent: true })).toBe(true);
    fake = await startFakeGhl({ contactCount: 120, seed: 3, rateLimit: { max: 10_000 } });
  }, 360_000);
  afterAll(async () => {
    await fake?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the server and its production dependencies only', () => {
    console.info(`[bundle] ${path.basename(bundle)}: ${(statSync(bundle).size / 1024 / 1024).toFixed(1)} MB`);
    for (const needed of ['manifest.json', 'bin/medtainer-mcp.js', 'dist/runtime/medtainer-mcp.js', 'node_modules/@electric-sql/pglite']) {
      expect(existsSync(path.join(unpacked, needed)), needed).toBe(true);
    }
    for (const devOnly of ['node_modules/vitest', 'node_modules/typescript', 'node_modules/@anthropic-ai/mcpb', 'node_modules/kysely', 'test', 'src', 'dist/src']) {
      expect(existsSync(path.join(unpacked, devOnly)), devOnly).toBe(false);
    }
  });

  it('starts from its manifest with the user config filled in, syncs and answers', async () => {
    const manifest = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8'));
    const launch = await getMcpConfigForManifest({
      manifest,
      extensionPath: unpacked,
      systemDirs: { HOME: work },
      userConfig: { gohighlevel_api_key: fake.tokens.v2, gohighlevel_location_id: fake.locationId },
      pathSeparator: path.sep,
    });
    expect(launch?.command).toBe('node');
    const env = {
      ...launch!.env,
      // Only for the test: GoHighLevel is the local fake, and the brain stays in the temp folder.
      GOHIGHLEVEL_BASE_URL: fake.url,
      MEDTAINER_DATA_DIR: path.join(work, 'brain'),
      SYNC_ON_START: 'false',
    };
    const server = await spawnServer(env, [], { command: [process.execPath, ...launch!.args!], cwd: '/' });
    try {
      const sync = await server.client.callTool({ name: 'gohighlevel_sync_all_contacts', arguments: { mode: 'full' } });
      expect(sync.isError, JSON.stringify(sync.content)).toBeFalsy();
      expect(sync.structuredContent).toMatchObject({ status: 'succeeded', contacts_fetched: 120 });
      const stats = await server.client.callTool({ name: 'gohighlevel_get_sync_stats', arguments: {} });
      expect(stats.structuredContent).toMatchObject({ total_contacts: 120, database: { kind: 'pglite' } });
      server.child.stdin!.end();
      expect(await server.exited).toBe(0);
      expect(server.stderr()).not.toContain(fake.tokens.v2);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
