import { rmSync } from 'node:fs';
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
await build({
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
