import { readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from '../config.js';

/** What a `.env` in the working folder gave: nothing (there is none), its settings, or why it was passed over. */
export type EnvFile =
  | { kind: 'none' }
  | { kind: 'read'; values: Record<string, string | undefined> }
  | { kind: 'ignored'; reason: string };

/**
 * Reads a `.env` as a missing one is treated: a folder of that name (a Python virtual environment
 * is often called .env; Docker makes a folder when it mounts a file that is not there) holds no
 * settings, so it is passed over with a word, not a bare EISDIR. Neither is a pipe or device opened:
 * reading one would wait for ever. A file that exists but cannot be read is refused: its
 * DATABASE_URL or MEDTAINER_DATA_DIR may choose the brain, and another one would look like the
 * person's own.
 */
export function readEnvFile(file: string): EnvFile {
  let isFile: boolean;
  try {
    const s = statSync(file);
    if (s.isDirectory()) return { kind: 'ignored', reason: 'it is a folder, not a settings file (settings are read from a file named .env; a Python virtual environment is often called .env too)' };
    isFile = s.isFile();
  } catch (err) {
    // ENOTDIR: the working folder itself is gone. A dangling link is no file either.
    if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return { kind: 'none' };
    throw unreadable(file, err);
  }
  if (!isFile) return { kind: 'ignored', reason: 'it is not a regular file (a pipe, socket or device); settings are read from a file named .env' };
  try {
    return { kind: 'read', values: parseEnv(readFileSync(file, 'utf8')) };
  } catch (err) {
    throw unreadable(file, err);
  }
}

function unreadable(file: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'this user may not read it' : err instanceof Error ? err.message : String(err);
  return new ConfigError([`${file} cannot be read (${why}); make it readable, or move it out of the folder you run medtainer-mcp in`]);
}
