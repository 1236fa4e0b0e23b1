import { createHash } from 'node:crypto';
import { lstatSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the process holding the embedded database serves it to the others. */
export type Endpoint = { kind: 'unix'; dir: string; socketPath: string } | { kind: 'tcp'; port: number };

/**
 * A unix socket in a private directory named after the data directory (short enough for the
 * ~100-byte socket path limit); on Windows, a loopback TCP port chosen when serving starts.
 */
export function endpointFor(dataDir: string, platform = process.platform): Endpoint {
  if (platform === 'win32') return { kind: 'tcp', port: 0 };
  let real = path.resolve(dataDir);
  try {
    real = realpathSync(real);
  } catch {
    // Not created yet: the resolved path names it just as well.
  }
  const dir = path.join(os.tmpdir(), `medtainer-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`);
  return { kind: 'unix', dir, socketPath: path.join(dir, '.s.PGSQL.5432') };
}

/**
 * Whether a socket directory is this account's alone: a real directory (no link), owned by this
 * account, closed to everyone else. Its name is predictable, so another account could create it
 * first in the shared /tmp and put a database of its own behind the socket inside.
 */
export function isPrivateDir(dir: string): boolean {
  try {
    const s = lstatSync(dir);
    const mine = process.getuid?.();
    return s.isDirectory() && (mine === undefined || s.uid === mine) && (s.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

export function formatEndpoint(e: Endpoint): string {
  return e.kind === 'unix' ? `unix:${e.dir}` : `tcp:127.0.0.1:${e.port}`;
}

export function parseEndpoint(s: string): Endpoint | null {
  if (s.startsWith('unix:')) {
    const dir = s.slice(5);
    return { kind: 'unix', dir, socketPath: path.join(dir, '.s.PGSQL.5432') };
  }
  const m = /^tcp:127\.0\.0\.1:(\d+)$/.exec(s);
  return m ? { kind: 'tcp', port: Number(m[1]) } : null;
}

/** node-postgres settings that reach an endpoint. */
export function pgSettings(e: Endpoint): { host: string; port: number } {
  return e.kind === 'unix' ? { host: e.dir, port: 5432 } : { host: '127.0.0.1', port: e.port };
}
