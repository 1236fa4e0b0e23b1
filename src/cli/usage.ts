export const USAGE = `medtainer-mcp — the MedTainer CRM brain (an MCP server over stdio)

Usage:
  medtainer-mcp                 serve MCP over stdio (what Claude Desktop runs)
  medtainer-mcp --demo          serve against a simulated GoHighLevel location (demo data)
  medtainer-mcp demo            sync the simulated location into a throw-away brain and answer example questions
  medtainer-mcp sync [--full]   sync contacts now, with a progress bar (exit code 1 on failure)
  medtainer-mcp stats [--json]  show what the brain holds and how the sync is doing
  medtainer-mcp doctor          check configuration, database and GoHighLevel access
  medtainer-mcp migrate         apply database migrations and exit
  medtainer-mcp copy-context [--from DIR]
                                copy saved nicknames, notes and importance overrides from an
                                embedded brain (default: MEDTAINER_DATA_DIR's) into DATABASE_URL's
  medtainer-mcp sync|stats|doctor|migrate --demo
                                the same, on the simulated location's own brain
  medtainer-mcp --version       print the version
  medtainer-mcp --help          print this help

Configuration comes from the environment: GOHIGHLEVEL_API_KEY, GOHIGHLEVEL_LOCATION_ID,
GOHIGHLEVEL_API_VERSION, GOHIGHLEVEL_BASE_URL, DATABASE_URL, MEDTAINER_DATA_DIR,
SYNC_INTERVAL_MINUTES, SYNC_CRON, SYNC_ON_START, LOG_LEVEL, MEDTAINER_DEMO.
See README.md for what each one does.
`;

/** Not a user command: the program runs itself with it to create a new embedded data directory in a child process. */
export const CREATE_DATA_DIR_COMMAND = 'internal-create-data-dir';
