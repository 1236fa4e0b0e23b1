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
  /**
   * Malformed settings a server replaced by their default (see ConfigContext.lenient), each a
   * sentence naming the variable; always empty for a strict load, which refuses them instead.
   */
  readonly problems: readonly string[];
}

export interface ConfigContext {
  platform: NodeJS.Platform;
  homedir: string;
  /** Command-line flags that override the environment (e.g. `--demo`). */
  flags?: { demo?: boolean };
  /**
   * A server (and doctor, which reports on one) keeps going on a malformed setting that only tunes
   * it: in Claude Desktop a refusal is a bare "Server disconnected" and every tool gone, brain tools
   * included. One-shot commands stay strict and refuse any malformed value.
   */
  lenient?: boolean;
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

/** Where a person fixes a setting, said after each problem. */
export const WHERE_TO_SET = 'set it in your shell, .env or the "env" block of claude_desktop_config.json';

// Every value is trimmed (a trailing space is invisible in a config file, and in MEDTAINER_DATA_DIR
// it silently made a new, empty brain); empty strings count as unset: Desktop configs and .env
// files often carry `VAR=""`.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), schema.optional());

const boolean = z.stringbool({
  truthy: ['1', 'true', 'yes', 'y', 'on'],
  falsy: ['0', 'false', 'no', 'n', 'off'],
  error: 'expected true or false (also 1/0, yes/no, on/off)',
});

// The server's own log lines say INFO and WARN, and "warning" is the MCP and syslog name.
const logLevel = z.preprocess(
  (v) => (typeof v === 'string' ? (v.toLowerCase() === 'warning' ? 'warn' : v.toLowerCase()) : v),
  z.enum(['error', 'warn', 'info', 'debug'], { error: 'expected error, warn, info or debug' }),
);

const EnvSchema = z.object({
  GOHIGHLEVEL_API_KEY: optional(z.string()),
  GOHIGHLEVEL_LOCATION_ID: optional(z.string().check(problemCheck(locationProblem))),
  GOHIGHLEVEL_API_VERSION: optional(z.enum(['v1', 'v2'], { error: 'expected "v1" or "v2"' })),
  GOHIGHLEVEL_BASE_URL: optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).check(problemCheck(baseUrlProblem))),
  DATABASE_URL: optional(
    z.string().refine((v) => /^postgres(ql)?:\/\//.test(v) || v === 'memory://', {
      error: 'expected postgres://user@host:5432/db or memory://',
    }),
  ),
  MEDTAINER_DATA_DIR: optional(z.string()),
  SYNC_INTERVAL_MINUTES: optional(
    z.coerce
      .number({ error: 'expected a number of minutes' })
      .int('expected whole minutes')
      .min(0, 'expected 0 (no schedule) to 1440 minutes (a day)')
      .max(1440, 'expected at most 1440 minutes (a day); SYNC_CRON sets longer periods'),
  ),
  SYNC_CRON: optional(z.string().check(problemCheck(cronProblem))),
  SYNC_ON_START: optional(boolean),
  LOG_LEVEL: optional(logLevel),
  MEDTAINER_DEMO: optional(boolean),
});

type Variable = keyof z.infer<typeof EnvSchema>;

/**
 * What a lenient load does with a malformed variable. Settings that only tune the server fall back
 * to their default, said in Config.problems. A GoHighLevel setting turns GoHighLevel off with the
 * problem as the reason: guessing another API root or location could send the token elsewhere.
 * DATABASE_URL, MEDTAINER_DATA_DIR and MEDTAINER_DEMO choose which brain is opened: a default would
 * be another brain (an empty one, or the real one instead of the demo's) that looks like the
 * person's own, so they stay fatal.
 */
const FALLBACK: Partial<Record<Variable, string>> = {
  LOG_LEVEL: 'info',
  SYNC_INTERVAL_MINUTES: '15 minutes',
  SYNC_CRON: 'SYNC_INTERVAL_MINUTES (every 15 minutes unless set)',
  SYNC_ON_START: 'true',
};
const GHL_VARIABLES: readonly Variable[] = ['GOHIGHLEVEL_API_KEY', 'GOHIGHLEVEL_LOCATION_ID', 'GOHIGHLEVEL_API_VERSION', 'GOHIGHLEVEL_BASE_URL'];

function problemCheck(problemOf: (value: string) => string | null) {
  return (ctx: z.core.ParsePayload<string>) => {
    const problem = problemOf(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  };
}

/** Tokens look nothing like a location id; one here means the two values were pasted the wrong way round. */
function locationProblem(value: string): string | null {
  if (looksLikeToken(value)) return 'this looks like a token, not a location id: GOHIGHLEVEL_API_KEY and GOHIGHLEVEL_LOCATION_ID swapped?';
  return /^[A-Za-z0-9_-]{1,64}$/.test(value) ? null : 'expected a location id such as ve9EPM428h8vShlRW1KT';
}

function looksLikeToken(value: string): boolean {
  return /^pit-/i.test(value) || /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\./.test(value) || /^bearer\s/i.test(value);
}

/**
 * The token goes in a header to this URL: never in clear over a network (http is for a proxy or a
 * test server on this machine), and never beside credentials in the URL, which fetch refuses.
 */
function baseUrlProblem(value: string): string | null {
  const url = new URL(value);
  if (url.username || url.password) return 'remove the user name and password from the URL: the token is what authenticates';
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return 'http:// would send the token unencrypted over the network; use https:// (http is accepted only for this machine: localhost, 127.0.0.1, [::1])';
  }
  return null;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

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
  // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored. LOCALAPPDATA likewise.
  const absolute = (value: string | undefined) => (value && p.isAbsolute(value) ? value : undefined);
  if (ctx.platform === 'darwin') return p.join(ctx.homedir, 'Library', 'Application Support', 'medtainer-mcp');
  if (ctx.platform === 'win32') return p.join(absolute(env.LOCALAPPDATA) ?? p.join(ctx.homedir, 'AppData', 'Local'), 'medtainer-mcp');
  return p.join(absolute(env.XDG_DATA_HOME) ?? p.join(ctx.homedir, '.local', 'share'), 'medtainer-mcp');
}

/**
 * The per-user folder, which must not depend on the working folder either: an empty or relative
 * HOME (Node then gives it as it is) made the brain ".local/share/medtainer-mcp" under whatever
 * folder a command ran in.
 */
function defaultDir(ctx: ConfigContext, env: Record<string, string | undefined>): { dir: string } | { problem: string } {
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  const dir = defaultDataDir(ctx, env);
  if (p.isAbsolute(dir)) return { dir };
  return { problem: `unset, and the default folder "${dir}" would depend on the working folder: ${describeHome(ctx)}; set MEDTAINER_DATA_DIR to an absolute path, or fix ${homeVariable(ctx)}` };
}

/** What is wrong with a home folder that is not an absolute path, naming the variable Node reads it from. */
function describeHome(ctx: ConfigContext): string {
  return `the home folder (${homeVariable(ctx)}) is ${ctx.homedir ? `"${ctx.homedir}", not an absolute path` : 'empty'}`;
}

function homeVariable(ctx: ConfigContext): string {
  return ctx.platform === 'win32' ? 'USERPROFILE' : 'HOME';
}

/**
 * A MEDTAINER_DATA_DIR as a person writes it: a leading ~ is their home folder (Desktop's "env"
 * block expands nothing). Any other relative path would depend on the working folder, and Claude
 * Desktop starts servers in /, so a terminal and Desktop would each use a brain of their own.
 */
function resolveDataDir(value: string, ctx: ConfigContext): { dir: string } | { problem: string } {
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  // With an empty HOME, "~/brain" would be "/brain".
  if (/^~(?:$|[/\\])/.test(value) && !p.isAbsolute(ctx.homedir)) return { problem: `starts with ~, but ${describeHome(ctx)}; give an absolute path, or fix ${homeVariable(ctx)}` };
  const dir = withHome(value, ctx);
  if (p.isAbsolute(dir)) return { dir: withoutTrailingSeparator(dir, p) };
  return { problem: `must be an absolute path (or start with ~), not "${value}": Claude Desktop starts servers in /, so a relative folder would not be the one you mean` };
}

/** A folder as people write one: a leading ~ is their home folder. */
export function withHome(value: string, ctx: Pick<ConfigContext, 'platform' | 'homedir'>): string {
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  return /^~(?:$|[/\\])/.test(value) ? p.join(ctx.homedir, value.slice(1)) : value;
}

/** "~/brain/" as "~/brain": the demo brain beside it is `<dir>-demo`, which must not land inside it ("brain/-demo"). */
function withoutTrailingSeparator(dir: string, p: path.PlatformPath): string {
  const normal = p.normalize(dir);
  return normal.length > p.parse(normal).root.length ? normal.replace(/[\\/]+$/, '') : normal;
}

/**
 * Parses the environment once. Every problem is reported together, each naming the variable to fix;
 * a lenient load keeps going where that is safe (see FALLBACK).
 */
export function loadConfig(env: Record<string, string | undefined>, ctx: ConfigContext): Config {
  const invalid = new Map<Variable, string>();
  const parsed = EnvSchema.safeParse(env);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const name = issue.path[0] as Variable;
    if (!invalid.has(name)) invalid.set(name, issue.message);
  }
  // Each variable is checked on its own: without the malformed ones, the rest parses.
  const e = parsed.success ? parsed.data : EnvSchema.parse(Object.fromEntries(Object.entries(env).filter(([k]) => !invalid.has(k as Variable))));
  const demo = ctx.flags?.demo ?? e.MEDTAINER_DEMO ?? false;
  const dir = e.MEDTAINER_DATA_DIR === undefined ? defaultDir(ctx, env) : resolveDataDir(e.MEDTAINER_DATA_DIR, ctx);
  // A default that cannot be used matters only where the embedded brain is opened (not with PostgreSQL).
  const embedded = resolveDatabase(e.DATABASE_URL, '', demo).kind === 'pglite';
  if ('problem' in dir && (e.MEDTAINER_DATA_DIR !== undefined || embedded)) invalid.set('MEDTAINER_DATA_DIR', dir.problem);

  const fatal = [...invalid].filter(([name]) => !ctx.lenient || !(name in FALLBACK || GHL_VARIABLES.includes(name)));
  if (fatal.length) throw new ConfigError([...invalid].map(([name, message]) => `${name}: ${message} (${WHERE_TO_SET})`));
  const problems = [...invalid].filter(([name]) => name in FALLBACK).map(([name, message]) => `${name}: ${message}; using ${FALLBACK[name]} until it is fixed`);
  const ghlInvalid = [...invalid].find(([name]) => GHL_VARIABLES.includes(name));

  const dataDir = 'dir' in dir ? dir.dir : ''; // a refused one threw above, or is not used
  const ghl = resolveGhl(e.GOHIGHLEVEL_API_KEY ?? null, e.GOHIGHLEVEL_LOCATION_ID ?? null, e.GOHIGHLEVEL_API_VERSION, e.GOHIGHLEVEL_BASE_URL);
  const config: Config = {
    ghl: ghlInvalid ? { ...ghl, unavailableReason: `${ghlInvalid[0]}: ${ghlInvalid[1]}` } : ghl,
    database: resolveDatabase(e.DATABASE_URL, dataDir, demo),
    dataDir,
    sync: { intervalMinutes: e.SYNC_INTERVAL_MINUTES ?? 15, cron: e.SYNC_CRON ?? null, onStart: e.SYNC_ON_START ?? true },
    logLevel: e.LOG_LEVEL ?? 'info',
    demo,
    problems,
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

/**
 * The token as people paste it: one pair of surrounding quotes (Windows `set VAR="…"`, docker env
 * files) and a `Bearer ` prefix copied from a curl example are not part of it.
 */
function cleanApiKey(raw: string): string | null {
  let key = raw;
  if (key.length >= 2 && (key[0] === '"' || key[0] === "'") && key.endsWith(key[0])) key = key.slice(1, -1).trim();
  key = key.replace(/^bearer\s+/i, '').trim();
  return key || null;
}

/** A token travels in an HTTP header, which carries visible ASCII only; anything else fails every call. */
function apiKeyProblem(key: string): string | null {
  // The README's "pit-…", and the all-zero token of claude_desktop_config.example.json.
  if (key.includes('…') || key === 'pit-...' || /^pit-0{8}-0{4}-0{4}-0{4}-0{12}$/.test(key)) {
    return 'GOHIGHLEVEL_API_KEY is still the placeholder "pit-…". Put your Private Integration Token there (GoHighLevel → Settings → Private Integrations).';
  }
  if (!/^[\x21-\x7e]+$/.test(key)) {
    return 'GOHIGHLEVEL_API_KEY holds a character a token cannot (a space, a line break, or a non-ASCII character such as a curly quote). Paste the token again exactly as GoHighLevel shows it.';
  }
  return null;
}

function resolveGhl(rawKey: string | null, locationId: string | null, version: ApiVersion | undefined, baseUrl: string | undefined): GhlConfig {
  const apiKey = rawKey === null ? null : cleanApiKey(rawKey);
  const v1Key = apiKey ? decodeV1Key(apiKey) : null;
  const apiVersion: ApiVersion = version ?? (apiKey?.startsWith('pit-') ? 'v2' : v1Key ? 'v1' : 'v2');
  const location = locationId ?? (apiVersion === 'v1' ? (v1Key?.locationId ?? null) : null);
  return {
    apiKey,
    locationId: location,
    apiVersion,
    baseUrl: (baseUrl ?? DEFAULT_BASE_URL[apiVersion]).replace(/\/+$/, ''),
    unavailableReason: ghlProblem(apiKey, location, apiVersion, v1Key !== null),
  };
}

/** Why this key, location and version cannot reach GoHighLevel, or null; each says what to change. */
function ghlProblem(apiKey: string | null, location: string | null, apiVersion: ApiVersion, isV1Key: boolean): string | null {
  if (!apiKey) return 'GOHIGHLEVEL_API_KEY is not set. Add your GoHighLevel Private Integration Token (pit-…) to the server\'s environment.';
  const keyProblem = apiKeyProblem(apiKey);
  if (keyProblem) return keyProblem;
  if (location === 'your-location-id') {
    return 'GOHIGHLEVEL_LOCATION_ID is still the placeholder "your-location-id". Put your sub-account (location) id there; find it in GoHighLevel under Settings → Business Profile.';
  }
  if (apiVersion === 'v1' && apiKey.startsWith('pit-')) {
    return 'GOHIGHLEVEL_API_VERSION=v1, but a Private Integration Token (pit-…) works with the v2 API only. Remove GOHIGHLEVEL_API_VERSION.';
  }
  if (apiVersion === 'v1' && !location) {
    return 'GOHIGHLEVEL_API_VERSION=v1 needs a v1 location API key (a JWT carrying location_id), and GOHIGHLEVEL_API_KEY is not one. For a Private Integration Token or an OAuth token, remove GOHIGHLEVEL_API_VERSION and set GOHIGHLEVEL_LOCATION_ID.';
  }
  if (apiVersion === 'v2' && isV1Key) {
    return 'GOHIGHLEVEL_API_KEY is a v1 location API key, but GOHIGHLEVEL_API_VERSION=v2. Remove GOHIGHLEVEL_API_VERSION (the key then uses the v1 API), or use a Private Integration Token (pit-…).';
  }
  if (apiVersion === 'v2' && !location) {
    return 'GOHIGHLEVEL_LOCATION_ID is not set. The v2 API needs the sub-account (location) id; find it in GoHighLevel under Settings → Business Profile.';
  }
  return null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
