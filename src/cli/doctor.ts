import type { App } from '../app.js';
import { databaseSizeBytes } from '../db/connection.js';
import { DatabaseUnavailableError } from '../errors.js';
import { GhlError } from '../ghl/errors.js';
import { describeSkew } from '../ghl/server-clock.js';
import { acrossHandOver } from './handover.js';
import type { CliIo } from './io.js';

/**
 * `medtainer-mcp doctor`: checks the configuration, the database and one cheap authenticated GHL
 * call, and says what to fix. Exit code 1 when anything needs fixing.
 */
export async function doctorCommand(app: App, io: CliIo): Promise<number> {
  const { config } = app.deps;
  let problems = 0;
  const ok = (msg: string) => io.out(`  ok    ${msg}\n`);
  const bad = (msg: string, fix: string) => {
    problems += 1;
    io.out(`  FAIL  ${msg}\n        fix: ${fix}\n`);
  };

  io.out('Configuration\n');
  ok(`GoHighLevel API ${config.ghl.apiVersion} at ${config.ghl.baseUrl}${config.ghl.locationId ? `, location ${config.ghl.locationId}` : ''}`);
  if (config.ghl.unavailableReason) bad('GoHighLevel is not configured', config.ghl.unavailableReason);
  ok(`sync ${config.sync.cron ? `on cron "${config.sync.cron}"` : config.sync.intervalMinutes ? `every ${config.sync.intervalMinutes} minutes` : 'schedule off'}`);

  io.out('Database\n');
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

  io.out('GoHighLevel\n');
  const ghl = app.deps.ghl;
  // Not configured: already one problem above, with its fix; not counted twice.
  if (!ghl) io.out(`  --    skipped: ${config.ghl.unavailableReason ? 'GoHighLevel is not configured (see above)' : 'no client'}\n`);
  else {
    try {
      const page = await ghl.searchLive(undefined, 1);
      ok(`authenticated: the location has ${page.total} contacts`);
      const rl = ghl.http.pacer.state;
      const daily = rl.dailyRemaining !== null ? `${rl.dailyRemaining.toLocaleString('en-US')} of ${rl.dailyLimit?.toLocaleString('en-US') ?? '?'} requests left today` : 'daily budget not reported';
      if (rl.dailyRemaining !== null && rl.dailyRemaining < 1_000) bad(`rate limit: ${daily}`, 'wait for the daily budget to reset, or reduce other integrations using this location');
      else ok(`rate limit: ${rl.max} per ${rl.intervalMs / 1000} s; ${daily}`);
      // Not a problem for the sync (it asks in GHL's time), but worth knowing and fixing.
      const skew = describeSkew(ghl.http.clock.offset);
      if (skew) io.out(`  note  ${skew}; syncs use GoHighLevel's time, but fix this machine's clock (NTP)\n`);
    } catch (err) {
      if (err instanceof GhlError) bad(err.message, err.hint ?? 'check GOHIGHLEVEL_BASE_URL and the network');
      else throw err;
    }
  }
  io.out(problems ? `\n${problems} problem(s) to fix.\n` : '\nEverything looks good.\n');
  return problems ? 1 : 0;
}
