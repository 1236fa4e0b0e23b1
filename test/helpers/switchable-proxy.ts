import net from 'node:net';

/**
 * A loopback TCP proxy in front of PostgreSQL whose path can be cut (every connection reset, new
 * ones refused), blackholed (connections stay open but carry nothing, as after a laptop sleeps or a
 * VPN reconnects) and restored.
 */
export async function startSwitchableProxy(target: { host: string; port: number }) {
  let mode: 'open' | 'cut' | 'blackhole' = 'open';
  const live = new Set<{ app: net.Socket; server: net.Socket }>();
  const server = net.createServer((app) => {
    if (mode === 'cut') {
      app.resetAndDestroy();
      return;
    }
    if (mode === 'blackhole') {
      // Accept and never answer, like a SYN to a host that is gone (from the app's side: a connect that hangs).
      app.on('error', () => {});
      live.add({ app, server: app });
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const c = { app, server: upstream };
    live.add(c);
    app.pipe(upstream);
    upstream.pipe(app);
    const end = () => {
      live.delete(c);
      app.destroy();
      upstream.destroy();
    };
    app.on('error', end);
    upstream.on('error', end);
    app.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url(base: string): string {
      const u = new URL(base);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    /** Resets every connection and refuses new ones until restore(). */
    cut(): void {
      mode = 'cut';
      for (const c of live) {
        c.app.resetAndDestroy();
        c.server.destroy();
      }
      live.clear();
    },
    /** Every open connection stops carrying bytes (both sockets stay open); new connections hang. */
    blackhole(): void {
      mode = 'blackhole';
      for (const c of live) {
        c.app.unpipe(c.server);
        c.server.unpipe(c.app);
        c.app.pause();
        c.server.pause();
        c.app.removeAllListeners('close');
        c.server.removeAllListeners('close');
      }
    },
    /** Open connections that were blackholed stay dead (their bytes are gone); new ones work. */
    restore(): void {
      mode = 'open';
    },
    async close(): Promise<void> {
      for (const c of live) {
        c.app.destroy();
        c.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
