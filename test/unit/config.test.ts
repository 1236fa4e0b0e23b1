import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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

  it('says which minutes SYNC_INTERVAL_MINUTES takes', () => {
    const problem = (v: string) => {
      try {
        loadConfig({ SYNC_INTERVAL_MINUTES: v }, ctx);
        return null;
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
    };
    expect(problem('2880')).toMatch(/SYNC_INTERVAL_MINUTES: expected at most 1440 minutes \(a day\); SYNC_CRON sets longer periods/);
    expect(problem('-5')).toMatch(/SYNC_INTERVAL_MINUTES: expected 0 \(no schedule\) to 1440 minutes/);
    expect(problem('7.5')).toMatch(/SYNC_INTERVAL_MINUTES: expected whole minutes/);
    expect(problem('soon')).toMatch(/SYNC_INTERVAL_MINUTES: expected a number of minutes/);
    expect(problem('1440')).toBeNull();
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

  it('trims every value alike and reads LOG_LEVEL and booleans in any case', () => {
    const c = loadConfig(
      { MEDTAINER_DATA_DIR: '/data/brain ', DATABASE_URL: 'postgres://u@h:5432/db ', LOG_LEVEL: 'INFO ', SYNC_ON_START: ' Y', SYNC_CRON: ' 0 3 * * * ' },
      ctx,
    );
    expect(c.dataDir).toBe('/data/brain');
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db' });
    expect(c.logLevel).toBe('info');
    expect(c.sync.onStart).toBe(true);
    expect(c.sync.cron).toBe('0 3 * * *');
    expect(loadConfig({ DATABASE_URL: 'memory:// ' }, ctx).database).toEqual({ kind: 'memory' });
    expect(loadConfig({ LOG_LEVEL: 'Debug' }, ctx).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: 'warning' }, ctx).logLevel).toBe('warn');
    expect(loadConfig({ LOG_LEVEL: 'WARN', SYNC_ON_START: 'N' }, ctx)).toMatchObject({ logLevel: 'warn', sync: { onStart: false } });
  });

  it('expands a leading ~ in MEDTAINER_DATA_DIR and refuses any other relative path', () => {
    expect(loadConfig({ MEDTAINER_DATA_DIR: '~/medtainer' }, ctx).dataDir).toBe('/home/ana/medtainer');
    expect(loadConfig({ MEDTAINER_DATA_DIR: '~' }, ctx).dataDir).toBe('/home/ana');
    expect(loadConfig({ MEDTAINER_DATA_DIR: '~\\brain' }, { platform: 'win32', homedir: 'C:\\Users\\ana' }).dataDir).toBe('C:\\Users\\ana\\brain');
    expect(loadConfig({ MEDTAINER_DATA_DIR: '~/medtainer' }, ctx).database).toEqual({ kind: 'pglite', dataDir: '/home/ana/medtainer' });
    // A trailing separator (a shell's completion adds one) is dropped: the demo brain is beside the real one, not inside it.
    for (const written of ['/srv/brain/', '/srv/brain//', '~/brain/']) {
      const c = loadConfig({ MEDTAINER_DATA_DIR: written, MEDTAINER_DEMO: '1' }, ctx);
      expect(c.database, written).toEqual({ kind: 'pglite', dataDir: `${written.startsWith('~') ? '/home/ana' : '/srv'}/brain-demo` });
    }
    expect(loadConfig({ MEDTAINER_DATA_DIR: '/' }, ctx).dataDir).toBe('/');
    expect(loadConfig({ MEDTAINER_DATA_DIR: 'C:\\brain\\' }, { platform: 'win32', homedir: 'C:\\Users\\ana' }).dataDir).toBe('C:\\brain');
    for (const relative of ['brain', './brain', '~ana/brain']) {
      // A relative folder chooses a brain: refused even where a server keeps going on other settings.
      for (const lenient of [false, true]) {
        expect(() => loadConfig({ MEDTAINER_DATA_DIR: relative }, { ...ctx, lenient }), relative).toThrow(/MEDTAINER_DATA_DIR: must be an absolute path .*Claude Desktop starts servers in \//);
      }
    }
  });

  it('never makes the brain in the working folder: a relative XDG_DATA_HOME is ignored, an empty or relative HOME refused', () => {
    // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    expect(loadConfig({ XDG_DATA_HOME: '.local/share' }, ctx).dataDir).toBe('/home/ana/.local/share/medtainer-mcp');
    expect(loadConfig({ LOCALAPPDATA: 'AppData' }, { platform: 'win32', homedir: 'C:\\Users\\ana' }).dataDir).toBe('C:\\Users\\ana\\AppData\\Local\\medtainer-mcp');
    // HOME="" (Node then says the home folder is "") once made ".local/share/medtainer-mcp" wherever a command ran.
    for (const homedir of ['', 'ana']) {
      for (const lenient of [false, true]) {
        expect(() => loadConfig({}, { platform: 'linux', homedir, lenient }), homedir).toThrow(
          /MEDTAINER_DATA_DIR: unset, and the default folder "(ana\/)?\.local\/share\/medtainer-mcp" would depend on the working folder: the home folder \(HOME\) is (empty|"ana", not an absolute path)/,
        );
      }
      // "~/brain" would have been "/brain".
      expect(() => loadConfig({ MEDTAINER_DATA_DIR: '~/brain' }, { platform: 'linux', homedir }), homedir).toThrow(/MEDTAINER_DATA_DIR: starts with ~, but the home folder \(HOME\) is/);
      // Where the embedded brain is not opened, an unusable default is no problem.
      expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }, { platform: 'linux', homedir }).database.kind).toBe('postgres');
      expect(loadConfig({ DATABASE_URL: 'memory://' }, { platform: 'linux', homedir }).database.kind).toBe('memory');
      expect(loadConfig({ MEDTAINER_DATA_DIR: '/srv/brain' }, { platform: 'linux', homedir }).dataDir).toBe('/srv/brain');
    }
  });

  it('cleans a key pasted with quotes or a Bearer prefix, and says why a key cannot be used', () => {
    const key = (k: string) => loadConfig({ GOHIGHLEVEL_API_KEY: k, GOHIGHLEVEL_LOCATION_ID: 'LOC123' }, ctx).ghl;
    for (const pasted of ['"pit-1234abcd-0000"', "'pit-1234abcd-0000'", 'Bearer pit-1234abcd-0000', '"Bearer  pit-1234abcd-0000"']) {
      expect(key(pasted), pasted).toMatchObject({ apiKey: 'pit-1234abcd-0000', apiVersion: 'v2', unavailableReason: null });
    }
    expect(key('""').unavailableReason).toMatch(/GOHIGHLEVEL_API_KEY is not set/);
    // The README's placeholder, and characters an HTTP header cannot carry: the server still starts, GHL tools say why.
    expect(key('pit-…').unavailableReason).toMatch(/^GOHIGHLEVEL_API_KEY is still the placeholder/);
    // claude_desktop_config.example.json's token, copied with only the location id changed.
    const example = JSON.parse(readFileSync(new URL('../../claude_desktop_config.example.json', import.meta.url), 'utf8')).mcpServers.medtainer.env.GOHIGHLEVEL_API_KEY;
    expect(key(example).unavailableReason).toMatch(/^GOHIGHLEVEL_API_KEY is still the placeholder/);
    for (const bad of ['pit-1234 abcd', 'pit-1234\nabcd', 'pit-1234abcd\u201d', 'pit-12é4abcd']) {
      const reason = key(bad).unavailableReason ?? '';
      expect(reason, JSON.stringify(bad)).toMatch(/^GOHIGHLEVEL_API_KEY holds a character a token cannot/);
      expect(reason).not.toContain('1234');
    }
    expect(loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-…', GOHIGHLEVEL_LOCATION_ID: 'your-location-id' }, ctx).ghl.unavailableReason).toMatch(/GOHIGHLEVEL_API_KEY/);
    expect(loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000', GOHIGHLEVEL_LOCATION_ID: 'your-location-id' }, ctx).ghl.unavailableReason).toMatch(
      /GOHIGHLEVEL_LOCATION_ID is still the placeholder/,
    );
  });

  it('says what to change when the key and GOHIGHLEVEL_API_VERSION do not go together', () => {
    const forcedV1 = loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-00000000-0000-4000-8000-00000000f4c3', GOHIGHLEVEL_API_VERSION: 'v1' }, ctx).ghl;
    expect(forcedV1.locationId).toBeNull();
    expect(forcedV1.unavailableReason).toMatch(/Private Integration Token .* v2 API only\. Remove GOHIGHLEVEL_API_VERSION/);
    // An OAuth token, or a v1 agency key without location_id, forced to v1.
    for (const k of ['oauth-access-token-1234', v1Key({ company_id: 'C', version: 1 })]) {
      expect(loadConfig({ GOHIGHLEVEL_API_KEY: k, GOHIGHLEVEL_API_VERSION: 'v1' }, ctx).ghl.unavailableReason).toMatch(/needs a v1 location API key .* remove GOHIGHLEVEL_API_VERSION/);
    }
    // A v1 location key forced to v2: the location id is not what is missing.
    const v1 = v1Key({ location_id: 'LOCV1', version: 1 });
    for (const location of [undefined, 'LOCV1']) {
      const c = loadConfig({ GOHIGHLEVEL_API_KEY: v1, GOHIGHLEVEL_API_VERSION: 'v2', GOHIGHLEVEL_LOCATION_ID: location }, ctx);
      expect(c.ghl.unavailableReason).toMatch(/is a v1 location API key, but GOHIGHLEVEL_API_VERSION=v2\. Remove GOHIGHLEVEL_API_VERSION/);
    }
  });

  it('refuses a token given as the location id, without repeating it', () => {
    for (const token of ['pit-00000000-0000-4000-8000-00000000f4c3', v1Key({ location_id: 'X', version: 1 })]) {
      let message = '';
      try {
        loadConfig({ GOHIGHLEVEL_API_KEY: 'FakeLocation00000001', GOHIGHLEVEL_LOCATION_ID: token }, ctx);
      } catch (err) {
        message = String(err);
      }
      expect(message).toMatch(/GOHIGHLEVEL_LOCATION_ID: this looks like a token, not a location id: GOHIGHLEVEL_API_KEY and GOHIGHLEVEL_LOCATION_ID swapped\?/);
      expect(message).not.toContain(token);
    }
  });

  it('refuses an http:// base URL except on this machine, and credentials in it', () => {
    const problem = (url: string) => {
      try {
        loadConfig({ GOHIGHLEVEL_BASE_URL: url }, ctx);
        return null;
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
    };
    expect(problem('http://services.leadconnectorhq.com')).toMatch(/^GOHIGHLEVEL_BASE_URL: http:\/\/ would send the token unencrypted/);
    expect(problem('http://10.0.0.5:8080/ghl')).toMatch(/unencrypted/);
    expect(problem('https://user:pw@proxy.example.com')).toMatch(/^GOHIGHLEVEL_BASE_URL: remove the user name and password/);
    expect(problem('https://user:pw@proxy.example.com')).not.toContain('pw@');
    for (const fine of ['https://services.leadconnectorhq.com', 'http://localhost:8080', 'http://127.0.0.1:47111/v1', 'http://[::1]:9000', 'http://ghl.localhost']) {
      expect(problem(fine), fine).toBeNull();
    }
  });

  it('lenient (a server): a malformed tuning setting falls back to its default and is said; a GoHighLevel one turns GoHighLevel off with the reason', () => {
    const lenient = { ...ctx, lenient: true };
    const c = loadConfig({ LOG_LEVEL: 'loud', SYNC_ON_START: 'maybe', SYNC_INTERVAL_MINUTES: 'soon', SYNC_CRON: 'every day' }, lenient);
    expect(c.logLevel).toBe('info');
    expect(c.sync).toEqual({ intervalMinutes: 15, cron: null, onStart: true });
    expect(c.problems).toEqual([
      'SYNC_INTERVAL_MINUTES: expected a number of minutes; using 15 minutes until it is fixed',
      expect.stringMatching(/^SYNC_CRON: not a valid cron pattern .*; using SYNC_INTERVAL_MINUTES/),
      'SYNC_ON_START: expected true or false (also 1/0, yes/no, on/off); using true until it is fixed',
      'LOG_LEVEL: expected error, warn, info or debug; using info until it is fixed',
    ]);
    // The same settings stop a one-shot command.
    expect(() => loadConfig({ LOG_LEVEL: 'loud' }, ctx)).toThrow(ConfigError);
    expect(loadConfig({ LOG_LEVEL: 'debug' }, lenient).problems).toEqual([]);

    const ghl = loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000', GOHIGHLEVEL_LOCATION_ID: 'pit-1234abcd-0000', GOHIGHLEVEL_BASE_URL: 'http://example.com' }, lenient).ghl;
    expect(ghl.unavailableReason).toMatch(/^GOHIGHLEVEL_LOCATION_ID: this looks like a token/);
    expect(ghl.locationId).toBeNull();
    expect(loadConfig({ GOHIGHLEVEL_API_KEY: 'pit-1234abcd-0000', GOHIGHLEVEL_LOCATION_ID: 'LOC', GOHIGHLEVEL_API_VERSION: 'v3' }, lenient).ghl.unavailableReason).toMatch(
      /^GOHIGHLEVEL_API_VERSION: expected "v1" or "v2"/,
    );
    // Settings that choose the brain are never replaced: a default would be another brain.
    for (const env of [{ DATABASE_URL: 'mysql://x' }, { MEDTAINER_DEMO: 'maybe' }, { MEDTAINER_DATA_DIR: 'brain' }]) {
      expect(() => loadConfig(env, lenient), JSON.stringify(env)).toThrow(ConfigError);
    }
  });
});
