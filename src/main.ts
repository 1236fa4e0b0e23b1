import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createApp } from './app.js';
import { copyContextCommand } from './cli/copy-context.js';
import { demoCommand } from './cli/demo.js';
import { doctorCommand } from './cli/doctor.js';
import { type EnvFile, readEnvFile } from './cli/env-file.js';
import { migrateCommand } from './cli/migrate.js';
import type { CliIo } from './cli/io.js';
import { statsCommand } from './cli/stats.js';
import { syncCommand } from './cli/sync.js';
import { CREATE_DATA_DIR_COMMAND, USAGE } from './cli/usage.js';
import { type Config, ConfigError, loadConfig, WHERE_TO_SET } from './config.js';
import { ToolError } from './errors.js';
import { createLogger, type LogLevel, type RootLogger } from './logger.js';
import { startDemoLocation } from './demo.js';
import { createGhlClient } from './ghl/client.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';
import { InFlightCalls } from './tools/in-flight.js';

// The only module that touches process.*: argv, env, stdio, signals and the exit code.

const io: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
};

/** The flags each command takes; any other is refused rather than silently ignored. */
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  serve: ['demo'],
  stats: ['demo', 'json'],
  migrate: ['demo'],
  sync: ['demo', 'full'],
  doctor: ['demo'],
  demo: [],
  'copy-context': ['from'],
};

/** A command line that asks for nothing this program does: said with the usage, exit code 2. */
function usageError(problem: string): number {
  io.err(`${problem}\n\n${USAGE}`);
  return 2;
}

async function main(): Promise<number | null> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: {
        demo: { type: 'boolean' },
        full: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        from: { type: 'string' },
      },
    });
  } catch (err) {
    // Node's own wording, without its advice on positionals that start with "-".
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) return usageError((err as Error).message.replace(/\. To specify a positional .*$/s, '.'));
    throw err;
  }
  const { values, positionals } = parsed;
  if (values.version || positionals[0] === 'version') return io.out(`${VERSION}\n`), 0;
  if (values.help || positionals[0] === 'help') return io.out(USAGE), 0;
  const command = positionals[0] ?? 'serve';
  if (command === CREATE_DATA_DIR_COMMAND && positionals[1]) {
    const { initializeDataDir } = await import('./db/embedded/engine.js');
    await initializeDataDir(positionals[1], createLogger({ level: 'warn', write: (line) => void process.stderr.write(line) }));
    return 0;
  }
  const flags = COMMAND_FLAGS[command];
  if (!flags) return usageError(`Unknown command "${command}".`);
  // `sync full` once ran an incremental sync without a word: an extra word is refused, not ignored.
  const extra = positionals[1];
  if (extra !== undefined) {
    const meant = flags.includes(extra) ? ` (did you mean --${extra}?)` : '';
    return usageError(`"${command}" takes no argument "${extra}"${meant}.`);
  }
  const unused = Object.keys(values).filter((flag) => !flags.includes(flag));
  if (unused.length) return usageError(`"${command}" does not take ${unused.map((f) => `--${f}`).join(' or ')}.`);

  // A .env in the working folder fills in what the environment leaves unset (a terminal habit;
  // Claude Desktop starts servers in / and passes settings in its "env" block instead). Empty
  // counts as unset here as everywhere: a shell profile's `export GOHIGHLEVEL_API_KEY=` must not
  // hide the token in .env (process.loadEnvFile keeps any variable that is defined).
  const envFile = path.resolve('.env');
  const fromEnvFile: EnvFile = command === 'demo' ? { kind: 'none' } : readEnvFile(envFile);
  const ignoredFromEnvFile = fromEnvFile.kind === 'read' ? fillFromEnvFile(fromEnvFile.values) : [];

  // `demo` runs against the simulated location with a throw-away brain.
  const env = command === 'demo' ? { LOG_LEVEL: 'warn', ...process.env, DATABASE_URL: 'memory://' } : process.env;
  const demoFlag = values.demo || command === 'demo';
  // The server and doctor keep going on a malformed tuning setting (see ConfigContext.lenient).
  const lenient = command === 'serve' || command === 'doctor';
  const config = loadConfig(env, { platform: process.platform, homedir: os.homedir(), flags: demoFlag ? { demo: true } : {}, lenient });
  const log = createLogger({
    level: config.logLevel,
    write: (line) => void process.stderr.write(line),
    secrets: config.ghl.apiKey ? [config.ghl.apiKey] : [],
  });
  if (fromEnvFile.kind === 'read') log.info(`read settings from ${envFile} (the environment wins where both set a variable)`);
  if (fromEnvFile.kind === 'ignored') log.warn(`ignored ${envFile}: ${fromEnvFile.reason}`);
  if (ignoredFromEnvFile.length) {
    log.warn(
      `ignored ${ignoredFromEnvFile.join(', ')} from ${envFile}: the GoHighLevel token comes from the environment, and a .env in the working folder ` +
        '(a folder someone else may have written) does not decide where it, or the contacts, are sent. Set them in the environment too.',
    );
  }

  if (command === 'serve') return serve(config, log);
  const { app, demo } = await buildApp(config, log);
  // Ctrl-C during `sync`: record the run as interrupted (nothing half-written) before exiting.
  // A closed terminal (SIGHUP) or a reader that went away (`stats | head`, EPIPE) ends it the same way.
  // The exit code says which, as a shell does: 128 + the signal's number (a broken pipe: SIGPIPE's).
  let interrupted = false;
  const interrupt = (say: boolean, code: number) => () => {
    if (interrupted) return;
    interrupted = true;
    if (say) io.err(`\ninterrupted; ${command === 'sync' ? 'stopping after the current page' : 'stopping'}…\n`);
    void app.close().finally(() => process.exit(code));
  };
  process.once('SIGINT', interrupt(true, 130));
  process.once('SIGTERM', interrupt(true, 143));
  process.once('SIGHUP', interrupt(false, 129));
  process.stdout.on('error', interrupt(false, 141));
  process.stderr.on('error', interrupt(false, 141));
  try {
    if (command === 'migrate') return await migrateCommand(app, io);
    if (command === 'sync') return await syncCommand(app, io, { full: Boolean(values.full) });
    if (command === 'doctor') return await doctorCommand(app, io, { demoUrl: demo?.fake.url ?? null });
    if (command === 'demo') return await demoCommand(app, io);
    if (command === 'copy-context') return await copyContextCommand(app, io, { from: values.from ?? config.dataDir, log });
    return await statsCommand(app, io, { json: Boolean(values.json) });
  } finally {
    await app.close();
    await demo?.close();
  }
}

/**
 * initdb in a short-lived child process: it briefly needs ~800 MB, and memory it used would stay
 * with a long-running server (~200 MB more than opening an existing directory, measured). Under
 * Claude Desktop's own runtime, process.execPath is Electron, which runs a script only when told
 * to behave as Node. A child that hangs is stopped; the caller then creates the directory itself.
 */
function createDataDirInChild(dataDir: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, CREATE_DATA_DIR_COMMAND, dataDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    signal?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A plain Error: a spawn failure's code (ENOENT) must not look like a database connection error.
    child.on('error', (err) => (clearTimeout(timer), reject(new Error(`could not start a helper process: ${err.message}`))));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(stderr.trim() || `the helper process ended with ${signal ?? `code ${code}`}`));
    });
  });
}

/** A sync run's holder is "host:pid"; on this host, a pid that no longer exists has gone. */
function isHolderGone(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== os.hostname() || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The app, pointed at the built-in simulated location in demo mode (never silently). */
async function buildApp(config: Config, log: RootLogger) {
  const base = { holder: `${os.hostname()}:${process.pid}`, isHolderGone, initializeDataDir: createDataDirInChild };
  if (!config.demo) return { app: createApp(config, log, base), demo: null };
  const demo = await startDemoLocation();
  log.warn(`demo mode: serving a simulated GoHighLevel location at ${demo.fake.url}; every answer is demo data`);
  return { app: createApp(config, log, { ...base, ghlClient: createGhlClient(demo.ghl, log) }), demo };
}

/** How long a closing server goes on answering calls it already received, before its 10 s to close. */
const ANSWER_BEFORE_EXIT_MS = 8_000;

/** Where a token and the contacts go: taken from a .env only together with the token itself. */
const DESTINATIONS = ['GOHIGHLEVEL_BASE_URL', 'DATABASE_URL', 'MEDTAINER_DATA_DIR'];

/**
 * Fills the variables the environment leaves unset or empty from a .env; returns the ones left
 * out: with the token set in the environment (a shell profile), a .env in a folder one merely
 * runs a command in must not send that token or the contacts elsewhere.
 */
function fillFromEnvFile(values: Record<string, string | undefined>): string[] {
  const unset = (name: string) => !process.env[name]?.trim();
  const tokenFromEnvironment = !unset('GOHIGHLEVEL_API_KEY');
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (!unset(name)) continue;
    if (value === undefined) continue;
    if (tokenFromEnvironment && DESTINATIONS.includes(name) && value.trim()) ignored.push(name);
    else process.env[name] = value;
  }
  return ignored;
}

async function serve(config: Config, log: RootLogger): Promise<null> {
  const { app, demo } = await buildApp(config, log);
  const inFlight = new InFlightCalls();
  const server = createServer({ ...app.deps, inFlight });

  // Warnings and errors also reach the client as MCP logging notifications.
  log.addListener((level: LogLevel, msg) => {
    if ((level === 'warn' || level === 'error') && server.isConnected()) {
      server.sendLoggingMessage({ level: level === 'warn' ? 'warning' : 'error', logger: 'medtainer-mcp', data: msg }).catch(() => {});
    }
  });

  let closing = false;
  // A signal while the last calls are being answered (a client that closed stdin, then sends
  // SIGTERM after 2 s as the SDK's does) ends that wait: it is time to go.
  const stopAnswering = new AbortController();
  const shutdown = async (reason: string, o: { answerFirst?: boolean } = {}): Promise<void> => {
    if (!o.answerFirst) stopAnswering.abort(reason);
    if (closing) return;
    closing = true;
    log.info(`shutting down (${reason})`);
    try {
      // A client that wrote its last requests and closed its end (a script piping into the
      // server) still reads the answers: the calls already received finish first, for a while.
      // Requests read just before the end reach their handlers a moment later.
      if (o.answerFirst && !stopAnswering.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 50));
      if (o.answerFirst && inFlight.count) {
        log.info(`answering ${inFlight.count} call(s) received before stdin closed`);
        await inFlight.settled(ANSWER_BEFORE_EXIT_MS, stopAnswering.signal);
        if (inFlight.count) log.info(`closing with ${inFlight.count} call(s) unanswered (${stopAnswering.signal.aborted ? stopAnswering.signal.reason : `still running after ${ANSWER_BEFORE_EXIT_MS / 1000} s`})`);
        // The SDK checks and writes each answer just after its handler ends; closing first would drop it.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Never hang on the way out: a stuck close must not leave a zombie behind the client.
      setTimeout(() => process.exit(1), 10_000).unref();
      await server.close();
      await app.close();
      await demo?.close();
    } catch (err) {
      log.error('error during shutdown', { error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    }
    process.exit(0);
  };
  // A client that dies closes our stdout and stderr too: a write then fails with EPIPE, which with
  // no listener is an uncaught exception (exit 1, no cleanup). Treat it as the client going away.
  process.stdout.on('error', () => void shutdown('stdout closed'));
  process.stderr.on('error', () => void shutdown('stderr closed'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  // A promise nobody awaited that failed is a bug worth a log line, not a reason to drop the
  // client's session (Node would end the process).
  process.on('unhandledRejection', (err) => log.error('unexpected error; still serving', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
  // The SDK's stdio transport does not notice the client going away; stdin closing is that signal.
  process.stdin.on('end', () => void shutdown('stdin closed', { answerFirst: true }));
  process.stdin.on('close', () => void shutdown('stdin closed', { answerFirst: true }));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // A setting replaced by its default is said on stderr now, and to the client once it has
  // initialized (a notification before that could be dropped, or confuse it).
  const settingProblems = config.problems.map((p) => `${p} (${WHERE_TO_SET})`);
  for (const problem of settingProblems) log.warn(problem);
  if (settingProblems.length) {
    server.server.oninitialized = () => {
      for (const data of settingProblems) server.sendLoggingMessage({ level: 'warning', logger: 'medtainer-mcp', data }).catch(() => {});
    };
  }

  // Connect first: the client must get its initialize answer before the database (seconds on first start) opens.
  await server.connect(new StdioServerTransport());
  log.info(`medtainer-mcp ${VERSION} serving over stdio${config.demo ? ' (demo mode)' : ''}`);
  app.start();
  return null;
}

main().then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) io.err(`${err.message}\n`);
    else if (err instanceof ToolError) io.err(`medtainer-mcp: ${err.message}\n${err.hint ? `Next step: ${err.hint}\n` : ''}`);
    else io.err(`medtainer-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
