import { localDate } from '../../src/local-date.js';
import type { GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, KNOWN } from '../../src/fake-ghl/index.js';
import { LISTED_CONTACTS } from '../../src/resources/contact-resource.js';
import type { Connected } from '../helpers/mcp-client.js';
import { openConnectedApp } from '../helpers/connected-app.js';
import { openTestDatabase, testEngines } from '../helpers/test-db.js';
import { connectClient } from '../helpers/mcp-client.js';
import { testDeps } from '../helpers/deps.js';

const DAY = 86_400_000;
const promptText = (r: GetPromptResult) => r.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');

describe.each(testEngines())('contact resource and daily briefing prompt (%s)', (engine) => {
  let fake: FakeGhl;
  let app: App;
  let mcp: Connected;
  let close: () => Promise<void>;
  const now = new Date();

  beforeAll(async () => {
    const prepare = (f: FakeGhl) => void (f.store.opportunities[0]!.contactId = KNOWN.rachel);
    ({ fake, app, mcp, close } = await openConnectedApp(engine, { contactCount: 500, seed: 21, opportunityCount: 300 }, { now: () => now, prepare, synced: true }));
  });
  afterAll(() => close?.());

  it('offers the contact://{id} template and lists the most important contacts', async () => {
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ name: 'contact', uriTemplate: 'contact://{id}', mimeType: 'application/json' })]);
    const { resources } = await mcp.client.listResources();
    expect(resources).toHaveLength(LISTED_CONTACTS);
    expect(resources.every((r) => r.uri.startsWith('contact://') && r.name.length > 0)).toBe(true);
    const importances = resources.map((r) => Number(/importance (\d+)/.exec(r.description ?? '')?.[1]));
    expect(importances.every(Number.isFinite)).toBe(true);
    expect([...importances].sort((a, b) => b - a)).toEqual(importances);
    expect(importances[0]).toBe(10); // Rachel and the other VIP leads come first
  });

  it('reads a contact as JSON, the same picture as get_contact_360, without recording a view', async () => {
    const uri = `contact://${KNOWN.rachel}`;
    const read = (await mcp.client.readResource({ uri })) as ReadResourceResult;
    expect(read.contents).toHaveLength(1);
    const [content] = read.contents;
    expect(content).toMatchObject({ uri, mimeType: 'application/json' });
    const body = JSON.parse((content as { text: string }).text);
    expect(body.contact).toMatchObject({ id: KNOWN.rachel, name: 'Rachel Baker', company: 'Fresh Headies', email: 'rachel@freshheadies.com' });
    expect(body.context.importance).toBe(10);
    expect(body.opportunities.map((o: { id: string }) => o.id)).toContain(fake.store.opportunities[0]!.id);
    expect(body.history.some((h: { kind: string }) => h.kind === 'viewed')).toBe(false);

    const tool = await mcp.call('get_contact_360', { contact_id: KNOWN.rachel });
    const fromTool = tool.structuredContent as typeof body;
    expect(fromTool.contact).toEqual(body.contact);
    expect(fromTool.opportunities).toEqual(body.opportunities);
  });

  it('answers an unknown id with a clear resource-not-found error', async () => {
    await expect(mcp.client.readResource({ uri: 'contact://no-such-contact' })).rejects.toThrow(/No contact has the id "no-such-contact"/);
    // A broken %-escape is bad input (-32602), not a server error.
    await expect(mcp.client.readResource({ uri: 'contact://%' })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/not a readable contact id/) });
    // An id the database cannot even be asked about (a NUL), or longer than any id: not found, not an internal error.
    await expect(mcp.client.readResource({ uri: 'contact://%00' })).rejects.toMatchObject({ code: -32002 });
    await expect(mcp.client.readResource({ uri: `contact://${'x'.repeat(5000)}` })).rejects.toMatchObject({ code: -32002, message: expect.not.stringContaining('xxxxxxxxxx') });
  });

  it('daily_briefing brings follow-ups, new leads and stale deals from the brain', async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['daily_briefing']);
    expect(prompts[0]!.arguments?.map((a) => a.name).sort()).toEqual(['follow_up_days', 'new_lead_days', 'stale_days']);

    const res = await mcp.client.getPrompt({ name: 'daily_briefing', arguments: {} });
    const text = promptText(res);
    expect(res.messages[0]!.role).toBe('user');
    expect(text).toContain(`daily briefing for ${localDate(now)}`);
    expect(text).toMatch(/last synced with GoHighLevel at \d{4}-/);

    const followUps = (await mcp.call('find_contacts_needing_follow_up', { days: 30, min_importance: 7, limit: 1 })).structuredContent as { total: number; contacts: Array<{ id: string }> };
    expect(followUps.total).toBeGreaterThan(0);
    expect(text).toContain(`Important contacts silent for 30+ days (${followUps.total}):`);
    expect(text).toContain(`[${followUps.contacts[0]!.id}]`);

    const leads = fake.store.all().filter((c) => c.type === 'lead' && c.dateAdded >= now.getTime() - 7 * DAY);
    expect(leads.length).toBeGreaterThan(0);
    expect(text).toContain(`New leads, last 7 days (${leads.length}):`);
    const newest = [...leads].sort((a, b) => b.dateAdded - a.dateAdded)[0]!;
    expect(text).toContain(`[${newest.id}]`);

    const stale = fake.store.opportunities.filter((o) => o.status === 'open' && o.lastStageChangeAt <= now.getTime() - 14 * DAY);
    expect(stale.length).toBeGreaterThan(0);
    expect(text).toContain(`no stage change for 14+ days (${stale.length};`);
    const biggest = [...stale].sort((a, b) => b.monetaryValue - a.monetaryValue)[0]!;
    expect(text).toContain(`[${biggest.id}]`);
    // CRM text is fenced as data.
    expect(text).toMatch(/<crm-data-[0-9a-f]{12}>/);
  });

  it('daily_briefing takes its windows as arguments and refuses nonsense', async () => {
    const res = await mcp.client.getPrompt({ name: 'daily_briefing', arguments: { follow_up_days: '90', new_lead_days: '1', stale_days: '60' } });
    const text = promptText(res);
    expect(text).toContain('Important contacts silent for 90+ days');
    expect(text).toContain('New leads, last 1 days');
    expect(text).toContain('no stage change for 60+ days');
    await expect(mcp.client.getPrompt({ name: 'daily_briefing', arguments: { follow_up_days: 'a month' } })).rejects.toThrow(/whole number of days/);
    // A field left blank in a prompt form arrives as "": the default.
    const blank = promptText(await mcp.client.getPrompt({ name: 'daily_briefing', arguments: { follow_up_days: '', new_lead_days: ' ', stale_days: '60' } }));
    expect(blank).toContain('Important contacts silent for 30+ days');
    expect(blank).toContain('New leads, last 7 days');
  });
});

describe('daily briefing before any sync', () => {
  it('says the brain cannot sync until GoHighLevel is configured, instead of offering a sync that would fail', async () => {
    const tdb = await openTestDatabase('pglite');
    const mcp = await connectClient(testDeps(tdb));
    try {
      const text = promptText(await mcp.client.getPrompt({ name: 'daily_briefing', arguments: {} }));
      expect(text).toMatch(/has never synced with GoHighLevel, and cannot until it is configured \(.*GOHIGHLEVEL_API_KEY.*\)/);
      expect(text).not.toMatch(/offer to run gohighlevel_sync_all_contacts/);
    } finally {
      await mcp.close();
      await tdb.dispose();
    }
  });
});
