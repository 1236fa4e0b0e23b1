import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getMcpConfigForManifest, v0_3 } from '@anthropic-ai/mcpb';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { tools } from '../../src/tools/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
const manifest = read('manifest.json');
const ctx = { platform: 'linux' as const, homedir: '/home/owner' };

describe('the Claude Desktop bundle manifest', () => {
  it('is a valid MCPB 0.3 manifest for this package version, listing exactly the registered tools', () => {
    const parsed = v0_3.McpbManifestSchema.safeParse(manifest);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const pkg = read('package.json');
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.server.entry_point).toBe(Object.values(pkg.bin)[0]);
    expect(manifest.tools.map((t: { name: string }) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
  });

  it('asks for the token as a secret and configures a working server when only the required fields are filled', async () => {
    expect(manifest.user_config.gohighlevel_api_key).toMatchObject({ sensitive: true, required: true });
    expect(manifest.user_config.database_url).toMatchObject({ sensitive: true, required: false });
    const launch = await getMcpConfigForManifest({
      manifest,
      extensionPath: '/bundles/medtainer-mcp',
      systemDirs: { HOME: '/home/owner' },
      userConfig: { gohighlevel_api_key: 'pit-00000000-0000-4000-8000-000000000001', gohighlevel_location_id: 've9EPM428h8vShlRW1KT' },
      pathSeparator: '/',
    });
    expect(launch?.args).toEqual(['/bundles/medtainer-mcp/bin/medtainer-mcp.js']);
    // An unset optional field must not reach the server as a literal "${user_config…}".
    expect(JSON.stringify(launch?.env)).not.toMatch(/\$\{/);
    const config = loadConfig(launch!.env!, ctx);
    expect(config.ghl.locationId).toBe('ve9EPM428h8vShlRW1KT');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/home/owner/.local/share/medtainer-mcp' });

    const withPg = await getMcpConfigForManifest({
      manifest,
      extensionPath: '/b',
      systemDirs: {},
      userConfig: { gohighlevel_api_key: 'k', gohighlevel_location_id: 'loc1', database_url: 'postgres://crm@db.internal:5432/brain' },
      pathSeparator: '/',
    });
    expect(loadConfig(withPg!.env!, ctx).database).toMatchObject({ kind: 'postgres', url: 'postgres://crm@db.internal:5432/brain' });
  });
});
