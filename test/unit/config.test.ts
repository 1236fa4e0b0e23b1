import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const ctx = { platform: 'linux' as const, homedir: '/home/ana' };

function v1Key(payload: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJlc2lnbmF0dXJl`;
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({}, ctx);
    expect(c.ghl.apiVersion).toBe('v2');
    expect(c.ghl.baseUrl).toBe('https://services.leadconnectorhq.com');
    expect(c.ghl.unavailableReason).toMatch(/GOHIGHLEVEL_API_KEY/);
    expect(c.database).toEqual({ kind: 'pglite', dataDir: '/home/ana/.local/share/medtainer-mcp' });
    expect(c.sync).toEqual({ intervalMinutes: 15, cron: null, onStart: true });
    expect(c.logLevel).toBe('info');
    expect(c.demo).toBe(false);
    expect(Object.isFrozen(c) && Object.isFrozen(c.ghl) && Object.isFrozen(c.sync)).toBe(true);
  });

  it('uses the per-user data directory of each OS', () => {
    expect(loadConfig({}, { platform: 'darwin', homedir: '/Users/ana' }).dataDir).toBe('/Users/ana/Library/Application Support/medtainer-mcp');
    expect(loadConfig({ LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }, { platform: 'win32', homedir: 'C:\\Users\\ana' }).dataDir).toBe(
      'C:\\Users\\ana\\AppData\\Local\\medtainer-mcp',
    );
    expect(loadConfig({ XDG_DATA_HOME: '/data' }, ctx).dataDir).toBe('/data/medtainer-mcp');
  });

  it('chooses v2 for a pit- token and needs a location id for it', () => {
    const c = loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000' }, ctx);
    expect(c.ghl.apiVersion).toBe('v2');
    expect(c.ghl.unavailableReason).toMatch(/GOHIGHLEVEL_LOCATION_ID/);
    const ok = loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000', GOHIGHLEVEL_LOCATION_ID: 'LOC123' }, ctx);
    expect(ok.ghl.unavailableReason).toBeNull();
    expect(ok.ghl.locationId).toBe('LOC123');
  });

  it('recognises a v1 location key and takes the location from it', () => {
    const c = loadConfig({ GOHIGHLEVEL_API_KEY: v1Key({ location_id: 'LOCV1', version: 1, company_id: 'C' }) }, ctx);
    expect(c.ghl.apiVersion).toBe('v1');
    expect(c.ghl.baseUrl).toBe('https://rest.gohighlevel.com/v1');
    expect(c.ghl.locationId).toBe('LOCV1');
    expect(c.ghl.unavailableReason).toBeNull();
  });

  it('treats a JWT without version 1 as a v2 token, and honours an explicit version', () => {
    expect(loadConfig({ GOHIGHLEVEL_API_KEY: v1Key({ location_id: 'X', version: 2 }) }, ctx).ghl.apiVersion).toBe('v2');
    expect(loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-1234abcd', GOHIGHLEVEL_API_VERSION: 'v1' }, ctx).ghl.apiVersion).toBe('v1');
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ GOHIGHLEVEL_API_KEY: '', DATABASE_URL: '  ', SYNC_INTERVAL_MINUTES: '', LOG_LEVEL: '' }, ctx);
    expect(c.ghl.apiKey).toBeNull();
    expect(c.database.kind).toBe('pglite');
    expect(c.sync.intervalMinutes).toBe(15);
  });

  it('parses the database, schedule and flags', () => {
    const c = loadConfig(
      { DATABASE_URL: 'postgres://u:p@db:5432/brain', SYNC_INTERVAL_MINUTES: '0', SYNC_CRON: '*/30 * * * * *', SYNC_ON_START: 'false', LOG_LEVEL: 'debug', MEDTAINER_DATA_DIR: '/srv/brain' },
      ctx,
    );
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/brain' });
    expect(c.sync).toEqual({ intervalMinutes: 0, cron: '*/30 * * * * *', onStart: false });
    expect(c.logLevel).toBe('debug');
    expect(c.dataDir).toBe('/srv/brain');
    expect(loadConfig({ DATABASE_URL: 'memory://' }, ctx).database).toEqual({ kind: 'memory' });
  });

  it('keeps demo data out of the real brain', () => {
    expect(loadConfig({ MEDTAINER_DEMO: '1', DATABASE_URL: 'postgres://x@y/z' }, ctx).database).toEqual({
      kind: 'pglite',
      dataDir: '/home/ana/.local/share/medtainer-mcp-demo',
    });
    expect(loadConfig({}, { ...ctx, flags: { demo: true } }).demo).toBe(true);
  });

  it('lists every problem at once, naming each variable', () => {
    try {
      loadConfig(
        { GOHIGHLEVEL_API_VERSION: 'v3', DATABASE_URL: 'mysql://x', SYNC_INTERVAL_MINUTES: 'soon', SYNC_CRON: 'every day', LOG_LEVEL: 'loud', SYNC_ON_START: 'maybe' },
        ctx,
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['GOHIGHLEVEL_API_VERSION', 'DATABASE_URL', 'SYNC_INTERVAL_MINUTES', 'SYNC_CRON', 'LOG_LEVEL', 'SYNC_ON_START']) {
        expect(problems).toContain(name);
      }
      expect((err as ConfigError).problems).toHaveLength(6);
    }
  });

  it('refuses a SYNC_CRON that would never sync, saying why', () => {
    const problem = (cron: string) => {
      try {
        loadConfig({ SYNC_CRON: cron }, ctx);
        return null;
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
    };
    expect(problem('every day')).toMatch(/^SYNC_CRON: not a valid cron pattern/);
    // 30 February and 31 April match no day; croner would accept them and never fire.
    expect(problem('0 0 30 2 *')).toMatch(/^SYNC_CRON: this pattern never fires/);
    expect(problem('0 0 31 4 *')).toMatch(/^SYNC_CRON: this pattern never fires/);
    // Croner reads a date as a job that runs once (or, in the past, never).
    expect(problem('2020-01-01T00:00:00')).toMatch(/^SYNC_CRON: a date is not a schedule/);
    expect(problem('2099-12-01T10:00:00')).toMatch(/^SYNC_CRON: a date is not a schedule/);
    for (const fine of ['0 3 * * *', '0 9 * * 1-5', '0 0 29 2 *', '*/30 * * * * *']) expect(problem(fine), fine).toBeNull();
  });

  it('never puts the token in an error', () => {
    try {
      loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-secret-secret', GOHIGHLEVEL_LOCATION_ID: 'bad id!' }, ctx);
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toContain('GOHIGHLEVEL_LOCATION_ID');
      expect(String(err)).not.toContain('pit-secret-secret');
    }
  });
});
