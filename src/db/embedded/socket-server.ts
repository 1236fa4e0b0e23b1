import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Messages that end a client's request cycle: Sync, simple Query, Terminate. */
const CYCLE_END = new Set(['S', 'Q', 'X']);

interface Batch {
  conn: Connection;
  messages: Uint8Array[];
  done: () => void;
}

interface Connection {
  id: number;
  socket: net.Socket;
}

/** AuthenticationCleartextPassword: the socket is local, so the password travels no network. */
const AUTHENTICATION_CLEARTEXT_PASSWORD = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);

/** Compares in constant time (digests of equal length, whatever was given). */
function sameSecret(given: Buffer, secret: string): boolean {
  const digest = (b: Buffer | string) => createHash('sha256').update(b).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/**
 * ErrorResponse FATAL 28P01, as PostgreSQL answers a wrong password. The process refused quotes
 * this text: one of an earlier version (before the lock file held a secret) gives no password at
 * all, and would otherwise be left checking MEDTAINER_DATA_DIR.
 */
function passwordRefused(): Buffer {
  const text =
    `password authentication failed for the embedded medtainer-mcp database (held by process ${process.pid}): ` +
    'a process that gives no password is an older medtainer-mcp than the one holding the brain; update the program that started it (npx -y medtainer-mcp@latest), or quit the other one first';
  const fields = Buffer.from(`SFATAL\0C28P01\0M${text}\0\0`);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

/**
 * Serves one PGlite session to many PostgreSQL wire-protocol connections.
 *
 * PGlite has a single backend, so connections take turns. A turn is a whole request cycle (every
 * message up to Sync or a simple Query), not a single message: node-postgres sends Parse, Bind,
 * Execute and Sync together, and letting another connection's Parse in between would replace the
 * unnamed statement mid-flight. While a connection has a transaction open, only it gets turns.
 */
export class PgliteWireServer {
  private readonly server: net.Server;
  private readonly queue: Batch[] = [];
  private owner: number | null = null;
  private running = false;
  private nextId = 1;
  private readonly sockets = new Set<net.Socket>();

  /** With a secret, every connection must give it as its password before the session starts. */
  constructor(
    private readonly db: PGlite,
    private readonly secret?: string,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(where: { path: string } | { host: string; port: number }): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const done = () => {
        const a = this.server.address();
        resolve(typeof a === 'string' ? a : `${a?.address}:${a?.port}`);
      };
      if ('path' in where) this.server.listen(where.path, done);
      else this.server.listen(where.port, where.host, done);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const conn: Connection = { id: this.nextId++, socket };
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let started = false;
    /** The startup message, held until the password proves the connection is the holder account's. */
    let awaitingPassword: Uint8Array | null = null;
    let pending: Uint8Array[] = [];
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) break;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          if (buffer.length < length) break;
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) socket.write('N');
          else if (code === CANCEL_REQUEST) socket.end();
          else if (code === PROTOCOL_3) {
            started = true;
            if (this.secret === undefined) chain = chain.then(() => this.submit(conn, [new Uint8Array(message)]));
            else {
              awaitingPassword = new Uint8Array(message);
              socket.write(AUTHENTICATION_CLEARTEXT_PASSWORD);
            }
          }
          continue;
        }
        if (buffer.length < 5) break;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) break;
        const type = String.fromCharCode(buffer[0]!);
        if (awaitingPassword) {
          // PasswordMessage: 'p', length, the password and a NUL.
          const given = type === 'p' ? buffer.subarray(5, length - 1) : Buffer.alloc(0);
          buffer = buffer.subarray(length);
          if (!sameSecret(given, this.secret!)) {
            socket.end(passwordRefused());
            break;
          }
          const startup = awaitingPassword;
          awaitingPassword = null;
          chain = chain.then(() => this.submit(conn, [startup]));
          continue;
        }
        pending.push(new Uint8Array(buffer.subarray(0, length)));
        buffer = buffer.subarray(length);
        if (type === 'X') {
          socket.end();
          break;
        }
        if (CYCLE_END.has(type)) {
          const batch = pending;
          pending = [];
          chain = chain.then(() => this.submit(conn, batch));
        }
      }
    });
    const gone = () => {
      this.sockets.delete(socket);
      void chain.then(() => this.release(conn));
    };
    socket.on('close', gone);
    socket.on('error', () => socket.destroy());
  }

  private submit(conn: Connection, messages: Uint8Array[]): Promise<void> {
    return new Promise<void>((done) => {
      this.queue.push({ conn, messages, done });
      void this.drain();
    });
  }

  /** A connection that disconnects inside a transaction must not leave it open for everyone. */
  private async release(conn: Connection): Promise<void> {
    this.queue.splice(0, this.queue.length, ...this.queue.filter((b) => (b.conn === conn ? (b.done(), false) : true)));
    if (this.owner === conn.id) {
      this.owner = null;
      // The engine closed first (this process shutting down as the socket went): nothing to roll
      // back, and asking it would throw out of this detached callback and crash the process.
      if (this.db.closed) return;
      // No other connection gets a turn while the dead one owns the session (see drain), so no
      // runExclusive here: exec takes the same lock, and waiting for it inside would never end.
      try {
        if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      } catch {
        // Closed meanwhile, or the rollback failed: either way the session is no longer this connection's.
      }
      void this.drain();
    }
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const i = this.owner === null ? 0 : this.queue.findIndex((b) => b.conn.id === this.owner);
        if (i < 0 || this.queue.length === 0) return;
        const [batch] = this.queue.splice(i, 1);
        await this.run(batch!);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(batch: Batch): Promise<void> {
    const { socket } = batch.conn;
    try {
      await this.db.runExclusive(async () => {
        for (const message of batch.messages) {
          await this.db.execProtocolRawStream(message, {
            // `data` is a view into the engine's memory, reused for the next chunk; a socket that
            // is still flushing would send overwritten bytes (large results arrived corrupted).
            onRawData: (data) => {
              if (socket.writable && data.length) socket.write(Buffer.from(data));
            },
          });
        }
        this.owner = this.db.isInTransaction() ? batch.conn.id : null;
      });
    } catch {
      socket.destroy();
    } finally {
      batch.done();
    }
  }
}
