import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Bundles the compiled server (dist/src/main.js) into dist/runtime/, what bin/medtainer-mcp.js runs.
// Node 20 loads ES modules one file at a time (the SDK, Kysely and zod are ~400 files): bundled,
// `initialize` is answered in about half the time. PGlite stays an outside package (it finds its
// WASM files next to its own code) and its chunk loads only when the embedded database is opened.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, 'dist', 'runtime');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  metafile: true,
  entryPoints: { 'medtainer-mcp': path.join(root, 'dist', 'src', 'main.js') },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*'],
  // node-postgres is CommonJS and calls require(); an ES module has no require of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});

// The bundle carries code of other packages, whose licences ask that their notices travel with
// it: every package an input file came from, with its licence text (or its package.json's
// licence field when it ships no file).
const packages = new Map<string, string>();
for (const input of Object.keys(result.metafile.inputs)) {
  // The innermost node_modules names the package (node_modules/pg/node_modules/pg-types/… is pg-types).
  const m = [...input.matchAll(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1);
  if (m) packages.set(m[1]!, path.join(root, input.slice(0, m.index! + m[0].length)));
}
const notices = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string; license?: string };
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file && existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), 'utf8').trim() : `License: ${manifest.license ?? 'see the package'}`;
  return `${name}@${manifest.version ?? '?'}\n${'-'.repeat(name.length + 1 + (manifest.version ?? '?').length)}\n${text}\n`;
});
writeFileSync(
  path.join(outdir, 'THIRD_PARTY_LICENSES.txt'),
  `medtainer-mcp bundles code of the following packages into dist/runtime/. Their licences follow.\n\n${notices.join('\n')}`,
);
