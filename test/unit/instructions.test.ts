// A zone set before any date is made: the instructions name it.
process.env.TZ = 'America/New_York';
import { describe, expect, it } from 'vitest';
import { serverInstructions } from '../../src/instructions.js';
import { testConfig } from '../helpers/deps.js';

const configured = { GOHIGHLEVEL_API_KEY: 'pit-00000000-0000-4000-8000-00000000f4c3', GOHIGHLEVEL_LOCATION_ID: 'LOC123' };

describe('the instructions sent at initialize', () => {
  it('say how the brain is kept fresh as the settings say, never promising a sync that will not run', () => {
    expect(serverInstructions(testConfig(configured))).toContain('kept fresh by a sync every 15 minutes');
    expect(serverInstructions(testConfig({ ...configured, SYNC_INTERVAL_MINUTES: '60' }))).toContain('every 60 minutes');
    expect(serverInstructions(testConfig({ ...configured, SYNC_CRON: '0 3 * * *' }))).toContain('scheduled sync (cron "0 3 * * *", America/New_York time)');
    const off = serverInstructions(testConfig({ ...configured, SYNC_INTERVAL_MINUTES: '0' }));
    expect(off).toContain('the automatic sync is off, so run gohighlevel_sync_all_contacts');
    expect(off).not.toContain('15 minutes');
    expect(serverInstructions(testConfig({}))).toContain('not synced: GoHighLevel is not configured');
    // The demo syncs its simulated location, with no GoHighLevel settings at all.
    const demo = serverInstructions(testConfig({ MEDTAINER_DEMO: '1' }));
    expect(demo).toContain('a simulated demo location, kept fresh by a sync every 15 minutes');
    expect(demo).not.toContain('not configured');
  });

  it('say which zone the day words of a search are read in, and that answers give times in UTC', () => {
    const text = serverInstructions(testConfig(configured));
    expect(text).toContain('Times in answers are UTC');
    expect(text).toContain("the days of this server's time zone, America/New_York");
  });
});
