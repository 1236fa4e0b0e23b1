import { redact } from './redact.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LoggerOptions {
  level: LogLevel;
  /** Where finished lines go. main.ts passes stderr; stdout is the MCP protocol channel. */
  write: (line: string) => void;
  /** Extra listeners (e.g. MCP logging notifications); they receive already-redacted text. */
  listeners?: LogListener[];
  secrets?: readonly string[];
  now?: () => Date;
}

export type LogListener = (level: LogLevel, msg: string, fields: LogFields) => void;

export interface RootLogger extends Logger {
  /** Returns a function that removes the listener. */
  addListener(listener: LogListener): () => void;
}

export function createLogger(options: LoggerOptions): RootLogger {
  const listeners = [...(options.listeners ?? [])];
  const secrets = options.secrets ?? [];
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (RANK[level] > RANK[options.level]) return;
    const safeMsg = redact(msg, secrets);
    const safeFields = JSON.parse(redact(JSON.stringify(fields, errorReplacer), secrets)) as LogFields;
    const extra = Object.keys(safeFields).length ? ' ' + JSON.stringify(safeFields) : '';
    options.write(`${now().toISOString()} ${level.toUpperCase()} ${safeMsg}${extra}\n`);
    for (const listener of listeners) {
      try {
        listener(level, safeMsg, safeFields);
      } catch {
        // A failing listener (e.g. a closed transport) must never break logging itself.
      }
    }
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    addListener: (l) => {
      listeners.push(l);
      return () => {
        const i = listeners.indexOf(l);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
