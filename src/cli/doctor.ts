import type { App } from '../app.js';
import { type Config, WHERE_TO_SET } from '../config.js';
import { databaseSizeBytes } from '../db/connection.js';
import { DatabaseUnavailableError } from '../errors.js';
import { GhlError } from '../ghl/errors.js';
import { describeSkew } from '../ghl/server-clock.js';
import { redact } from '../redact.js';
import { acrossHandOver } from './handover.js';
import type { CliIo } from './io.js';
import { deadline } from '../deadline.js';

export interface DoctorOptions {
  /** The simulated location's address when running with --demo: what is checked instead of the settings. */
  demoUrl?: string | null;
}

/** How long doctor's one GoHighLevel call may take in all, retries included. */
const DOCTOR_GHL_DEADLINE_MS = 20_000;

/**
 * `medtainer-mcp doctor`: checks the configuration, the database and one cheap authenticated GHL
 * call, and says what to fix. Exit code 1 when anything needs fixing.
 */
export async function doctorCommand(app: App, io: CliIo, options: DoctorOptions = {}): Promise<number> {
  const { config } = app.deps;
  // Its output gets pasted into support requests: a token typed into the wrong variable stays out.
  const out = (text: string) => io.out(redact(text, config.ghl.apiKey ? [config.ghl.apiKey] : []));
  let problems = 0;
  const ok = (msg: string) => out(`  ok    ${msg}\n`);
  const bad = (msg: string, fix: string) => {
    problems += 1;
    out(`  FAIL  ${msg}\n        fix: ${fix}\n`);
  };

  out('Configuration\n');
  // Demo mode talks to the simulated location whatever the GoHighLevel settings say.
  if (options.demoUrl) ok(`demo: simulated location at ${options.demoUrl}`);
  else {
    ok(`GoHighLevel API ${config.ghl.apiVersion} at ${config.ghl.baseUrl}${config.ghl.locationId ? `, location ${config.ghl.locationId}` : ''}`);
    if (config.ghl.unavailableReason) bad('GoHighLevel is not configured', config.ghl.unavailableReason);
  }
  // A server starts with these settings' defaults; doctor says what to fix.
  for (const problem of config.problems) bad(problem, WHERE_TO_SET);
  ok(`sync ${describeSchedule(config.sync)}`);

  out('Database\n');
  try {
    const { description, size } = await acrossHandOver(app, async () => {
      const handle = await app.database();
      return { description: handle.description, size: await databaseSizeBytes(handle.db) };
    });
    ok(`${description}: migrations applied, ${(size / 1e6).toFixed(1)} MB`);
  } catch (err) {
    // The app's error says where and why, and what to check (every failure to open comes as one).
    const e = err instanceof DatabaseUnavailableError ? err : null;
    bad(e?.message ?? `cannot open the database: ${String(err)}`, e?.check ?? 'check the database settings');
  }

  out('GoHighLevel\n');
  const ghl = app.deps.ghl;
  // Not configured: already one problem above, with its fix; not counted twice.
  if (!ghl && config.ghl.unavailableReason && !options.demoUrl) out('  --    skipped: GoHighLevel is not configured (see above)\n');
  else if (!ghl) bad('no GoHighLevel client for these settings', 'check GOHIGHLEVEL_API_KEY, GOHIGHLEVEL_LOCATION_ID and GOHIGHLEVEL_API_VERSION');
  else {
    try {
      // A host that never answers would otherwise hold doctor for minutes (30 s an attempt, with retries).
      const limit = deadline(DOCTOR_GHL_DEADLINE_MS);
      const page = await ghl.searchLive(undefined, 1, limit.signal).finally(limit.clear);
      ok(`authenticated: the location has ${page.total} contacts`);
      const rl = ghl.http.pacer.state;
      const daily = rl.dailyRemaining !== null ? `${rl.dailyRemaining.toLocaleString('en-US')} of ${rl.dailyLimit?.toLocaleString('en-US') ?? '?'} requests left today` : 'daily budget not reported';
      if (rl.dailyRemaining !== null && rl.dailyRemaining < 1_000) bad(`rate limit: ${daily}`, 'wait for the daily budget to reset, or reduce other integrations using this location');
      else ok(`rate limit: ${rl.max} per ${rl.intervalMs / 1000} s; ${daily}`);
      // Not a problem for the sync (it asks in GHL's time), but worth knowing and fixing.
      const skew = describeSkew(ghl.http.clock.offset);
      if (skew) out(`  note  ${skew}; syncs use GoHighLevel's time, but fix this machine's clock (NTP)\n`);
    } catch (err) {
      if (err instanceof GhlError) bad(err.message, err.hint ?? 'check GOHIGHLEVEL_BASE_URL and the network');
      else throw err;
    }
  }
  out(problems ? `\n${problems} problem(s) to fix.\n` : '\nEverything looks good.\n');
  return problems ? 1 : 0;
}

/**
 * The schedule, and whether a starting server syncs: "schedule off" alone read as "never syncs",
 * while a server with SYNC_ON_START (the default) still syncs at every start.
 */
function describeSchedule(sync: Config['sync']): string {
  if (sync.cron) return `on cron "${sync.cron}"${sync.onStart ? '' : ', not at start (SYNC_ON_START=false)'}`;
  if (sync.intervalMinutes) return `every ${sync.intervalMinutes} minutes${sync.onStart ? '' : ', not at start (SYNC_ON_START=false)'}`;
  return sync.onStart
    ? 'schedule off (SYNC_INTERVAL_MINUTES=0): a server still syncs at each start (SYNC_ON_START), and when asked'
    : 'schedule off (SYNC_INTERVAL_MINUTES=0, SYNC_ON_START=false): only when asked (the sync tool, or medtainer-mcp sync)';
}
