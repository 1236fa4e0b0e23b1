/**
 * An expected failure the person can act on (no credentials, unknown contact, GHL said 401/429...).
 * Tools throw it; the registration loop turns it into an `isError` result whose text is the
 * message followed by the next step to take.
 */
export class ToolError extends Error {
  override name = 'ToolError';
  constructor(
    message: string,
    readonly hint?: string,
    /** The tool's output for this failure, when it has one (a failed sync run): sent as structured content beside the error. */
    readonly output?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A call that did not finish within its deadline (see ANSWER_DEADLINE_MS); its work may still be running. */
export class NoAnswerError extends ToolError {
  override name = 'NoAnswerError';
}

/** The brain could not be opened: every tool and command that needs it says why and what to check. */
export class DatabaseUnavailableError extends ToolError {
  override name = 'DatabaseUnavailableError';
  /** `check`: what to look at, e.g. "Check DATABASE_URL…" (the hint adds where to check it from). */
  constructor(
    message: string,
    readonly check: string,
  ) {
    super(message, `${check}; npx medtainer-mcp doctor checks the settings.`);
  }
}
