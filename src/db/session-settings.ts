import pg from 'pg';
import { PENDING_LIST_KB } from './maintenance.js';
import { STATEMENT_LOCK_TIMEOUT } from './lock-holders.js';

/**
 * Where the brain's tables are on a PostgreSQL server, and the settings every session of the pool
 * starts with (the `options` startup parameter).
 *
 * A new brain goes into `public`, whatever the role's search_path puts first (by default a schema
 * named after the role, if one exists, where the tables would be out of other programs' sight).
 * A brain an earlier version made in another schema of the role's path stays where it is, and
 * wherever pg_trgm is installed (an `extensions` schema, one named by the database's own
 * search_path) stays reachable: the rest of the role's path follows the brain's schema.
 */
export async function sessionOptions(connectionString: string, connectionTimeoutMillis: number): Promise<{ connectionString: string; options: string }> {
  const url = new URL(connectionString);
  // Settings of the URL's own (?options=-c …) come after ours, so they win where both set one.
  const theirs = url.searchParams.get('options');
  url.searchParams.delete('options');
  const bare = url.toString();
  const client = new pg.Client({ connectionString: bare, connectionTimeoutMillis, ...(theirs ? { options: theirs } : {}) });
  await client.connect();
  let found: { brain: string | null; trgm: string | null; path: string[] };
  try {
    const { rows } = await client.query<{ brain: string | null; trgm: string | null; path: string[] }>(`
      SELECT
        (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = 'medtainer_migrations' AND c.relkind = 'r' AND n.nspname = ANY (current_schemas(false))
          ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1) AS brain,
        (SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = 'pg_trgm') AS trgm,
        current_schemas(false)::text[] AS path`);
    found = rows[0]!;
  } finally {
    await client.end().catch(() => {});
  }
  const schemas = [...new Set([found.brain ?? 'public', ...(found.trgm ? [unquote(found.trgm)] : []), ...found.path, 'extensions'])];
  const ours = [
    `-c search_path=${schemas.map(optionIdent).join(',')}`,
    // Parallel query workers cost more to start than this project's small queries take.
    '-c max_parallel_workers_per_gather=0',
    `-c gin_pending_list_limit=${PENDING_LIST_KB.small}kB`,
    `-c lock_timeout=${STATEMENT_LOCK_TIMEOUT}`,
  ].join(' ');
  return { connectionString: bare, options: theirs ? `${ours} ${theirs}` : ours };
}

/** regnamespace::text quotes a name that needs it; the list wants it bare before optionIdent. */
function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name;
}

/** A schema name inside the options parameter: quoted as an identifier, spaces and backslashes escaped. */
function optionIdent(name: string): string {
  const quoted = /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
  return quoted.replace(/[\\ ]/g, (c) => `\\${c}`);
}
