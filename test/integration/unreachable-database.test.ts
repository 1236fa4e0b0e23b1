import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { testConfig } from '../helpers/deps.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

/** A host that takes connections and never says a word, like a server behind a firewall that drops packets. */
describe('a PostgreSQL host that never answers', () => {
  let silent: net.Server;
  let port = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    silent = net.createServer((s) => {
      connections += 1;
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('costs a brain tool one connect timeout, not one more for its audit row and another for a retry', { timeout: 60_000 }, async () => {
    const app = createApp(testConfig({ DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/brain` }), silentLogger, { holder: 'test' });
    const mcp = await connectClient(app.deps);
    try {
      const res = await mcp.call('search_contacts', { query: 'rachel' });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/Cannot open the database at postgres:\/\/postgres@127\.0\.0\.1:\d+\/brain: .*timeout/s);
      expect(textOf(res)).not.toContain('secret');
      expect(connections).toBe(1);
    } finally {
      await mcp.close();
      await app.close();
    }
  });

  it('answers a call refused for its arguments at once, its audit row left to open the brain on its own', { timeout: 60_000 }, async () => {
    const app = createApp(testConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/brain` }), silentLogger, { holder: 'test' });
    const mcp = await connectClient(app.deps);
    const before = connections;
    try {
      const res = await mcp.call('search_contacts', { name: 'rachel' });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/name/);
      // The audit's connection attempt is still waiting on the silent host: the answer did not wait for it.
      await expect.poll(() => connections).toBe(before + 1);
      expect(sockets.size).toBeGreaterThan(0);
      // Nor does closing: the attempt is still waiting when the app has closed.
      await mcp.close();
      await app.close();
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      await mcp.close();
      await app.close();
    }
  });
});

describe('an in-memory brain still being opened', () => {
  it('does not hold up closing: nothing of it outlives the process', { timeout: 60_000 }, async () => {
    const app = createApp(testConfig({ DATABASE_URL: 'memory://' }), silentLogger, { holder: 'test' });
    let settled = false;
    const opening = app.database().then(
      () => 'opened',
      () => 'refused',
    );
    void opening.finally(() => (settled = true));
    await app.close();
    // Closed while the engine is still starting: it did not wait for it.
    expect(settled).toBe(false);
    // The open, once done, finds the app closed and gives the brain back.
    expect(await opening).toBe('refused');
  });
});
