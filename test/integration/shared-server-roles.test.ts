import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest, migratorFor } from '../../src/db/migrate.js';
import { type FakeGhl, KNOWN, startFakeGhl } from '../../src/fake-ghl/index.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { syncApp } from '../helpers/sync-app.js';

const BASE = process.env.TEST_DATABASE_URL;

/** Roles other than the tables' owner, as a shared PostgreSQL server hands them out. */
describe.runIf(Boolean(BASE))('a shared PostgreSQL server: roles that do not own the tables (postgres)', () => {
  let fake: FakeGhl;
  const databases: string[] = [];
  const roles: string[] = [];
  const closing: (() => Promise<unknown>)[] = [];

  const admin = async (text: string, database?: string) => {
    const url = new URL(BASE!);
    if (database) url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };
  const urlFor = (database: string, user?: string) => {
    const url = new URL(BASE!);
    url.pathname = `/${database}`;
    if (user) url.username = user;
    return url.toString();
  };
  /** A database migrated by the administrator (the URL's own role). */
  const newDatabase = async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const handle = await openDatabase({ kind: 'postgres', url: urlFor(name) }, silentLogger);
    await migrateToLatest(handle.db, silentLogger);
    await handle.close();
    return name;
  };
  const newRole = async (database: string, grants: string) => {
    const role = `medtainer_test_role_${randomBytes(5).toString('hex')}`;
    await admin(`CREATE ROLE ${role} LOGIN`);
    roles.push(role);
    await admin(grants.replaceAll('ROLE', role), database);
    return role;
  };
  const app = (database: string, user?: string, o: { indexesFrom?: number; log?: Logger } = {}): App => {
    const a = syncApp(fake, { kind: 'postgres', url: urlFor(database, user) }, { sync: { indexesFrom: o.indexesFrom }, log: o.log });
    closing.push(() => a.close());
    return a;
  };
  const READ_WRITE = 'GRANT USAGE ON SCHEMA public TO ROLE; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ROLE; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ROLE';
  const READ_ONLY = 'GRANT USAGE ON SCHEMA public TO ROLE; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ROLE';

  beforeAll(async () => {
    fake = await startFakeGhl({ contactCount: 150, seed: 5, rateLimit: { max: 10_000 } });
  });
  afterEach(async () => {
    for (const close of closing.splice(0)) await close().catch(() => {});
  });
  afterAll(async () => {
    await fake?.close();
    for (const d of databases) await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`).catch(() => {});
    for (const r of roles) await admin(`DROP ROLE IF EXISTS ${r}`).catch(() => {});
  });

  it('a role granted reads and writes only completes a first import, with the indexes left in place', async () => {
    const database = await newDatabase();
    const role = await newRole(database, READ_WRITE);
    const run = await (await app(database, role, { indexesFrom: 100 }).sync.start('cli', 'full')).done;
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ status: 'succeeded', contacts_created: 150 });
    const { rows } = await admin(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'contact_search' AND indexname LIKE '%trgm%'`, database);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('such a role keeps syncing when the brain grows past the size that builds the indexes an owner left waiting', async () => {
    const database = await newDatabase();
    // The owner's first import of a small brain: its indexes wait until the brain holds 200 contacts.
    expect((await (await app(database, undefined, { indexesFrom: 200 }).sync.start('cli', 'full')).done).status).toBe('succeeded');
    const role = await newRole(database, READ_WRITE);
    const base = fake.store.get(KNOWN.michael)!;
    for (let i = 0; i < 60; i++) fake.store.addContact({ ...base, id: `GrownBrainContact${String(i).padStart(3, '0')}`, email: `grown${i}@example.com`, phone: `+1555010${String(i).padStart(4, '0')}` });
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    const run = await (await app(database, role, { indexesFrom: 200, log }).sync.start('cli', 'full')).done;
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ status: 'succeeded', contacts_created: 60 });
    expect(warnings.some((w) => /wait for the contact tables' owner/.test(w))).toBe(true);
    // The owner's next sync builds them.
    expect((await (await app(database, undefined, { indexesFrom: 200 }).sync.start('cli', 'auto')).done).status).toBe('succeeded');
    const { rows } = await admin(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'contact_search' AND indexname LIKE '%trgm%'`, database);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('a database holding an earlier system\'s tables of the same names is left exactly as it was, and the error says why', async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    await admin(
      `CREATE TABLE contacts (id text PRIMARY KEY, name text, email text, tags text[], data jsonb, synced_at timestamptz);
       CREATE TABLE interaction_history (id serial PRIMARY KEY, contact_id text, interaction_type text);
       INSERT INTO contacts VALUES ('c1', 'Rachel Green', 'rachel@x.com', '{vip}', '{}', now())`,
      name,
    );
    const handle = await openDatabase({ kind: 'postgres', url: urlFor(name) }, silentLogger);
    try {
      const err = (await migrateToLatest(handle.db, silentLogger).catch((e: unknown) => e)) as Error & { hint?: string };
      expect(err.message).toMatch(/already holds tables with the brain's names that medtainer-mcp did not create/);
      expect(err.hint).toMatch(/new database of its own/);
    } finally {
      await handle.close();
    }
    expect((await admin('SELECT name FROM contacts', name)).rows).toEqual([{ name: 'Rachel Green' }]);
    const { rows } = await admin(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`, name);
    expect(rows.map((r) => r.tablename)).toEqual(['contacts', 'interaction_history']);
  });

  it('a role that may not create tables or the search extension is told what to ask the owner for', async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const noCreate = await newRole(name, 'REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO ROLE');
    const app1 = app(name, noCreate);
    const err1 = (await app1.database().catch((e: unknown) => e)) as Error & { hint?: string };
    expect(err1.message).toMatch(/permission denied for schema public.*may not change the schema/s);
    expect(err1.hint).toMatch(/medtainer-mcp migrate.*owner|GRANT CREATE ON SCHEMA public/);

    const noExtension = await newRole(name, 'GRANT USAGE, CREATE ON SCHEMA public TO ROLE');
    const app2 = app(name, noExtension);
    const err2 = (await app2.database().catch((e: unknown) => e)) as Error & { hint?: string };
    expect(err2.message).toMatch(/pg_trgm/);
    expect(err2.hint).toMatch(/CREATE EXTENSION pg_trgm/);
  });

  it('the brain goes into public even when the role has a schema of its own first on its search_path', async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const role = await newRole(name, 'GRANT USAGE, CREATE ON SCHEMA public TO ROLE; CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE SCHEMA ROLE AUTHORIZATION ROLE');
    const run = await (await app(name, role).sync.start('cli', 'full')).done;
    expect(run.status).toBe('succeeded');
    const { rows } = await admin(`SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('contacts', 'sync_runs', 'medtainer_migrations')`, name);
    expect(rows.map((r) => r.table_schema)).toEqual(['public']);
    expect((await admin('SELECT count(*)::int AS n FROM public.contacts', name)).rows[0].n).toBe(fake.store.all().length);
  });

  it('a role granted reads and writes on a brain an earlier version made is sent to the tables\' owner for the upgrade, even with CREATE on the schema', async () => {
    // The owner's brain as an earlier release left it (migrations up to 0006), shared as the README says.
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const handle = await openDatabase({ kind: 'postgres', url: urlFor(name) }, silentLogger);
    expect((await migratorFor(handle.db).migrateTo('0006_email_domain_index')).error).toBeUndefined();
    await handle.close();
    const owner = new URL(BASE!).username || 'postgres';
    for (const extra of ['', '; GRANT CREATE ON SCHEMA public TO ROLE']) {
      const role = await newRole(name, READ_WRITE + extra);
      const err = (await app(name, role).database().catch((e: unknown) => e)) as Error & { hint?: string };
      expect(err.message).toMatch(/Cannot upgrade the brain to version .*: migration 0007_override_copies_follow_context failed: permission denied/);
      expect(err.message).toContain(`belong to role ${owner}`);
      // Granting CREATE on the schema (the other advice for a new brain) does not let a role alter another's tables.
      expect(err.hint).not.toMatch(/GRANT CREATE/);
      expect(err.hint).toContain(`medtainer-mcp migrate\` once with the DATABASE_URL of the tables' owner (${owner})`);
    }
    expect((await admin('SELECT max(name) AS last FROM medtainer_migrations', name)).rows).toEqual([{ last: '0006_email_domain_index' }]);
  });

  it('a role out of connections is told so, not sent to check DATABASE_URL', async () => {
    const database = await newDatabase();
    const role = await newRole(database, 'GRANT USAGE ON SCHEMA public TO ROLE');
    await admin(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
    const err = (await app(database, role).database().catch((e: unknown) => e)) as Error & { hint?: string };
    expect(err.message).toMatch(/refused another connection: too many connections for role/);
    expect(err.hint).toMatch(/CONNECTION LIMIT/);
    expect(err.hint).not.toMatch(/Check DATABASE_URL/);
  });

  it('a brain an earlier version made in the role\'s own schema (first on its search_path) still opens there', async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const role = await newRole(name, 'CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE SCHEMA ROLE AUTHORIZATION ROLE');
    // What a version that followed the role's search_path made: the whole brain in the role's schema.
    const before = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: urlFor(name, role), max: 2 }) }) });
    await migrateToLatest(before, silentLogger);
    await before.insertInto('contacts').values({ id: 'c1', location_id: 'L', data: '{}' }).execute();
    await before.destroy();
    const handle = await openDatabase({ kind: 'postgres', url: urlFor(name, role) }, silentLogger);
    try {
      await migrateToLatest(handle.db, silentLogger);
      expect((await handle.db.selectFrom('contacts').select('id').execute()).map((r) => r.id)).toEqual(['c1']);
    } finally {
      await handle.close();
    }
    const { rows } = await admin(`SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'contacts'`, name);
    expect(rows.map((r) => r.table_schema)).toEqual([role]);
  });

  it('pg_trgm installed in a schema the database\'s own search_path names is found', async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    await admin(`CREATE SCHEMA ext; CREATE EXTENSION pg_trgm SCHEMA ext; ALTER DATABASE ${name} SET search_path = "$user", public, ext`, name);
    const run = await (await app(name).sync.start('cli', 'full')).done;
    expect(run.error).toBeNull();
    const found = (await app(name).deps.db()).selectFrom('contact_search').select('contact_id').limit(1).execute();
    expect(await found).toHaveLength(1);
  });

  it('a DATABASE_URL carrying its own options keeps them, and the brain still goes into public', async () => {
    const name = `medtainer_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const url = `${urlFor(name)}?options=${encodeURIComponent('-c statement_timeout=12345')}`;
    const handle = await openDatabase({ kind: 'postgres', url }, silentLogger);
    try {
      await migrateToLatest(handle.db, silentLogger);
      const { rows } = await sql<{ t: string; p: string; a: string }>`SELECT current_setting('statement_timeout') AS t, current_schema() AS p, current_setting('application_name') AS a`.execute(handle.db);
      expect(rows[0]).toEqual({ t: '12345ms', p: 'public', a: 'medtainer-mcp' });
    } finally {
      await handle.close();
    }
  });

  it('another program writing contact_context with a search_path of its own still has its write taken, and the copies follow', async () => {
    const database = await newDatabase();
    await admin(
      `INSERT INTO contacts (id, location_id, data) VALUES ('c1', 'L', '{}');
       INSERT INTO contact_facts (contact_id) VALUES ('c1');
       INSERT INTO contact_search (contact_id, doc) VALUES ('c1', 'x');`,
      database,
    );
    await admin(`SET search_path = pg_catalog; INSERT INTO public.contact_context (contact_id, importance_override) VALUES ('c1', 9)`, database);
    expect((await admin('SELECT importance_override AS o FROM contact_facts', database)).rows).toEqual([{ o: 9 }]);
  });

  it('a read-only role searches and opens contacts', async () => {
    const database = await newDatabase();
    expect((await (await app(database).sync.start('cli', 'full')).done).status).toBe('succeeded');
    const role = await newRole(database, READ_ONLY);
    const mcp = await connectClient(app(database, role).deps);
    closing.push(() => mcp.close());
    const found = await mcp.call('search_contacts', { query: 'rachel from fresh headies' });
    expect(found.isError, textOf(found)).toBeFalsy();
    const opened = await mcp.call('get_contact_360', { contact_id: KNOWN.rachel });
    expect(opened.isError, textOf(opened)).toBeFalsy();
    expect((opened.structuredContent as { contact: { id: string } }).contact.id).toBe(KNOWN.rachel);
  });
});
