import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export interface ToolExecution {
  tool: string;
  arguments: Record<string, unknown>;
  startedAt: Date;
  durationMs: number;
  outcome: 'ok' | 'error';
  error: string | null;
}

/** Arguments and errors must already be redacted by the caller. */
export async function recordToolExecution(db: Kysely<Database>, e: ToolExecution): Promise<void> {
  await db
    .insertInto('tool_executions')
    .values({
      tool: e.tool,
      arguments: JSON.stringify(e.arguments),
      started_at: e.startedAt,
      duration_ms: Math.round(e.durationMs),
      outcome: e.outcome,
      error: e.error,
    })
    .execute();
}
