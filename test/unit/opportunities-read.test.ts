import { describe, expect, it } from 'vitest';
import { GhlResponseError } from '../../src/ghl/errors.js';
import type { GhlHttp } from '../../src/ghl/http.js';
import { readAllOpportunities } from '../../src/ghl/opportunities.js';

/** A GHL that answers every opportunities page with the same 100 records and the same cursor. */
function stuckGhl(): { http: GhlHttp; pages: () => number } {
  let pages = 0;
  const opportunities = Array.from({ length: 100 }, (_, i) => ({ id: `opp${i}`, pipelineId: 'p1', status: 'open', name: `Deal ${i}`, monetaryValue: 10 }));
  const http = {
    get: async (path: string) => {
      if (path === 'opportunities/pipelines') return { pipelines: [{ id: 'p1', name: 'Sales', stages: [{ id: 's1', name: 'New', position: 0 }] }] };
      pages += 1;
      return { opportunities, meta: { total: 250, startAfter: 1700000000000, startAfterId: 'opp99' } };
    },
  } as unknown as GhlHttp;
  return { http, pages: () => pages };
}

describe('reading every opportunity', () => {
  it('stops with an error when GHL hands back the cursor it was asked for, instead of calling a partial read complete', async () => {
    const ghl = stuckGhl();
    await expect(readAllOpportunities(ghl.http, 'v2', 'loc')).rejects.toBeInstanceOf(GhlResponseError);
    expect(ghl.pages()).toBe(2);
  });
});
