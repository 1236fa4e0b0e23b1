/**
 * Builds the Claude Desktop bundle (`.mcpb`): the npm package's files, its production
 * dependencies installed from the lockfile, and manifest.json, zipped by the official mcpb packer.
 *
 *   npm run bundle                 → dist/medtainer-mcp-<version>.mcpb
 *   npm run bundle -- --out <dir>  → <dir>/medtainer-mcp-<version>.mcpb
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packExtension } from '@anthropic-ai/mcpb';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outIndex = process.argv.indexOf('--out');
const outDir = path.resolve(outIndex > 0 ? process.argv[outIndex + 1]! : path.join(root, 'dist'));

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as { name: string; version: string };
if (manifest.version !== pkg.version || manifest.name !== pkg.name) {
  throw new Error(`manifest.json says ${manifest.name}@${manifest.version} but package.json says ${pkg.name}@${pkg.version}; make them agree.`);
}

const work = path.join(outDir, 'bundle-work');
const staging = path.join(work, 'package');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const say = (line: string) => process.stderr.write(`${line}\n`);

// The same files `npm pack` ships, so the bundle and the npm package never drift apart.
say('packing the npm package…');
const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }))[0] as { filename: string };
execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);

say('installing production dependencies from the lockfile…');
copyFileSync(path.join(root, 'package-lock.json'), path.join(staging, 'package-lock.json'));
execFileSync(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'] });
copyFileSync(path.join(root, 'manifest.json'), path.join(staging, 'manifest.json'));

const bundle = path.join(outDir, `${pkg.name}-${pkg.version}.mcpb`);
say('zipping the bundle…');
if (!(await packExtension({ extensionPath: staging, outputPath: bundle, silent: true }))) {
  throw new Error('mcpb refused to pack the bundle (run `npx mcpb validate manifest.json` for details).');
}
rmSync(work, { recursive: true, force: true });
say(`built ${path.relative(process.cwd(), bundle) || bundle} (${(statSync(bundle).size / 1024 / 1024).toFixed(1)} MB)`);
