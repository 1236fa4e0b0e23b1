/**
 * Just enough of the PostgreSQL wire protocol to share one PGlite backend between connections:
 * cut the incoming byte stream into messages, and see from the backend's replies when it is idle.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** The backend refuses bigger messages anyway; a bigger length means the stream is garbage. */
const MAX_MESSAGE = 1 << 30;

export type Frame =
  | { kind: 'encryption-request' }
  | { kind: 'cancel' }
  | { kind: 'terminate' }
  | { kind: 'startup' | 'message'; bytes: Buffer };

/** Cuts a client's byte stream into whole frames; the first ones have no type byte. */
export class FrameReader {
  private buffer = Buffer.alloc(0);
  private startupPhase = true;

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.startupPhase ? this.nextStartup() : this.nextMessage();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private nextStartup(): Frame | null {
    if (this.buffer.length < 8) return null;
    const length = this.buffer.readInt32BE(0);
    if (length < 8 || length > 10_000) throw new Error(`bad startup packet length ${length}`);
    if (this.buffer.length < length) return null;
    const bytes = this.take(length);
    const code = bytes.readInt32BE(4);
    // The client asks for TLS or GSS first and retries in plain text after our 'N'.
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) return { kind: 'encryption-request' };
    if (code === CANCEL_REQUEST) return { kind: 'cancel' };
    if (code !== PROTOCOL_3) throw new Error(`unsupported protocol ${code}`);
    this.startupPhase = false;
    return { kind: 'startup', bytes };
  }

  private nextMessage(): Frame | null {
    if (this.buffer.length < 5) return null;
    const length = this.buffer.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE) throw new Error(`bad message length ${length}`);
    if (this.buffer.length < length + 1) return null;
    const bytes = this.take(length + 1);
    return bytes[0] === 0x58 ? { kind: 'terminate' } : { kind: 'message', bytes };
  }

  private take(n: number): Buffer {
    const head = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    // Copy, so a retained message does not pin a large shared buffer.
    return Buffer.from(head);
  }
}

export const READY_IDLE = 0x49; // 'I': ReadyForQuery outside any transaction

/**
 * Follows the backend's reply stream (which may arrive in pieces) and remembers the status byte
 * of the last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed transaction.
 */
export class ReadyScanner {
  status: number | null = null;
  private readonly header = Buffer.alloc(5);
  private filled = 0;
  private remaining = 0;
  private wantStatus = false;

  feed(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      if (this.remaining > 0) {
        if (this.wantStatus) {
          this.status = data[i] ?? null;
          this.wantStatus = false;
        }
        const n = Math.min(this.remaining, data.length - i);
        i += n;
        this.remaining -= n;
        continue;
      }
      this.header[this.filled++] = data[i++] ?? 0;
      if (this.filled === 5) {
        this.filled = 0;
        this.remaining = this.header.readInt32BE(1) - 4;
        this.wantStatus = this.header[0] === 0x5a; // 'Z': ReadyForQuery
      }
    }
  }
}

/** Ends an unfinished extended-query sequence (after an error the backend skips to it). */
export const SYNC_MESSAGE = Buffer.from([0x53, 0, 0, 0, 4]);

/** A simple-protocol query message. */
export function queryMessage(text: string): Buffer {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const header = Buffer.alloc(5);
  header[0] = 0x51; // 'Q'
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** A FATAL ErrorResponse, so a refused client gets a real PostgreSQL error (with a SQLSTATE). */
export function fatalError(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header[0] = 0x45; // 'E'
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
