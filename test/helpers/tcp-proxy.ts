import net from 'node:net';

/** One connection through the proxy: the app's side and the server's side. */
export interface ProxiedConnection {
  app: net.Socket;
  server: net.Socket;
}

/**
 * A loopback TCP proxy in front of PostgreSQL, so a test can break one connection the way a
 * network does: reset only the app's side (the server keeps the session) or go silent.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const connections: ProxiedConnection[] = [];
  const server = net.createServer((app) => {
    const upstream = net.connect(target.port, target.host);
    const c = { app, server: upstream };
    connections.push(c);
    app.pipe(upstream);
    upstream.pipe(app);
    app.on('error', () => upstream.destroy());
    upstream.on('error', () => app.destroy());
    app.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    /** The connection whose server side uses `clientPort` (pg_stat_activity.client_port). */
    byServerSidePort(clientPort: number): ProxiedConnection {
      const found = connections.find((c) => c.server.localPort === clientPort);
      if (!found) throw new Error(`no proxied connection from port ${clientPort}`);
      return found;
    },
    /** Resets the app's side only: the server still holds the session and what it locked. */
    resetAppSide(c: ProxiedConnection): void {
      c.app.unpipe(c.server);
      c.server.unpipe(c.app);
      c.app.removeAllListeners('close');
      c.app.removeAllListeners('error');
      c.app.resetAndDestroy();
    },
    /** Stops carrying bytes either way, leaving both sockets open, as a dead network path does. */
    silence(c: ProxiedConnection): void {
      c.app.unpipe(c.server);
      c.server.unpipe(c.app);
      c.app.pause();
      c.server.pause();
    },
    async close(): Promise<void> {
      for (const c of connections) {
        c.app.destroy();
        c.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
