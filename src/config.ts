import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { decodeV1Key } from './ghl/api-key.js';

export type ApiVersion = 'v1' | 'v2';

export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'memory' };

export interface GhlConfig {
  readonly apiKey: string | null;
  readonly locationId: string | null;
  readonly apiVersion: ApiVersion;
  readonly baseUrl: string;
  /** Why GHL cannot be called with this configuration, written for a person; null when it can. */
  readonly unavailableReason: string | null;
}

export interface Config {
  readonly ghl: GhlConfig;
  readonly database: DatabaseTarget;
  readonly dataDir: string;
  readonly sync: {
    readonly intervalMinutes: number;
    readonly cron: string | null;
    readonly onStart: boolean;
  };
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly demo: boolean;
}

export interface ConfigContext {
  platform: NodeJS.Platform;
  homedir: string;
  /** Command-line flags that override the environment (e.g. `--demo`). */
  flags?: { demo?: boolean };
}

export const DEFAULT_BASE_URL: Record<ApiVersion, string> = {
  v2: 'https://services.leadconnectorhq.com',
  v1: 'https://rest.gohighlevel.com/v1',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

// Empty strings count as unset: Desktop configs and .env files often carry `VAR=""`.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const boolean = z.stringbool({ truthy: ['1', 'true', 'yes', 'on'], falsy: ['0', 'false', 'no', 'off'] });

const EnvSchema = z.object({
  GOHIGHLEVEL_API_KEY: optional(z.string().trim()),
  GOHIGHLEVEL_LOCATION_ID: optional(z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a location id such as ve9EPM428h8vShlRW1KT')),
  GOHIGHLEVEL_API_VERSION: optional(z.enum(['v1', 'v2'], { error: 'expected "v1" or "v2"' })),
  GOHIGHLEVEL_BASE_URL: optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })),
  DATABASE_URL: optional(
    z.string().refine((v) => /^postgres(ql)?:\/\//.test(v) || v === 'memory://', {
      error: 'expected postgres://user@host:5432/db or memory://',
    }),
  ),
  MEDTAINER_DATA_DIR: optional(z.string()),
  SYNC_INTERVAL_MINUTES: optional(z.coerce.number({ error: 'expected a number of minutes' }).int('expected whole minutes').min(0).max(1440)),
  SYNC_CRON: optional(
    z.string().check((ctx) => {
      const problem = cronProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    }),
  ),
  SYNC_ON_START: optional(boolean),
  LOG_LEVEL: optional(z.enum(['error', 'warn', 'info', 'debug'], { error: 'expected error, warn, info or debug' })),
  MEDTAINER_DEMO: optional(boolean),
});

/**
 * What is wrong with a SYNC_CRON value, or null. Croner also takes a date (a job that runs once) and
 * patterns that match no real day (30 February): both would leave the schedule silently off.
 */
function cronProblem(pattern: string): string | null {
  let job: Cron;
  try {
    job = new Cron(pattern, { paused: true });
  } catch {
    return 'not a valid cron pattern (e.g. "*/15 * * * *")';
  }
  const once = job.getOnce();
  const next = job.nextRun();
  job.stop();
  if (once) return 'a date is not a schedule; give a cron pattern such as "0 3 * * *" for every night at 03:00';
  if (!next) return 'this pattern never fires: no date matches it; give one that does, such as "0 3 * * *"';
  return null;
}

export function defaultDataDir(ctx: ConfigContext, env: Record<string, string | undefined>): string {
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  if (ctx.platform === 'darwin') return p.join(ctx.homedir, 'Library', 'Application Support', 'medtainer-mcp');
  if (ctx.platform === 'win32') return p.join(env.LOCALAPPDATA || p.join(ctx.homedir, 'AppData', 'Local'), 'medtainer-mcp');
  return p.join(env.XDG_DATA_HOME || p.join(ctx.homedir, '.local', 'share'), 'medtainer-mcp');
}

/** Parses the environment once. Every problem is reported together, each naming the variable to fix. */
export function loadConfig(env: Record<string, string | undefined>, ctx: ConfigContext): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (set it in your shell, .env or the "env" block of claude_desktop_config.json)`),
    );
  }
  const e = parsed.data;
  const demo = ctx.flags?.demo ?? e.MEDTAINER_DEMO ?? false;
  const dataDir = e.MEDTAINER_DATA_DIR ?? defaultDataDir(ctx, env);
  const ghl = resolveGhl(e.GOHIGHLEVEL_API_KEY ?? null, e.GOHIGHLEVEL_LOCATION_ID ?? null, e.GOHIGHLEVEL_API_VERSION, e.GOHIGHLEVEL_BASE_URL);
  const config: Config = {
    ghl,
    database: resolveDatabase(e.DATABASE_URL, dataDir, demo),
    dataDir,
    sync: { intervalMinutes: e.SYNC_INTERVAL_MINUTES ?? 15, cron: e.SYNC_CRON ?? null, onStart: e.SYNC_ON_START ?? true },
    logLevel: e.LOG_LEVEL ?? 'info',
    demo,
  };
  return deepFreeze(config);
}

function resolveDatabase(url: string | undefined, dataDir: string, demo: boolean): DatabaseTarget {
  // Demo data never goes into a real brain: it gets its own embedded directory.
  if (demo) return url === 'memory://' ? { kind: 'memory' } : { kind: 'pglite', dataDir: `${dataDir}-demo` };
  if (url === 'memory://') return { kind: 'memory' };
  if (url) return { kind: 'postgres', url };
  return { kind: 'pglite', dataDir };
}

function resolveGhl(apiKey: string | null, locationId: string | null, version: ApiVersion | undefined, baseUrl: string | undefined): GhlConfig {
  const v1Key = apiKey ? decodeV1Key(apiKey) : null;
  const apiVersion: ApiVersion = version ?? (apiKey?.startsWith('pit-') ? 'v2' : v1Key ? 'v1' : 'v2');
  const location = locationId ?? (apiVersion === 'v1' ? (v1Key?.locationId ?? null) : null);
  let unavailableReason: string | null = null;
  if (!apiKey) {
    unavailableReason = 'GOHIGHLEVEL_API_KEY is not set. Add your GoHighLevel Private Integration Token (pit-…) to the server\'s environment.';
  } else if (apiVersion === 'v2' && !location) {
    unavailableReason = 'GOHIGHLEVEL_LOCATION_ID is not set. The v2 API needs the sub-account (location) id; find it in GoHighLevel under Settings → Business Profile.';
  }
  return {
    apiKey,
    locationId: location,
    apiVersion,
    baseUrl: (baseUrl ?? DEFAULT_BASE_URL[apiVersion]).replace(/\/+$/, ''),
    unavailableReason,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
