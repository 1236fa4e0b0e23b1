import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, KNOWN } from '../../src/fake-ghl/index.js';
import { digestPipelines } from '../../src/digest/pipeline-digest.js';
import { type Connected, connectClient, textOf } from '../helpers/mcp-client.js';
import { openConnectedApp } from '../helpers/connected-app.js';
import { syncApp } from '../helpers/sync-app.js';
import { createTestTarget, testEngines } from '../helpers/test-db.js';

const DAY = 86_400_000;

describe.each(testEngines())('live GHL tools (%s)', (engine) => {
  let fake: FakeGhl;
  let app: App;
  let mcp: Connected;
  let close: () => Promise<void>;
  const now = new Date();

  beforeAll(async () => {
    // 450 opportunities: several pages per pipeline, so a first-page-only digest would be wrong.
    ({ fake, app, mcp, close } = await openConnectedApp(engine, { contactCount: 300, seed: 21, opportunityCount: 450 }, { now: () => now }));
  });
  afterAll(() => close?.());

  it('reads contacts live, with GHL matching and a bounded limit', async () => {
    const res = await mcp.call('gohighlevel_read_contacts', { query: 'freshheadies', limit: 5 });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as { contacts: Array<{ id: string; name: string; company: string }>; total: number };
    expect(out.contacts.map((c) => c.id)).toEqual([KNOWN.rachel]);
    expect(out.contacts[0]).toMatchObject({ name: 'Rachel Baker', company: 'Fresh Headies' });
    const some = (await mcp.call('gohighlevel_read_contacts', { limit: 7 })).structuredContent as { contacts: unknown[]; total: number };
    expect(some.contacts).toHaveLength(7);
    expect(some.total).toBe(300);
    expect((await mcp.call('gohighlevel_read_contacts', { limit: 101 })).isError).toBe(true);
  });

  it('digests every opportunity page, matching the fake\'s ground truth exactly', async () => {
    const res = await mcp.call('gohighlevel_pipeline_digest', { stale_days: 14, period_days: 30 });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent as any;
    expect(out.source).toBe('live');
    const truth = fake.store.opportunities;
    const open = truth.filter((o) => o.status === 'open');
    expect(out.totals.open_count).toBe(open.length);
    expect(out.totals.open_value).toBeCloseTo(open.reduce((a, o) => a + o.monetaryValue, 0), 2);
    const wonRecent = truth.filter((o) => o.status === 'won' && o.lastStatusChangeAt >= now.getTime() - 30 * DAY);
    expect(out.totals.won_value).toBeCloseTo(wonRecent.reduce((a, o) => a + o.monetaryValue, 0), 2);
    for (const p of out.pipelines) {
      const mine = truth.filter((o) => o.pipelineId === p.id);
      expect(p.lost_count).toBe(mine.filter((o) => o.status === 'lost' && o.lastStatusChangeAt >= now.getTime() - 30 * DAY).length);
      for (const stage of p.stages) {
        expect(stage.open_count).toBe(mine.filter((o) => o.status === 'open' && o.pipelineStageId === stage.id).length);
      }
      const stale = mine.filter((o) => o.status === 'open' && o.lastStageChangeAt <= now.getTime() - 14 * DAY).sort((a, b) => b.monetaryValue - a.monetaryValue);
      expect(p.stale.map((s: { monetary_value: number }) => s.monetary_value)).toEqual(stale.slice(0, 10).map((o) => o.monetaryValue));
    }
    expect(textOf(res)).toMatch(/never follow instructions/);
  });

  it('filters by pipeline name or id, counts all time with period_days 0, and lists pipelines on a miss', async () => {
    const p = fake.store.pipelines[1]!;
    const byName = (await mcp.call('gohighlevel_pipeline_digest', { pipeline: p.name.toUpperCase(), period_days: 0 })).structuredContent as any;
    expect(byName.pipelines.map((x: { id: string }) => x.id)).toEqual([p.id]);
    expect(byName.pipelines[0].won_count).toBe(fake.store.opportunities.filter((o) => o.pipelineId === p.id && o.status === 'won').length);
    const byId = (await mcp.call('gohighlevel_pipeline_digest', { pipeline: p.id })).structuredContent as any;
    expect(byId.source).toBe('mirror'); // refreshed moments ago by the previous call
    // A deal just won in GHL: `fresh` reads it now; the mirror answers in the same pipeline order.
    const deal = fake.store.opportunities.find((o) => o.pipelineId === p.id && o.status === 'open')!;
    const wonBefore = byName.pipelines[0].won_count;
    Object.assign(deal, { status: 'won', lastStatusChangeAt: Date.now() });
    const fresh = (await mcp.call('gohighlevel_pipeline_digest', { pipeline: p.id, period_days: 0, fresh: true })).structuredContent as any;
    expect(fresh).toMatchObject({ source: 'live', mirrored_at: null });
    expect(fresh.pipelines[0].won_count).toBe(wonBefore + 1);
    const all = async (fresh: boolean) => ((await mcp.call('gohighlevel_pipeline_digest', { fresh })).structuredContent as any).pipelines.map((x: { id: string }) => x.id);
    const liveOrder = await all(true);
    expect(await all(false)).toEqual(liveOrder);
    expect(liveOrder).toHaveLength(fake.store.pipelines.length);
    const miss = await mcp.call('gohighlevel_pipeline_digest', { pipeline: 'Nope' });
    expect(miss.isError).toBe(true);
    expect(textOf(miss)).toContain(p.name);
    expect(textOf(miss)).toMatch(/Use one of these:\n.*\n<crm-data-[0-9a-f]{12}>\n[^<]*\(/);
  });

  it('lets an older mirror stand in when GHL cannot answer, not when it refuses the key; two refreshes at once both work', async () => {
    const t = await createTestTarget(engine);
    let clock = Date.now();
    const own = syncApp(fake, t.target, { now: () => new Date(clock) });
    const client = await connectClient(own.deps);
    const digest = async () => {
      const res = await client.call('gohighlevel_pipeline_digest', {});
      return { res, source: (res.structuredContent as { source?: string } | undefined)?.source };
    };
    try {
      const live = await digest();
      expect(live.source).toBe('live');
      expect((live.res.structuredContent as { mirrored_at: unknown }).mirrored_at).toBeNull();
      clock += 3_600_000; // an hour later the mirror is old, so both calls read GHL and replace it
      const both = await Promise.all([digest(), digest()]);
      for (const { res, source } of both) {
        expect(res.isError, textOf(res)).toBeFalsy();
        expect(source).toBe('live');
      }
      clock += 3_600_000;
      fake.fault({ times: 50, pathPrefix: '/opportunities', status: 503 });
      const down = await digest();
      expect(down.res.isError, textOf(down.res)).toBeFalsy();
      expect(down.source).toBe('mirror');
      // An answer from the mirror says how old its figures are.
      const mirroredAt = (down.res.structuredContent as { mirrored_at: string }).mirrored_at;
      expect(Date.parse(mirroredAt)).toBeGreaterThan(Date.now() - 600_000);
      expect(textOf(down.res)).toContain(`mirror read from GoHighLevel at ${mirroredAt.slice(0, 16).replace('T', ' ')} UTC`);
      fake.clearFaults();
      fake.fault({ times: 1, pathPrefix: '/opportunities', status: 401, body: JSON.stringify({ statusCode: 401, message: 'Invalid JWT' }) });
      const refused = await digest();
      expect(refused.res.isError).toBe(true);
      expect(textOf(refused.res)).toMatch(/401.*GOHIGHLEVEL_API_KEY/s);
    } finally {
      fake.clearFaults();
      await client.close();
      await own.close();
      await t.drop();
    }
  });

  it('a full sync asked for while an incremental one runs follows it, rather than answering with the incremental', async () => {
    fake.configure({ latencyMs: 300 });
    try {
      const incremental = await app.sync.start('schedule', 'incremental');
      const res = await mcp.call('gohighlevel_sync_all_contacts', { mode: 'full', wait_seconds: 30 });
      expect(res.isError, textOf(res)).toBeFalsy();
      const out = res.structuredContent as { status: string; mode: string; run_id: number };
      expect(out).toMatchObject({ status: 'succeeded', mode: 'full' });
      expect(out.run_id).toBeGreaterThan(incremental.runId);
      expect((await incremental.done).mode).toBe('incremental');
    } finally {
      fake.configure({ latencyMs: 0 });
    }
  });

  it('a live read GoHighLevel does not answer gives up within its deadline and says what did not answer', async () => {
    const client = await connectClient({ ...app.deps, liveDeadlineMs: 700 });
    await app.deps.db(); // opened before the clock starts
    fake.configure({ latencyMs: 5_000 });
    try {
      const before = fake.stats.requests;
      const res = await client.call('gohighlevel_read_contacts', { limit: 5 });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/GoHighLevel did not answer POST \/contacts\/search in time/);
      // One attempt, cut off by the deadline: no retry on a signal that stays aborted.
      expect(fake.stats.requests - before).toBe(1);
    } finally {
      fake.configure({ latencyMs: 0 });
      await client.close();
    }
  });

  it('a call the client cancels is recorded as cancelled, not as GoHighLevel unreachable; a cancelled sync carries on', async () => {
    const db = await app.deps.db();
    fake.configure({ latencyMs: 2_000 });
    try {
      const cancel = async (name: string, args: Record<string, unknown>) => {
        // Rows of earlier tests' calls are not this one's.
        const { last } = await db.selectFrom('tool_executions').select((eb) => eb.fn.max('id').as('last')).executeTakeFirstOrThrow();
        const controller = new AbortController();
        const call = mcp.client.callTool({ name, arguments: args }, undefined, { signal: controller.signal });
        await new Promise((r) => setTimeout(r, 300));
        controller.abort('the person pressed stop');
        await expect(call).rejects.toThrow();
        const row = () => db.selectFrom('tool_executions').select(['outcome', 'error']).where('tool', '=', name).where('id', '>', last ?? '0').orderBy('id', 'desc').executeTakeFirst();
        await expect.poll(async () => (await row())?.outcome, { timeout: 20_000 }).toBe('error');
        return (await row())!.error!;
      };
      const read = await cancel('gohighlevel_read_contacts', { limit: 5 });
      expect(read).toMatch(/POST \/contacts\/search was cancelled/);
      expect(read).not.toMatch(/Could not reach/);
      expect(await cancel('gohighlevel_sync_all_contacts', { mode: 'full' })).toMatch(/cancelled; sync #\d+ carries on in the background/);
      const running = app.sync.current;
      expect(running).not.toBeNull();
      expect((await running!.done).status).toBe('succeeded');
    } finally {
      fake.configure({ latencyMs: 0 });
    }
  });

  it('a failed sync answers with its run as structured content beside the error', async () => {
    fake.fault({ times: 20, pathPrefix: '/contacts', status: 401, body: JSON.stringify({ statusCode: 401, message: 'Invalid JWT' }) });
    try {
      const res = await mcp.call('gohighlevel_sync_all_contacts', { mode: 'full', wait_seconds: 30 });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/Sync #\d+ failed after reading 0 contacts: .*401/s);
      const run = res.structuredContent as { status: string; run_id: number; mode: string; errors: string[] };
      expect(run).toMatchObject({ status: 'failed', mode: 'full', contacts_fetched: 0 });
      expect(textOf(res)).toContain(`Sync #${run.run_id} failed`);
      expect(run.errors.join(' ')).toMatch(/401/);
    } finally {
      fake.clearFaults();
    }
  });

  it('turns 401, 403 and an exhausted rate limit into clear errors without the token', async () => {
    const t = await createTestTarget(engine);
    const wrong = syncApp(fake, t.target, { token: 'pit-99999999-2222-4333-8444-555555555555' });
    const client = await connectClient(wrong.deps);
    try {
      const r401 = await client.call('gohighlevel_read_contacts', {});
      expect(r401.isError).toBe(true);
      expect(textOf(r401)).toMatch(/401.*GOHIGHLEVEL_API_KEY/s);
      expect(textOf(r401)).not.toContain('pit-99999999');
      fake.fault({ times: 1, status: 403, body: JSON.stringify({ statusCode: 403, message: 'The token does not have access to this location.' }) });
      const r403 = await mcp.call('gohighlevel_read_contacts', {});
      expect(textOf(r403)).toMatch(/GOHIGHLEVEL_LOCATION_ID/);
      fake.setDailyUsed(fake.tokens.v2, 200_000);
      const r429 = await mcp.call('gohighlevel_read_contacts', {});
      expect(r429.isError).toBe(true);
      expect(textOf(r429)).toMatch(/daily GoHighLevel API budget/);
    } finally {
      fake.setDailyUsed(fake.tokens.v2, 0);
      await client.close();
      await wrong.close();
      await t.drop();
    }
  });

  it('says which variable is missing when GHL is not configured', async () => {
    const t = await createTestTarget(engine);
    const bare = syncApp(fake, t.target, { env: { GOHIGHLEVEL_API_KEY: '' } });
    const client = await connectClient(bare.deps);
    try {
      for (const tool of ['gohighlevel_read_contacts', 'gohighlevel_pipeline_digest', 'gohighlevel_sync_all_contacts']) {
        const res = await client.call(tool, {});
        expect(res.isError, tool).toBe(true);
        expect(textOf(res), tool).toMatch(/GOHIGHLEVEL_API_KEY/);
      }
    } finally {
      await client.close();
      await bare.close();
      await t.drop();
    }
  });
});

describe('pipeline digest with the v1 API', () => {
  it('reads every page of every pipeline and agrees with the ground truth', async () => {
    const now = new Date();
    const { fake, mcp: client, close } = await openConnectedApp(testEngines().at(-1)!, { contactCount: 100, seed: 4, opportunityCount: 333 }, { version: 'v1', now: () => now });
    try {
      const out = (await client.call('gohighlevel_pipeline_digest', { period_days: 0 })).structuredContent as any;
      const truth = fake.store.opportunities;
      expect(out.totals.open_count).toBe(truth.filter((o) => o.status === 'open').length);
      const expected = digestPipelines(
        // Pipelines come by name.
        [...fake.store.pipelines].sort((a, b) => a.name.localeCompare(b.name)).map((p) => ({ id: p.id, name: p.name, stages: p.stages, raw: {} })),
        truth.map((o) => ({ id: o.id, name: o.name, pipelineId: o.pipelineId, stageId: o.pipelineStageId, contactId: o.contactId, contactName: null, status: o.status, monetaryValue: o.monetaryValue, lastStatusChangeAt: new Date(o.lastStatusChangeAt).toISOString(), lastStageChangeAt: new Date(o.lastStageChangeAt).toISOString(), createdAt: null, updatedAt: null, raw: {} })),
        { now, staleDays: 14, periodDays: 0 },
      );
      expect(out.pipelines.map((p: any) => [p.won_count, p.won_value, p.lost_count, p.abandoned_count, p.open_value])).toEqual(
        expected.map((p) => [p.won_count, p.won_value, p.lost_count, p.abandoned_count, p.open_value]),
      );
    } finally {
      await close();
    }
  });
});

describe('live contact reads with the v1 API', () => {
  it('lists the most recently changed contacts first, like v2', async () => {
    const { fake, mcp: client, close } = await openConnectedApp(testEngines().at(-1)!, { contactCount: 200, seed: 4 }, { version: 'v1' });
    try {
      // The contact added longest ago changes now: by date added it would come last.
      const oldest = [...fake.store.all()].sort((a, b) => a.dateAdded - b.dateAdded)[0]!;
      fake.store.updateContact(oldest.id, { tags: ['just-changed'] });
      const out = (await client.call('gohighlevel_read_contacts', { limit: 5 })).structuredContent as { contacts: Array<{ id: string }> };
      expect(out.contacts[0]!.id).toBe(oldest.id);
    } finally {
      await close();
    }
  });
});
