import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'medtainer-mcp.js');

/** An MCP transport over a child we spawned ourselves, so tests control stdin and see the exit. */
class ChildTransport implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onerror?: (e: Error) => void;
  onclose?: () => void;
  private buffer = new ReadBuffer();
  constructor(private readonly child: ChildProcess) {}
  async start(): Promise<void> {
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let m = this.buffer.readMessage(); m; m = this.buffer.readMessage()) this.onmessage?.(m);
    });
    this.child.on('exit', () => this.onclose?.());
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.child.stdin!.write(serializeMessage(message));
  }
  async close(): Promise<void> {
    this.child.stdin!.end();
  }
}

export interface SpawnedServer {
  child: ChildProcess;
  client: Client;
  /** Milliseconds from spawn until `initialize` was answered. */
  initializeMs: number;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>;
}

export interface SpawnOptions {
  /** The program and its leading arguments; defaults to this checkout's bin under the current node. */
  command?: [string, ...string[]];
  cwd?: string;
}

export async function spawnServer(env: Record<string, string>, args: string[] = [], o: SpawnOptions = {}): Promise<SpawnedServer> {
  const started = performance.now();
  const [program, ...leading] = o.command ?? [process.execPath, BIN];
  const child = spawn(program, [...leading, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'debug', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: o.cwd,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const client = new Client({ name: 'medtainer-e2e', version: '0.0.0' });
  await client.connect(new ChildTransport(child));
  return { child, client, initializeMs: performance.now() - started, stderr: () => stderr, exited };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
