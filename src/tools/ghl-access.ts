import { ToolError } from '../errors.js';
import type { GhlClient } from '../ghl/client.js';
import { GhlError } from '../ghl/errors.js';
import type { ToolDeps } from './define-tool.js';

/** The GHL client, or the clear error naming the variable to set. */
export function requireGhl(deps: ToolDeps): GhlClient {
  if (deps.ghl) return deps.ghl;
  throw new ToolError(
    `GoHighLevel is not configured: ${deps.config.ghl.unavailableReason ?? 'no client for these settings (`npx medtainer-mcp doctor` checks them)'}`,
    'Set it in the server\'s environment (for Claude Desktop: the "env" block of claude_desktop_config.json) and restart. Cached tools (search_contacts, get_contact_360) still answer from the brain.',
  );
}

/** Turns an expected GHL failure (401, 403, 429, outage) into a tool error with the next step. */
export async function callGhl<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GhlError) throw new ToolError(err.message, err.hint ?? undefined);
    throw err;
  }
}
