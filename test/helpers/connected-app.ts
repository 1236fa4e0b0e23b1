import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeGhl, type FakeGhlOptions, startFakeGhl } from '../../src/fake-ghl/index.js';
import { type Connected, connectClient } from './mcp-client.js';
import { type SyncAppOptions, syncApp } from './sync-app.js';
import { createTestTarget, type Engine } from './test-db.js';

export interface ConnectedApp {
  fake: FakeGhl;
  app: App;
  mcp: Connected;
  /** Closes the client, the app and the fake, and drops the test database. */
  close(): Promise<void>;
}

export interface ConnectedAppOptions extends SyncAppOptions {
  /** Changes the fake's data before anything reads it (e.g. gives a known contact a deal). */
  prepare?(fake: FakeGhl): void;
  /** Runs a full sync before the client connects, so the brain holds the fake's contacts. */
  synced?: boolean;
}

/**
 * The whole product as a client sees it, on one engine: the fake GHL on loopback, a fresh brain,
 * the real app wiring and a real MCP client over the in-memory transport.
 */
export async function openConnectedApp(engine: Engine, fakeOptions: FakeGhlOptions, o: ConnectedAppOptions = {}): Promise<ConnectedApp> {
  const fake = await startFakeGhl({ rateLimit: { max: 10_000 }, ...fakeOptions });
  o.prepare?.(fake);
  const { target, drop } = await createTestTarget(engine);
  const app = syncApp(fake, target, o);
  let mcp: Connected | undefined;
  const close = async () => {
    await mcp?.close();
    await app.close();
    await fake.close();
    await drop();
  };
  try {
    if (o.synced) expect((await (await app.sync.start('cli', 'full')).done).status).toBe('succeeded');
    mcp = await connectClient(app.deps);
  } catch (error) {
    await close();
    throw error;
  }
  return { fake, app, mcp, close };
}
