import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { serverInstructions } from './instructions.js';
import { registerDailyBriefingPrompt } from './prompts/daily-briefing.js';
import { registerContactResource } from './resources/contact-resource.js';
import type { AnyTool, ToolDeps } from './tools/define-tool.js';
import { tools as allTools } from './tools/index.js';
import { registerTools } from './tools/register.js';
import { VERSION } from './version.js';

/** Builds the MCP server with its tools, the contact resource and the briefing prompt. No side effects: the caller connects and owns the process. */
export function createServer(deps: ToolDeps, tools: readonly AnyTool[] = allTools): McpServer {
  const server = new McpServer(
    { name: 'medtainer-mcp', title: 'MedTainer CRM brain', version: VERSION },
    { instructions: serverInstructions(deps.config), capabilities: { logging: {} } },
  );
  registerTools(server, tools, deps);
  registerContactResource(server, deps);
  registerDailyBriefingPrompt(server, deps);
  return server;
}
