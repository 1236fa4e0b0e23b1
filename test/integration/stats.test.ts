import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { testConfig, testDeps } from '../helpers/deps.js';
import { dropConnectionOnce } from '../helpers/flaky-db.js';
import { type Connected, connectClient, textOf } from '../helpers/mcp-client.js';
import { openTestDatabase, type TestDatabase, testEngines } from '../helpers/test-db.js';

const now = new Date('2026-06-15T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
/** GoHighLevel configured: the server can sync. */
const GHL = { GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000', GOHIGHLEVEL_LOCATION_ID: 'LOC123' };

describe.each(testEngines())('gohighlevel_get_sync_stats (%s)', (engine) => {
  let tdb: TestDatabase;
  let mcp: Connected;

  beforeAll(async () => {
    tdb = await openTestDatabase(engine);
    mcp = await connectClient(testDeps(tdb, { env: GHL, now: () => now, schedule: { nextRunAt: () => new Date('2026-06-15T12:15:00Z') } }));
  });
  afterAll(async () => {
    await mcp?.close();
    await tdb?.dispose();
  });

  it('answers on an empty brain with last_sync null and never_synced', async () => {
    const res = await mcp.call('gohighlevel_get_sync_stats');
    expect(res.isError).toBeFalsy();
    const s = res.structuredContent as Record<string, any>;
    expect(s.total_contacts).toBe(0);
    expect(s.deleted_contacts).toBe(0);
    expect(s.last_sync).toBeNull();
    expect(s.last_successful_sync_at).toBeNull();
    expect(s.next_scheduled_sync_at).toBe('2026-06-15T12:15:00.000Z');
    expect(s.importance_distribution).toEqual({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0, '7': 0, '8': 0, '9': 0, '10': 0 });
    expect(s.database.kind).toBe(engine);
    expect(s.database.size_bytes).toBeGreaterThan(1_000_000);
    expect(s.health).toEqual({ status: 'never_synced', consecutive_failures: 0, last_error: null, overdue: null, api_budget_remaining: null, sync_unavailable: null });
    expect(textOf(res)).toMatch(/No sync has run yet: call gohighlevel_sync_all_contacts/);
  });

  it('with GoHighLevel not configured, says syncs cannot run and why, instead of offering one', async () => {
    const unconfigured = await connectClient(testDeps(tdb, { env: { GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000' }, now: () => now }));
    try {
      const res = await unconfigured.call('gohighlevel_get_sync_stats');
      expect(res.isError).toBeFalsy();
      const s = res.structuredContent as Record<string, any>;
      expect(s.health.status).toBe('never_synced');
      expect(s.health.sync_unavailable).toMatch(/GOHIGHLEVEL_LOCATION_ID/);
      expect(textOf(res)).toMatch(/Syncs cannot run in this server: GoHighLevel is not configured \(.*GOHIGHLEVEL_LOCATION_ID/);
      expect(textOf(res)).not.toMatch(/call gohighlevel_sync_all_contacts/);
      expect(textOf(res)).toMatch(/Next scheduled sync: none \(GoHighLevel is not configured\)/);
    } finally {
      await unconfigured.close();
    }
  });

  it('counts contacts, deletions, importance and the last runs', async () => {
    const db = tdb.handle.db;
    const contact = (id: string, extra: Record<string, unknown>) => ({
      id,
      location_id: 'LOC',
      tags: [] as string[],
      data: JSON.stringify({ id }),
      ...extra,
    });
    await db
      .insertInto('contacts')
      .values([
        contact('a', { type: 'lead', tags: ['vip'], last_activity_at: daysAgo(2) }), // 5+1+2+2 = 10
        contact('b', { type: 'lead', last_activity_at: daysAgo(20) }), // 5+2+1 = 8
        contact('c', { type: 'customer', last_activity_at: daysAgo(100) }), // 5
        contact('d', { type: 'customer', tags: ['x'], last_activity_at: daysAgo(6) }), // 5+1+2 = 8
        contact('e', { type: 'customer', deleted_at: daysAgo(1) }),
        contact('f', { type: 'customer' }), // override below
      ])
      .execute();
    await db.insertInto('contact_context').values({ contact_id: 'f', importance_override: 3 }).execute();
    await db
      .insertInto('sync_runs')
      .values([
        { trigger: 'schedule', mode: 'full', status: 'succeeded', holder: 't', started_at: daysAgo(0.02), finished_at: daysAgo(0.019), contacts_fetched: 5, api_requests: 2, api_budget_remaining: 199_000 },
        { trigger: 'schedule', mode: 'incremental', status: 'failed', holder: 't', started_at: daysAgo(0.01), finished_at: daysAgo(0.009), error: 'GHL answered 503', errors: JSON.stringify(['GHL answered 503']), api_budget_remaining: 198_990 },
      ])
      .execute();

    const s = (await mcp.call('gohighlevel_get_sync_stats')).structuredContent as Record<string, any>;
    expect(s.total_contacts).toBe(5);
    expect(s.deleted_contacts).toBe(1);
    expect(s.importance_distribution).toEqual({ '1': 0, '2': 0, '3': 1, '4': 0, '5': 1, '6': 0, '7': 0, '8': 2, '9': 0, '10': 1 });
    expect(s.last_sync).toMatchObject({ status: 'failed', mode: 'incremental', trigger: 'schedule', errors: ['GHL answered 503'] });
    expect(s.last_successful_sync_at).toBe(daysAgo(0.019).toISOString());
    expect(s.health).toEqual({ status: 'degraded', consecutive_failures: 1, last_error: 'GHL answered 503', overdue: null, api_budget_remaining: 198_990, sync_unavailable: null });
  });

  it('calls a synced brain degraded when this server cannot sync to refresh it', async () => {
    await tdb.handle.db
      .insertInto('sync_runs')
      .values({ trigger: 'schedule', mode: 'incremental', status: 'succeeded', holder: 't', started_at: daysAgo(0.005), finished_at: daysAgo(0.004), api_requests: 1 })
      .execute();
    const configured = await mcp.call('gohighlevel_get_sync_stats');
    expect((configured.structuredContent as Record<string, any>).health).toMatchObject({ status: 'ok', sync_unavailable: null });
    expect(textOf(configured)).toMatch(/^Health: ok\.$/m);
    const unconfigured = await connectClient(testDeps(tdb, { env: { GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000' }, now: () => now }));
    try {
      const res = await unconfigured.call('gohighlevel_get_sync_stats');
      const s = res.structuredContent as Record<string, any>;
      expect(s.health).toMatchObject({ status: 'degraded', consecutive_failures: 0, overdue: null, sync_unavailable: expect.stringMatching(/GOHIGHLEVEL_LOCATION_ID/) });
      expect(textOf(res)).toMatch(/^Health: degraded \(no sync can run to refresh it\)\.$/m);
      expect(textOf(res)).toMatch(/Syncs cannot run in this server/);
    } finally {
      await unconfigured.close();
    }
  });

  it('stays failing, with the last failure, while the next try is under way', async () => {
    const db = tdb.handle.db;
    const failed = (n: number) => ({ trigger: 'schedule' as const, mode: 'incremental' as const, status: 'failed' as const, holder: 't', started_at: daysAgo(0.003 - n * 0.0005), finished_at: daysAgo(0.0029 - n * 0.0005), error: `Could not reach GoHighLevel (${n})`, errors: JSON.stringify([]) });
    const ids = (await db.insertInto('sync_runs').values([failed(1), failed(2), failed(3)]).returning('id').execute()).map((r) => r.id);
    const ask = async () => ((await mcp.call('gohighlevel_get_sync_stats')).structuredContent as Record<string, any>).health;
    try {
      expect(await ask()).toMatchObject({ status: 'failing', consecutive_failures: 3, last_error: 'Could not reach GoHighLevel (3)' });
      ids.push((await db.insertInto('sync_runs').values({ trigger: 'schedule', mode: 'incremental', status: 'running', holder: 't', started_at: daysAgo(0.0001) }).returning('id').executeTakeFirstOrThrow()).id);
      expect(await ask()).toMatchObject({ status: 'failing', consecutive_failures: 3, last_error: 'Could not reach GoHighLevel (3)' });
    } finally {
      await db.deleteFrom('sync_runs').where('id', 'in', ids).execute();
    }
  });

  it('records every call in tool_executions', async () => {
    const rows = await tdb.handle.db
      .selectFrom('tool_executions')
      .selectAll()
      .where('tool', '=', 'gohighlevel_get_sync_stats')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r.outcome === 'ok' && r.duration_ms >= 0)).toBe(true);
    const { rows: n } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tool_executions`.execute(tdb.handle.db);
    expect(n[0]?.n).toBe(rows.length);
  });

  it('records calls the SDK refuses for their arguments, without the secret they carried', async () => {
    const key = 'oauth-access-token-0123456789';
    const client = await connectClient(testDeps(tdb, { now: () => now, env: { GOHIGHLEVEL_API_KEY: key, GOHIGHLEVEL_LOCATION_ID: 'LOC' } }));
    try {
      const unknownKey = await client.call('search_contacts', { name: 'rachel' });
      expect(unknownKey.isError).toBe(true);
      const outOfBounds = await client.call('search_contacts', { query: `token ${key}`, limit: 1000 });
      expect(outOfBounds.isError).toBe(true);
      // Recorded beside the refusal, not before it.
      const refused = () => tdb.handle.db.selectFrom('tool_executions').selectAll().where('tool', '=', 'search_contacts').orderBy('id').execute();
      await expect.poll(async () => (await refused()).length).toBe(2);
      // Written in the background, so in either order.
      const rows = await refused();
      const byKey = (k: string) => rows.find((r) => k in r.arguments)!;
      expect(byKey('name')).toMatchObject({ outcome: 'error', arguments: { name: 'rachel' }, error: expect.stringMatching(/name/) });
      expect(byKey('limit')).toMatchObject({ outcome: 'error', arguments: { query: 'token [redacted]', limit: 1000 }, error: expect.stringMatching(/limit/) });
      expect(JSON.stringify(rows)).not.toContain(key);
    } finally {
      await client.close();
    }
  });

  it('records calls whose arguments hold text the database cannot store (a NUL, half a surrogate pair)', async () => {
    const audited = () => tdb.handle.db.selectFrom('tool_executions').selectAll().where('tool', '=', 'search_contacts').orderBy('id', 'desc').execute();
    const before = (await audited()).length;
    expect((await mcp.call('search_contacts', { query: 'rachel\u0000' })).isError).toBeFalsy();
    expect((await mcp.call('search_contacts', { query: 'rachel \ud83c', company: 'fresh\u0000heads' })).isError).toBeFalsy();
    // The refused call's error quotes what it was given.
    expect((await mcp.call('save_contact_context', { contact_id: 'x\u0000', note: 'n' })).isError).toBe(true);
    await expect.poll(async () => (await audited()).length).toBe(before + 2);
    const [second, first] = await audited();
    expect(first!.arguments).toMatchObject({ query: 'rachel' });
    expect(second!.arguments).toMatchObject({ query: 'rachel \ufffd', company: 'freshheads' });
    const context = await tdb.handle.db.selectFrom('tool_executions').selectAll().where('tool', '=', 'save_contact_context').execute();
    expect(context.at(-1)).toMatchObject({ outcome: 'error', arguments: { contact_id: 'x', note: 'n' } });
  });

  it('records a call whose audit row first met a lost connection (the embedded database changing hands)', async () => {
    const { db: flaky, attempts } = dropConnectionOnce(tdb.handle.db, { insertInto: 'tool_executions' });
    const warnings: string[] = [];
    const log = { error() {}, info() {}, debug() {}, warn: (msg: string) => void warnings.push(msg) };
    const client = await connectClient(testDeps(tdb, { db: async () => flaky, log, now: () => now }));
    try {
      const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM tool_executions`.execute(tdb.handle.db)).rows[0]!.n;
      expect((await client.call('gohighlevel_get_sync_stats')).isError).toBeFalsy();
      expect(attempts()).toBe(2);
      expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM tool_executions`.execute(tdb.handle.db)).rows[0]!.n).toBe(before + 1);
      expect(warnings).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe.each(testEngines())('gohighlevel_get_sync_stats importance_distribution (%s)', (engine) => {
  let tdb: TestDatabase;
  let mcp: Connected;

  beforeAll(async () => {
    tdb = await openTestDatabase(engine);
    mcp = await connectClient(testDeps(tdb, { now: () => now }));
  });
  afterAll(async () => {
    await mcp?.close();
    await tdb?.dispose();
  });

  it('has the keys "1" to "10" whatever the overrides, adding up to total_contacts', async () => {
    const db = tdb.handle.db;
    const ids = ['k1', 'k2', 'k3'];
    await db
      .insertInto('contacts')
      .values(ids.map((id) => ({ id, location_id: 'LOC', tags: [] as string[], data: JSON.stringify({ id }), type: 'customer' })))
      .execute();
    const stats = async () => (await mcp.call('gohighlevel_get_sync_stats')).structuredContent as Record<string, any>;
    const keys = Array.from({ length: 10 }, (_, i) => String(i + 1));
    const before = await stats();
    await db.insertInto('contact_context').values({ contact_id: 'k1', importance_override: 2 }).execute();
    const after = await stats();
    for (const s of [before, after]) {
      expect(Object.keys(s.importance_distribution).sort((a, b) => Number(a) - Number(b))).toEqual(keys);
      expect(Object.values(s.importance_distribution as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(s.total_contacts);
    }
    expect(after.importance_distribution).toMatchObject({ '2': 1, '5': 2 });
  });
});

describe.each(testEngines())('gohighlevel_get_sync_stats health on the schedule in effect (%s)', (engine) => {
  let tdb: TestDatabase;
  let clock = now;
  const lastGood = new Date(now.getTime() - 60_000);
  const stats = async (env: Record<string, string>) => {
    const client = await connectClient(testDeps(tdb, { now: () => clock, env: { ...GHL, ...env } }));
    try {
      const res = await client.call('gohighlevel_get_sync_stats');
      return { s: res.structuredContent as Record<string, any>, text: textOf(res) };
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    tdb = await openTestDatabase(engine);
    await tdb.handle.db
      .insertInto('sync_runs')
      .values({ trigger: 'schedule', mode: 'incremental', status: 'succeeded', holder: 't', started_at: new Date(lastGood.getTime() - 5_000), finished_at: lastGood })
      .execute();
  });
  afterAll(async () => {
    await tdb?.dispose();
  });

  it('a nightly SYNC_CRON is ok all day after its good sync, not after SYNC_INTERVAL_MINUTES', async () => {
    for (const hours of [2, 20]) {
      clock = new Date(lastGood.getTime() + hours * 3_600_000);
      const { s, text } = await stats({ SYNC_CRON: '0 3 * * *' });
      expect(s.health).toMatchObject({ status: 'ok', consecutive_failures: 0, overdue: null });
      expect(text).toContain('Health: ok.');
    }
  });

  it('says why it is degraded when no run failed but the last good sync is overdue', async () => {
    clock = new Date(lastGood.getTime() + 4 * 86_400_000);
    const cron = await stats({ SYNC_CRON: '0 3 * * *' });
    expect(cron.s.health).toMatchObject({ status: 'degraded', consecutive_failures: 0, overdue: 'last good sync 4 d ago; expected every 24 h by SYNC_CRON "0 3 * * *"' });
    expect(cron.text).toContain('Health: degraded (last good sync 4 d ago; expected every 24 h by SYNC_CRON "0 3 * * *").');

    clock = new Date(lastGood.getTime() + 2 * 3_600_000);
    const interval = await stats({});
    expect(interval.s.health).toMatchObject({ status: 'degraded', consecutive_failures: 0, overdue: 'last good sync 2 h ago; expected every 15 min' });
    expect(interval.text).toContain('Health: degraded (last good sync 2 h ago; expected every 15 min).');
  });

  it('with the schedule off, a last good sync is never overdue', async () => {
    clock = new Date(lastGood.getTime() + 40 * 86_400_000);
    const { s } = await stats({ SYNC_INTERVAL_MINUTES: '0' });
    expect(s.health).toMatchObject({ status: 'ok', overdue: null });
  });
});

describe('gohighlevel_get_sync_stats without GoHighLevel configured', () => {
  it('promises no next scheduled sync, since none will run', async () => {
    const app = createApp(testConfig({ DATABASE_URL: 'memory://' }), silentLogger, { holder: 'test' });
    const mcp = await connectClient(app.deps);
    try {
      const s = (await mcp.call('gohighlevel_get_sync_stats')).structuredContent as Record<string, unknown>;
      expect(s.next_scheduled_sync_at).toBeNull();
    } finally {
      await mcp.close();
      await app.close();
    }
  });
});

describe.each(testEngines())('health after runs stopped with their process (%s)', (engine) => {
  it('does not count a run the client quitting stopped as a failure; a real failure still counts', async () => {
    const tdb = await openTestDatabase(engine);
    const now = new Date();
    const mcp = await connectClient(testDeps(tdb, { now: () => now, env: GHL }));
    try {
      const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
      const run = (minutesAgo: number, status: 'succeeded' | 'failed', error: string | null = null) => ({
        trigger: 'schedule' as const, mode: 'incremental' as const, status, holder: 't', started_at: at(minutesAgo), finished_at: at(minutesAgo - 0.5), error,
      });
      await tdb.handle.db.insertInto('sync_runs').values([run(10, 'succeeded'), run(5, 'failed', 'interrupted: the process running it (desktop:123) stopped'), run(2, 'failed', 'interrupted: the process running it (desktop:456) stopped')]).execute();
      const health = async () => ((await mcp.call('gohighlevel_get_sync_stats')).structuredContent as { health: { status: string; consecutive_failures: number } }).health;
      expect(await health()).toMatchObject({ status: 'ok', consecutive_failures: 0 });
      await tdb.handle.db.insertInto('sync_runs').values(run(1, 'failed', 'GoHighLevel answered POST /contacts/search with 503')).execute();
      expect(await health()).toMatchObject({ status: 'degraded', consecutive_failures: 1 });
    } finally {
      await mcp.close();
      await tdb.dispose();
    }
  });
});
