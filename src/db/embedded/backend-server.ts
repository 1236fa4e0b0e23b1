import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../../logger.js';
import { type Endpoint, ensurePrivateDir, socketExists } from './endpoint.js';
import { fatalError, type Frame, FrameReader, queryMessage, READY_IDLE, ReadyScanner, SYNC_MESSAGE } from './wire.js';

export interface BackendServerOptions {
  log: Logger;
  maxConnections?: number;
  /** A connection that keeps a transaction open this long without sending anything is cut off. */
  idleInTransactionMs?: number;
}

/**
 * Serves one PGlite backend (a single PostgreSQL session) to many local connections.
 *
 * A connection takes the backend with its first message and keeps it until the backend reports
 * ReadyForQuery 'I' (idle). So another connection's messages never land inside an open
 * transaction, nor between the Parse, Bind and Execute of one extended-protocol query. (The
 * pglite-socket package queues single messages and only guards explicit transactions: under load
 * a Bind could run against another connection's Parse and return another query's result.)
 */
export class BackendServer {
  private server: net.Server | null = null;
  private readonly conns = new Set<Connection>();
  private holder: Connection | null = null;
  private readonly waiting: Array<{ conn: Connection; resume: () => void }> = [];
  private db: Promise<PGlite>;
  private setDb!: (db: PGlite) => void;
  private failDb!: (err: Error) => void;
  private stopped = false;

  constructor(readonly options: BackendServerOptions) {
    this.db = new Promise<PGlite>((resolve, reject) => {
      this.setDb = resolve;
      this.failDb = reject;
    });
    this.db.catch(() => {}); // Connections see the failure; it is not unhandled.
  }

  /** Starts accepting before the engine is open: early connections wait instead of polling. */
  async listen(endpoint: Endpoint): Promise<Endpoint> {
    const server = net.createServer((socket) => this.accept(socket));
    if (endpoint.kind === 'unix') ensurePrivateDir(endpoint.dir, endpoint.socketPath);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (endpoint.kind === 'unix') server.listen(endpoint.socketPath, resolve);
      else server.listen(endpoint.port, endpoint.host, resolve);
    });
    server.on('error', (err) => this.options.log.warn('embedded database listener error', { error: err.message }));
    this.server = server;
    const address = server.address();
    return endpoint.kind === 'tcp' && address && typeof address === 'object' ? { ...endpoint, port: address.port } : endpoint;
  }

  /** Listens again if the socket file vanished (tmp cleaners remove old files in /tmp). */
  async ensureListening(endpoint: Endpoint): Promise<void> {
    if (this.stopped || endpoint.kind !== 'unix' || socketExists(endpoint.socketPath)) return;
    this.options.log.warn('embedded database socket was removed; listening again', { socket: endpoint.socketPath });
    this.server?.close();
    await this.listen(endpoint);
  }

  attach(db: PGlite): void {
    this.setDb(db);
  }

  fail(err: Error): void {
    this.failDb(err);
  }

  /** Stops accepting, cuts every connection (rolling back what it left open) and waits for that. */
  async stop(): Promise<void> {
    this.stopped = true;
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const conns = [...this.conns];
    for (const conn of conns) conn.socket.destroy();
    await Promise.all(conns.map((c) => c.close()));
    await closed;
  }

  connectionCount(): number {
    return this.conns.size;
  }

  private accept(socket: net.Socket): void {
    if (this.stopped || this.conns.size >= (this.options.maxConnections ?? 64)) {
      socket.end(fatalError('53300', 'too many connections to the embedded database'));
      return;
    }
    const conn = new Connection(this, socket);
    this.conns.add(conn);
    socket.once('close', () => {
      this.conns.delete(conn);
      void conn.close();
    });
  }

  /** Waits for the backend; FIFO, so a busy writer cannot starve the others. */
  async acquire(conn: Connection): Promise<PGlite> {
    const db = await this.db;
    if (this.holder) await new Promise<void>((resume) => this.waiting.push({ conn, resume }));
    else this.holder = conn;
    return db;
  }

  /** Hands the backend straight to the next waiter, so no newcomer can slip in between. */
  release(conn: Connection): void {
    if (this.holder !== conn) return;
    const next = this.waiting.shift();
    this.holder = next?.conn ?? null;
    next?.resume();
  }

  /** Runs one message; returns the last ReadyForQuery status it produced, if any. */
  async run(db: PGlite, message: Uint8Array, write: (data: Buffer) => void): Promise<number | null> {
    const scanner = new ReadyScanner();
    await db.runExclusive(() =>
      db.execProtocolRawStream(message, {
        onRawData: (data) => {
          scanner.feed(data);
          write(Buffer.from(data)); // The engine reuses its buffer.
        },
      }),
    );
    return scanner.status;
  }

  /** Leaves the backend idle for the next connection after one vanished mid-query or mid-transaction. */
  async reset(db: PGlite): Promise<void> {
    const discard = () => {};
    await this.run(db, SYNC_MESSAGE, discard);
    if (db.isInTransaction()) await this.run(db, queryMessage('ROLLBACK'), discard);
  }
}

class Connection {
  private readonly reader = new FrameReader();
  private readonly pending: Frame[] = [];
  private db: PGlite | null = null;
  private closed = false;
  private work: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: BackendServer,
    readonly socket: net.Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {}); // 'close' follows and cleans up.
  }

  close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    return this.kick();
  }

  private receive(chunk: Buffer): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.server.options.log.debug('embedded database: bad client data', { error: (err as Error).message });
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      if (frame.kind === 'encryption-request') this.socket.write('N');
      else if (frame.kind === 'cancel' || frame.kind === 'terminate') this.socket.destroy();
      else this.pending.push(frame);
    }
    void this.kick();
  }

  /** Drains are chained, so messages run in order and cleanup runs after the last one. */
  private kick(): Promise<void> {
    this.work = this.work.then(() => this.drain());
    return this.work;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && this.pending.length > 0) {
        this.db ??= await this.server.acquire(this);
        if (this.closed) break;
        const frame = this.pending.shift() as { bytes: Buffer };
        const status = await this.server.run(this.db, frame.bytes, (data) => {
          if (!this.socket.destroyed) this.socket.write(data);
        });
        if (status === READY_IDLE) this.letGo();
      }
    } catch (err) {
      this.server.options.log.warn('embedded database: a connection failed', { error: (err as Error).message });
      if (!this.socket.destroyed) this.socket.end(fatalError('XX000', (err as Error).message));
      this.closed = true;
    }
    if (this.closed) return this.cleanUp();
    if (this.db) this.watchIdleTransaction();
  }

  private async cleanUp(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (!this.db) return;
    await this.server.reset(this.db).catch(() => {}); // The engine may be closed already.
    this.letGo();
  }

  private letGo(): void {
    this.db = null;
    this.server.release(this);
  }

  /** A frozen or forgetful client must not keep every other process waiting forever. */
  private watchIdleTransaction(): void {
    const ms = this.server.options.idleInTransactionMs ?? 120_000;
    this.idleTimer = setTimeout(() => {
      this.server.options.log.warn('embedded database: cut off a connection idle in a transaction', { seconds: ms / 1000 });
      this.socket.end(fatalError('25P03', 'terminating connection due to idle-in-transaction timeout'));
      // A frozen peer never completes the close; do not wait for it.
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    }, ms);
    this.idleTimer.unref();
  }
}
