/**
 * Drives the built server through the MCP Inspector's CLI mode, the way a developer would:
 * lists tools, calls gohighlevel_get_sync_stats, lists the resource template and the prompt.
 * Exits non-zero when any answer is missing or wrong. Used by CI; run it with `npm run inspect:check`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The newest Inspector whose CLI mode runs on Node 20 (later 0.17.0 breaks; 2.x needs Node 22). */
export const INSPECTOR = '@modelcontextprotocol/inspector@0.16.8';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

async function inspect(method: string, ...extra: string[]): Promise<any> {
  const args = ['-y', INSPECTOR, '--cli', '-e', 'DATABASE_URL=memory://', '-e', 'SYNC_ON_START=false', 'node', path.join(root, 'bin/medtainer-mcp.js'), '--method', method, ...extra];
  const { stdout } = await run(npx, args, { cwd: root, maxBuffer: 16 << 20, timeout: 180_000 });
  return JSON.parse(stdout);
}

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  process.stderr.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) failures.push(what);
}

const { tools } = await inspect('tools/list');
const names: string[] = tools.map((t: { name: string }) => t.name);
check(names.length === 8, `tools/list returns 8 tools (${names.join(', ')})`);
check(names.every((n) => /^[a-zA-Z0-9_-]{1,64}$/.test(n)), 'every tool name is accepted by Claude Desktop');

const stats = await inspect('tools/call', '--tool-name', 'gohighlevel_get_sync_stats');
check(stats.isError !== true, 'gohighlevel_get_sync_stats answers without error');
check(stats.structuredContent?.total_contacts === 0 && stats.structuredContent?.last_sync === null, 'stats of an empty brain: 0 contacts, no sync yet');
check(stats.structuredContent?.database?.kind === 'pglite', 'stats names the database kind');

const { resourceTemplates } = await inspect('resources/templates/list');
check(resourceTemplates?.some((t: { uriTemplate: string }) => t.uriTemplate === 'contact://{id}'), 'resources/templates/list offers contact://{id}');

const { prompts } = await inspect('prompts/list');
check(prompts?.some((p: { name: string }) => p.name === 'daily_briefing'), 'prompts/list offers daily_briefing');

if (failures.length) {
  process.stderr.write(`\n${failures.length} Inspector check(s) failed.\n`);
  process.exitCode = 1;
} else {
  process.stderr.write('\nThe Inspector sees a working server.\n');
}
