import type { App } from '../app.js';
import { getSyncStats } from '../tools/get-sync-stats.js';
import { DEMO_NOTICE } from '../tools/register.js';
import { acrossHandOver } from './handover.js';
import type { CliIo } from './io.js';

export async function statsCommand(app: App, io: CliIo, options: { json: boolean }): Promise<number> {
  const stats = await acrossHandOver(app, () => getSyncStats.handler({}, app.deps, { progress: async () => {}, signal: new AbortController().signal }));
  // Demo figures must not pass for the real CRM's, whether read by a person or by a script.
  const demo = app.deps.config.demo;
  io.out(options.json ? `${JSON.stringify(demo ? { notice: DEMO_NOTICE, ...stats } : stats, null, 2)}\n` : `${demo ? `${DEMO_NOTICE}\n` : ''}${getSyncStats.render(stats)}\n`);
  return 0;
}
