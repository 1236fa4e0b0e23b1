import { setTimeout as sleep } from 'node:timers/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isConnectionLost, onceMoreIfConnectionLost, readAgainIfConnectionEnded } from '../db/connection-lost.js';
import { recordToolExecution, type ToolExecution } from '../db/tool-executions.repository.js';
import { isLockTimeout, sessionsInTheWay, STATEMENT_LOCK_TIMEOUT } from '../db/lock-holders.js';
import { databaseUnavailable } from '../db/unavailable.js';
import { deadline } from '../deadline.js';
import { DatabaseUnavailableError, NoAnswerError, ToolError } from '../errors.js';
import { GhlError } from '../ghl/errors.js';
import { makeStorable, storable } from '../ghl/storable-text.js';
import { redact, redactValue } from '../redact.js';
import { ANSWER_DEADLINE_MS, type AnyTool, type ToolContext, type ToolDeps } from './define-tool.js';
import { tracked } from './in-flight.js';
import { answeredInTime } from './no-answer.js';

export const DEMO_NOTICE = 'DEMO DATA: this answer comes from a simulated GoHighLevel location, not your CRM.';

/**
 * In demo mode every structured result carries the notice too: some clients hand the model only
 * the structured content (not the text), and a demo answer must still say it is one.
 */
const DemoNotice = { notice: z.literal(DEMO_NOTICE).describe('Demo mode only: the answer comes from a simulated GoHighLevel location') };

/** The one place tools meet the protocol: timing, audit trail, progress and error mapping. */
export function registerTools(server: McpServer, tools: readonly AnyTool[], deps: ToolDeps): void {
  const secrets = deps.config.ghl.apiKey ? [deps.config.ghl.apiKey] : [];
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        // An argument the tool does not take is refused, not ignored: a model guessing a field's
        // name ("name" for query) must not get a confident answer to another question. (A tool
        // without arguments takes whatever some clients add to every call.)
        inputSchema: Object.keys(tool.inputSchema.shape).length ? (tool.inputSchema as z.ZodObject).strict() : (tool.inputSchema as z.ZodObject),
        outputSchema: deps.config.demo ? (tool.outputSchema as z.ZodObject).extend(DemoNotice) : (tool.outputSchema as z.ZodObject),
        annotations: { title: tool.title, ...tool.annotations },
      },
      // Counted while it runs (see InFlightCalls): a shutdown lets it finish and answer.
      tracked(deps.inFlight, async (args, extra) => {
        const startedAt = new Date();
        const t0 = performance.now();
        const token = extra._meta?.progressToken;
        let progressSent = false;
        let lastProgress = Number.NEGATIVE_INFINITY;
        const limitMs = Math.max(deps.answerDeadlineMs ?? ANSWER_DEADLINE_MS, tool.answersWithinMs?.(args) ?? 0);
        // The handler's own waits (a live read, a sync's wait) end with the call's deadline too.
        const call = deadline(limitMs, extra.signal);
        const ctx: ToolContext = {
          signal: call.signal,
          progress: async (update) => {
            // MCP wants each value above the last: following another process's run polls its row
            // (the same count again), and a take-over starts its own count from 0.
            if (token === undefined || update.progress <= lastProgress) return;
            lastProgress = update.progress;
            progressSent = true;
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...update } });
          },
        };
        const audit = (outcome: 'ok' | 'error', error: string | null) => recordCall(deps, secrets, { tool: tool.name, arguments: args, startedAt, durationMs: performance.now() - t0, outcome, error });
        const demo = deps.config.demo ? `${DEMO_NOTICE}\n\n` : '';
        const meta = deps.config.demo ? { _meta: { 'medtainer/demo': true } } : {};
        const noticed = (structured: Record<string, unknown>) => (deps.config.demo ? { notice: DEMO_NOTICE, ...structured } : structured);
        try {
          const run = () => tool.handler(args, deps, ctx);
          const work = tool.annotations?.readOnlyHint && tool.annotations.idempotentHint ? readAgainIfConnectionEnded(run) : run();
          const output = (await answeredInTime(deps, work, { limitMs, readOnly: tool.annotations?.readOnlyHint === true })) as Record<string, unknown>;
          // The final progress notification is often lost on stdio when the result follows in the same chunk.
          if (progressSent) await sleep(1);
          await audit('ok', null);
          return { content: [{ type: 'text', text: demo + tool.render(output) }], structuredContent: noticed(output), ...meta };
        } catch (thrown) {
          // The database stopping mid-life (a server restart, the embedded database changing
          // hands) is an expected condition with a next step, not a bug.
          const err =
            !(thrown instanceof ToolError) && !(thrown instanceof GhlError) && isConnectionLost(thrown)
              ? databaseUnavailable(deps.config.database, thrown, { lost: true })
              : isLockTimeout(thrown)
                ? await lockedOut(deps)
                : thrown;
          const expected = err instanceof ToolError;
          const message = err instanceof Error ? err.message : String(err);
          if (!expected) deps.log.error(`${tool.name} failed`, { error: err instanceof Error ? (err.stack ?? message) : message });
          // The brain could not be opened: recording the call would try to open it again (another
          // connect timeout against a host that does not answer) only to fail the same way.
          if (thrown instanceof NoAnswerError) void audit('error', message);
          else if (!(thrown instanceof DatabaseUnavailableError)) await audit('error', message);
          const text = expected
            ? [message, err.hint ? `Next step: ${err.hint}` : ''].filter(Boolean).join('\n')
            : `${tool.name} failed unexpectedly: ${redact(message, secrets)}. The server log (stderr) has the details.`;
          // A failure with an output of its own (a failed sync's run) gives programs its fields too.
          const structured = expected && err.output ? { structuredContent: noticed(redactValue(err.output, secrets) as Record<string, unknown>) } : {};
          return { content: [{ type: 'text', text: demo + redact(text, secrets) }], isError: true, ...structured, ...meta };
        } finally {
          call.clear();
        }
      }),
    );
  }
  auditRefusedArguments(server, deps, secrets);
}

/** Writes one audit row, redacted; an audit that cannot be written is logged, never fails the call. */
async function recordCall(deps: ToolDeps, secrets: string[], call: ToolExecution): Promise<void> {
  const args = redactValue(call.arguments, secrets) as Record<string, unknown>;
  // NULs and lone surrogates, which the database refuses, are recorded as a contact's are (see makeStorable).
  makeStorable(args);
  const entry = { ...call, arguments: args, error: call.error === null ? null : storable(redact(call.error, secrets)) };
  try {
    // The embedded database changing hands fails the statement in flight; the next reaches the new owner.
    await onceMoreIfConnectionLost(async () => recordToolExecution(await deps.db(), entry));
  } catch (err) {
    deps.log.warn(`could not record the ${call.tool} call in tool_executions`, { error: err });
  }
}

type ValidateToolInput = (tool: unknown, args: unknown, toolName: string) => Promise<unknown>;

/**
 * The SDK checks arguments against a tool's schema before any handler runs, and answers a
 * refusal itself; the audit trail must still show those calls (a model guessing at a field's
 * name is worth seeing). The SDK (pinned) has no hook for it, so its check is wrapped; the
 * audit test fails if an upgrade moves it.
 */
function auditRefusedArguments(server: McpServer, deps: ToolDeps, secrets: string[]): void {
  const sdk = server as unknown as { validateToolInput?: ValidateToolInput };
  const check = sdk.validateToolInput;
  if (typeof check !== 'function') {
    deps.log.warn('calls refused for their arguments will not be recorded in tool_executions (the MCP SDK changed)');
    return;
  }
  sdk.validateToolInput = async (tool, args, toolName) => {
    const startedAt = new Date();
    try {
      return await check.call(server, tool, args, toolName);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const given = args !== null && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : { arguments: args ?? null };
      // Not awaited: the refusal needs no database, and should not wait for one that is slow to
      // open (a host that never answers) or not open yet.
      void recordCall(deps, secrets, { tool: toolName, arguments: given, startedAt, durationMs: 0, outcome: 'error', error });
      throw err;
    }
  };
}

/** Another session kept a table this call needs locked past STATEMENT_LOCK_TIMEOUT: says who. */
async function lockedOut(deps: ToolDeps): Promise<ToolError> {
  const who = await deps.db().then(sessionsInTheWay, () => 'another session');
  return new ToolError(
    `The brain's tables were kept locked by another session for ${STATEMENT_LOCK_TIMEOUT}: ${who}. Nothing was changed.`,
    'Ask again once that session ends its transaction (commit or roll back; a session "idle in transaction" is often a forgotten psql or a stuck program).',
  );
}
