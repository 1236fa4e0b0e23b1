import type { App } from '../app.js';
import type { AnyTool } from '../tools/define-tool.js';
import { findContactsNeedingFollowUp } from '../tools/find-contacts-needing-follow-up.js';
import { getSyncStats } from '../tools/get-sync-stats.js';
import { pipelineDigest } from '../tools/pipeline-digest.js';
import { readContacts } from '../tools/read-contacts.js';
import { DEMO_NOTICE } from '../tools/register.js';
import { searchContacts } from '../tools/search-contacts.js';
import type { CliIo } from './io.js';
import { createProgressReporter } from './progress-bar.js';

/** Example questions and the tool calls that answer them. */
const EXAMPLES: Array<{ question: string; tool: AnyTool; input: Record<string, unknown> }> = [
  // From the brain: no API request.
  { question: 'Show me rachel from fresh headies', tool: searchContacts, input: { query: 'show me rachel from fresh headies', limit: 3 } },
  { question: 'Recent leads', tool: searchContacts, input: { query: 'recent leads', limit: 5 } },
  { question: 'Who needs follow-up?', tool: findContactsNeedingFollowUp, input: { days: 30, limit: 5 } },
  { question: 'Is the CRM brain healthy?', tool: getSyncStats, input: {} },
  // Live from GoHighLevel.
  { question: 'Look up Fresh Headies in GoHighLevel right now', tool: readContacts, input: { query: 'freshheadies', limit: 3 } },
  { question: 'How is the pipeline doing this month?', tool: pipelineDigest, input: { pipeline: 'Wholesale' } },
];

/** `npm run demo`: a full sync of the simulated location with a progress bar, then example answers. */
export async function demoCommand(app: App, io: CliIo): Promise<number> {
  io.err(`${DEMO_NOTICE}\n\nSyncing the simulated GoHighLevel location into a throw-away brain…\n`);
  const handle = await app.sync.start('cli', 'full');
  const bar = createProgressReporter(io.err, io.isTTY);
  handle.onProgress((p) => bar.update(p.fetched, p.total, 'contacts'));
  const run = await handle.done;
  bar.finish();
  if (run.status !== 'succeeded') {
    io.err(`The demo sync failed: ${run.error}\n`);
    return 1;
  }
  io.out(`Synced ${run.contacts_fetched} contacts in ${run.finished_at!.getTime() - run.started_at.getTime()} ms with ${run.api_requests} API requests.\n`);
  for (const ex of EXAMPLES) {
    const input = ex.tool.inputSchema.parse(ex.input);
    const output = await ex.tool.handler(input, app.deps, { progress: async () => {}, signal: new AbortController().signal });
    io.out(`\n> ${ex.question}   (${ex.tool.name})\n${DEMO_NOTICE}\n${ex.tool.render(output)}\n`);
  }
  io.out(`\nTo use it from Claude Desktop, add the server with "--demo" (or your own GOHIGHLEVEL_API_KEY); see README.md.\n`);
  return 0;
}
