import type { App } from '../app.js';
import { getSyncStats } from '../tools/get-sync-stats.js';
import { acrossHandOver } from './handover.js';
import type { CliIo } from './io.js';

export async function statsCommand(app: App, io: CliIo, options: { json: boolean }): Promise<number> {
  const stats = await acrossHandOver(app, () => getSyncStats.handler({}, app.deps, { progress: async () => {}, signal: new AbortController().signal }));
  io.out(options.json ? `${JSON.stringify(stats, null, 2)}\n` : `${getSyncStats.render(stats)}\n`);
  return 0;
}
