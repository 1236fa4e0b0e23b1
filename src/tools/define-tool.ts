import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { DatabaseKind } from '../db/connection.js';
import type { GhlClient } from '../ghl/client.js';
import type { Logger } from '../logger.js';
import type { SyncEngine } from '../sync/engine.js';
import type { InFlightCalls } from './in-flight.js';
import { deadline } from '../deadline.js';

/** What tools may use. Narrow on purpose: no drivers, no process, no HTTP library. */
export interface ToolDeps {
  /** Resolves once the brain is open and migrated (the transport connects before that). */
  db(): Promise<Kysely<Database>>;
  dbKind(): DatabaseKind;
  config: Config;
  log: Logger;
  now(): Date;
  /**
   * When the scheduled sync runs next: this process's schedule, or in one that does not run it
   * (the command line), when a server with the same settings would (see plannedNextRun).
   */
  schedule?: { nextRunAt(lastSuccessAt?: Date | null): Date | null };
  /** Absent in processes that cannot sync. */
  sync?: SyncEngine;
  /** Null when GoHighLevel is not configured (config.ghl.unavailableReason says why). */
  ghl?: GhlClient | null;
  /** How long a live GHL read may take in all, retries included (see withLiveDeadline); tests shorten it. */
  liveDeadlineMs?: number;
  /** How long any call may take before it answers that the brain did not (see ANSWER_DEADLINE_MS); tests shorten it. */
  answerDeadlineMs?: number;
  /** Where the server process keeps count of the calls being answered, to finish them before it exits. */
  inFlight?: InFlightCalls;
}

/**
 * Claude Desktop cancels a tool call after about 60 s, and the person then sees only "timed out".
 * A live read against a GoHighLevel that does not answer (30 s an attempt, with retries) gives up
 * before that, so its own answer arrives: what did not answer, and what to do.
 */
const LIVE_DEADLINE_MS = 45_000;

/**
 * Every call answers within this, whatever it waits on. A database that stops answering without
 * closing the connection (a network that dropped on the way to a PostgreSQL server, a server or the
 * process sharing the embedded brain paused) leaves a statement waiting for many minutes, until the
 * kernel gives the connection up; the person would see only the client's "timed out" at ~60 s.
 */
export const ANSWER_DEADLINE_MS = 55_000;

/** Runs a live read with the call's signal, aborted as well when the live read's deadline passes. */
export async function withLiveDeadline<T>(deps: ToolDeps, ctx: ToolContext, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const live = deadline(deps.liveDeadlineMs ?? LIVE_DEADLINE_MS, ctx.signal);
  try {
    return await read(live.signal);
  } finally {
    live.clear();
  }
}

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

export interface ToolContext {
  /** Sends an MCP progress notification when the caller asked for them; otherwise does nothing. */
  progress(update: ProgressUpdate): Promise<void>;
  signal: AbortSignal;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDefinition<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: Out;
  annotations: ToolAnnotations;
  handler(input: z.output<In>, deps: ToolDeps, ctx: ToolContext): Promise<z.output<Out>>;
  /** A call that waits on purpose (a sync's wait_seconds) may take longer than ANSWER_DEADLINE_MS: how long, for this input. */
  answersWithinMs?(input: z.output<In>): number;
  /** A short readable rendering of the structured result for the text content. */
  render(output: z.output<Out>): string;
}

/** Identity helper: exists so each tool file gets its input and output types inferred. */
export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(tool: ToolDefinition<In, Out>): ToolDefinition<In, Out> {
  return tool;
}

// A heterogeneous list needs `any` here; each entry was type-checked by defineTool().
export type AnyTool = ToolDefinition<any, any>;
