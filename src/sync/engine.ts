import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { endOrphanedSession, type HeldLock, type LockSession, syncLockSession, tryAcquireSyncLock } from '../db/advisory-lock.js';
import type { ConnectForCopy, DatabaseKind } from '../db/connection.js';
import { isConnectionLost } from '../db/connection-lost.js';
import { countContacts, isBrainEmpty } from '../db/contacts.repository.js';
import type { Database, SyncMode, SyncRunRow, SyncTrigger } from '../db/database.js';
import { analyzeTables, buildIndexesAfterImport, dropIndexesForImport } from '../db/import-indexes.repository.js';
import { isLockTimeout, sessionsInTheWay, STATEMENT_LOCK_TIMEOUT } from '../db/lock-holders.js';
import { repairEarlierVersionRows } from '../db/search-rederive.repository.js';
import { KEEP_SYNC_RUNS_DAYS, KEEP_TOOL_CALLS_DAYS, lastVacuumAt, pruneOldRecords, vacuumAfterSync } from '../db/maintenance.js';
import { opportunityMirrorAge, replaceOpportunityMirror } from '../db/opportunities.repository.js';
import {
  abandonStaleRuns,
  isRunSilent,
  claimRun,
  consecutiveFailures,
  findRun,
  finishRun,
  lastSuccessfulRun,
  runningRun,
  STOPPED_WITH_ITS_PROCESS,
  type RunCounters,
  updateRunProgress,
} from '../db/sync-runs.repository.js';
import type { GhlClient } from '../ghl/client.js';
import type { OpportunityRead } from '../ghl/opportunities.js';
import { GhlError } from '../ghl/errors.js';
import { describeSkew } from '../ghl/server-clock.js';
import type { Logger } from '../logger.js';
import { redact } from '../redact.js';
import { reconcileDeletions } from './deletions.js';
import { traverseV1 } from './fetch-v1.js';
import { followChangesV2, remoteContactTotal, traverseV2 } from './fetch-v2.js';
import { SyncPass } from './pass.js';

export type RequestedMode = 'auto' | SyncMode;

export interface SyncProgress {
  runId: number;
  fetched: number;
  total: number | null;
  message: string;
}

export interface SyncHandle {
  /** The run this call started or joined. */
  runId: number;
  /**
   * The run carrying this call's sync now: `runId`, unless the run joined ended because its
   * process stopped and a run of this process's took over (see follow).
   */
  currentRunId(): number;
  /** True when this call found a run already going (here or in another process) and joined it. */
  joined: boolean;
  done: Promise<SyncRunRow>;
  onProgress(listener: (p: SyncProgress) => void): () => void;
}

export interface SyncEngineDeps {
  db(): Promise<Kysely<Database>>;
  dbKind(): DatabaseKind;
  /**
   * How to open a connection of its own on a PostgreSQL server (a first import writes with COPY
   * over such connections; the sync lock is held on one); null elsewhere.
   */
  connector?(): Promise<ConnectForCopy | null>;
  ghl: GhlClient | null;
  log: Logger;
  now(): Date;
  /** Who runs the sync (host, pid): shown to other processes that find the run going. */
  holder: string;
  concurrency?: number;
  /** Incremental reads start this long before the last run began (GHL's search index lags writes). */
  overlapMs?: number;
  staleAfterSeconds?: number;
  pollMs?: number;
  /** True when the process named by a run's holder is known to be gone (e.g. killed on this host). */
  isHolderGone?(holder: string): boolean;
  /** See OPPORTUNITIES_ALONGSIDE_UP_TO (tests lower it). */
  opportunitiesAlongsideUpTo?: number;
  /** Passes over this many contacts write in bulk (tests lower it; see SyncPass). */
  bulkAbove?: number;
  /** See INDEXES_FROM_CONTACTS (tests lower it). */
  indexesFrom?: number;
  /** How often the connection holding the sync lock is checked (PostgreSQL; tests lower it). */
  lockCheckMs?: number;
}

const OPPORTUNITY_MIRROR_MAX_AGE_MS = 60 * 60_000;
/**
 * An automatic sync makes a full pass when the last one is older than this. Comparing counts
 * finds deletions at no cost (one offset by an addition too: the addition is read, so the brain
 * then holds one more than GHL; see reconcileDue). The daily pass repairs what counts cannot show,
 * such as a change GHL did not stamp with a new dateUpdated. It costs a request per 500 contacts.
 */
const FULL_PASS_EVERY_MS = 24 * 3600_000;
/**
 * Up to this many contacts, a full pass fits in one rate-limit window with room to spare, so
 * opportunities are read alongside the contact pages. Beyond it they wait until every contact
 * page has been read: otherwise their requests take budget the contact pages need, and the
 * contact pass waits for the next window (at 100,000 contacts, 33 of the first window's 100).
 */
const OPPORTUNITIES_ALONGSIDE_UP_TO = 10_000;
/**
 * Requests in flight. A page then waits as bytes for the writer (see PAGES_READ_AHEAD), so this
 * only has to outpace the writer: 6 round trips of 200 ms bring up to 30 pages a second. Since a
 * first import writes with COPY, its writers store more than the 15 a second that 3 in flight
 * brought. Measured at 100,000 contacts on PostgreSQL (contact pass / peak RSS, one machine, one
 * hour): 3 in flight 21.5–22.2 s / 250 MB, 5 in flight 21.1 s / 238 MB, 6 in flight 20.1 s / 244 MB.
 */
const FETCH_CONCURRENCY = 6;
/** An embedded brain is vacuumed at least this often, by the first sync after it (see vacuumDue). */
const VACUUM_EVERY_MS = 24 * 3600_000;

export class SyncUnavailableError extends Error {
  override name = 'SyncUnavailableError';
}

interface LocalRun {
  handle: SyncHandle;
  abort: AbortController;
  listeners: Set<(p: SyncProgress) => void>;
}

/** Runs syncs, one at a time per database, whoever asks: the schedule, a tool or the CLI. */
export class SyncEngine {
  private local: LocalRun | null = null;
  private starting: Promise<SyncHandle> | null = null;
  private stopped = false;
  private readonly stopping = new AbortController();
  private skewReported = false;
  /** A run of this process's whose failure could not be written, the database being unreachable. */
  private unrecordedEnd: { runId: number; outcome: Parameters<typeof finishRun>[2] } | null = null;
  /** Contact rows this process's runs rewrote since its last vacuum of an embedded brain. */
  private writtenSinceVacuum = 0;

  constructor(private readonly deps: SyncEngineDeps) {}

  /** The run this process is executing, if any. */
  get current(): SyncHandle | null {
    return this.local?.handle ?? null;
  }

  /** Starts a run, or joins the one already going in this process or another sharing the database. */
  async start(trigger: SyncTrigger, mode: RequestedMode = 'auto'): Promise<SyncHandle> {
    if (this.local) return { ...this.local.handle, joined: true };
    if (this.starting) return { ...(await this.starting), joined: true };
    this.starting = this.claimAndStart(trigger, mode);
    try {
      return await this.starting;
    } finally {
      this.starting = null;
    }
  }

  private async claimAndStart(trigger: SyncTrigger, mode: RequestedMode, attempt = 1): Promise<SyncHandle> {
    const ghl = this.deps.ghl;
    if (!ghl) throw new SyncUnavailableError('GoHighLevel is not configured');
    if (this.stopped) throw new SyncUnavailableError('the server is shutting down');
    const db = await this.deps.db();
    await this.recordUnrecordedEnd(db);
    const staleAfter = this.deps.staleAfterSeconds ?? 60;
    // On PostgreSQL the sync lock says whether a run's owner is alive (see below); a silent
    // heartbeat only means a slow one.
    if (this.deps.dbKind() !== 'postgres') await abandonStaleRuns(db, staleAfter);
    const resolved = await this.resolveMode(db, mode);

    const lock = this.deps.dbKind() === 'postgres' ? await this.tryLock() : undefined;
    let claim: Awaited<ReturnType<typeof claimRun>> | null;
    try {
      claim = lock === null ? null : await claimRun(db, { trigger, mode: resolved, holder: this.deps.holder });
      if (claim && !claim.claimed && claim.running && (lock || this.deps.isHolderGone?.(claim.running.holder))) {
        // Whoever left this row running is gone: we hold the advisory lock it would hold, or its
        // process no longer exists.
        await abandonStaleRuns(db, staleAfter, Number(claim.running.id));
        claim = await claimRun(db, { trigger, mode: resolved, holder: this.deps.holder });
      }
    } catch (err) {
      // Never keep the sync lock (and its pool connection) for a run that did not start.
      await lock?.release().catch(() => {});
      throw err;
    }
    if (!claim || !claim.claimed) {
      await lock?.release();
      const running = claim?.running ?? (await runningRun(db));
      if (!running) {
        // The lock's holder is between taking it and writing its row (milliseconds), or between
        // finishing its row and letting go: look again soon, then less often, for ten seconds.
        const waited = LOCK_WAIT_FIRST_MS * (2 ** (attempt - 1) - 1);
        if (waited >= LOCK_WAIT_MAX_MS) throw new SyncUnavailableError('another process holds the sync lock without a running sync');
        await sleep(LOCK_WAIT_FIRST_MS * 2 ** (attempt - 1));
        return this.claimAndStart(trigger, mode, attempt + 1);
      }
      return this.follow(db, running, { trigger, mode });
    }
    return this.execute(db, ghl, claim.id, resolved, lock ?? null);
  }

  /**
   * Should the connection holding the sync lock drop mid-run, the lock is free and another process
   * may start a sync. The run takes the lock again if it can and its row still says running (nobody
   * took over); otherwise it stops after its current page, so two syncs do not go on side by side.
   */
  private keepLock(db: Kysely<Database>, runId: number, held: { lock: HeldLock | null; finished: boolean }, abort: AbortController): void {
    const lock = held.lock;
    void lock?.lost.then(async (reason) => {
      if (held.finished) return;
      const again = await this.retakeLock(db, lock.session, held);
      const row = again ? await findRun(db, runId).catch(() => null) : null;
      if (again && row?.status === 'running' && !held.finished) {
        held.lock = again;
        this.deps.log.warn(`sync #${runId}: the connection holding the sync lock dropped (${errorMessage(reason)}); took the lock again and carries on`);
        this.keepLock(db, runId, held, abort);
        return;
      }
      await again?.release().catch(() => {});
      held.lock = null;
      abort.abort(new Error(`the connection holding the sync lock dropped (${errorMessage(reason)}) and another sync may have started, so this one stopped`));
    });
  }

  /**
   * Takes the sync lock again after its connection dropped. The server may still hold it for the
   * dropped session (its backend has not noticed the client is gone): that session is this
   * process's own, so it is ended. A lock held by any other session means another sync.
   */
  private async retakeLock(db: Kysely<Database>, dropped: LockSession, held: { finished: boolean }): Promise<HeldLock | null> {
    for (let attempt = 1; attempt <= RETAKE_ATTEMPTS && !held.finished; attempt++) {
      const again = await this.tryLock().catch(() => null);
      if (again) return again;
      const holder = await syncLockSession(db).catch(() => undefined);
      if (holder === undefined) return null;
      if (holder && (holder.pid !== dropped.pid || holder.startedAt !== dropped.startedAt)) return null;
      if (holder) await endOrphanedSession(db, dropped).catch(() => {});
      await sleep(100 * attempt);
    }
    return null;
  }

  /**
   * Marks the running run failed when the process running it is gone (killed without a word), so
   * whoever reads the status is not told of a sync nobody runs. A run of this process's, or one
   * whose owner is alive, is left alone. The next sync to start would do the same.
   */
  async settleOrphanedRun(): Promise<void> {
    if (this.local || this.starting) return;
    const db = await this.deps.db();
    await this.recordUnrecordedEnd(db);
    const running = await runningRun(db);
    if (running) await this.abandonIfOwnerGone(db, running);
  }

  /**
   * Waits between two looks at a followed run. The timer keeps the process alive: a command line
   * following another process's run has nothing else to (its connection to that process ends
   * with it), and it must go on to report how the run ended or take over. A stop ends the wait.
   */
  private pause(): Promise<void> {
    return sleep(this.deps.pollMs ?? 500, undefined, { signal: this.stopping.signal }).catch(() => {});
  }

  /**
   * Runs `watch` (following another process's run) until it ends or this engine stops, whichever
   * comes first: a look in flight when the database closes could otherwise take its connection
   * timeout to fail, and a pause the poll interval to end.
   */
  private untilStopped<T>(watch: () => Promise<T>): Promise<T> {
    const signal = this.stopping.signal;
    let stop!: () => void;
    const stopped = new Promise<never>((_, reject) => {
      stop = () => reject(new SyncUnavailableError('stopped following the sync: this process is shutting down'));
    });
    stopped.catch(() => {}); // Only a rejection of the race below matters.
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    const watching = watch();
    watching.catch(() => {}); // After a stop, its late failure is nobody's concern.
    return Promise.race([watching, stopped]).finally(() => signal.removeEventListener('abort', stop));
  }

  /** Stops the local run after its current page commits, stops following others', and refuses new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    // A start already past its `stopped` check would otherwise begin a run after this returned.
    await this.starting?.catch(() => {});
    const run = this.local;
    if (!run) return;
    run.abort.abort(new Error(`${OWNER_STOPPED} (${this.deps.holder}) stopped`));
    await run.handle.done.catch(() => {});
  }

  private async resolveMode(db: Kysely<Database>, mode: RequestedMode): Promise<SyncMode> {
    if (mode !== 'auto') return mode;
    if (await isBrainEmpty(db)) return 'full';
    return this.fullPassRecent(await lastSuccessfulRun(db, 'full')) ? 'incremental' : 'full';
  }

  private async tryLock(): Promise<HeldLock | null> {
    const connect = await this.deps.connector?.();
    if (!connect) throw new SyncUnavailableError('no connection of its own for the sync lock');
    return tryAcquireSyncLock(connect, { checkEveryMs: this.deps.lockCheckMs });
  }

  private execute(db: Kysely<Database>, ghl: GhlClient, runId: number, mode: SyncMode, lock: HeldLock | null): SyncHandle {
    const abort = new AbortController();
    const listeners = new Set<(p: SyncProgress) => void>();
    const held = { lock, finished: false };
    if (lock) this.keepLock(db, runId, held, abort);
    const done = this.runPass(db, ghl, runId, mode, abort, listeners).finally(async () => {
      held.finished = true;
      await held.lock?.release().catch(() => {});
      this.local = null;
    });
    const handle: SyncHandle = {
      runId,
      joined: false,
      done,
      currentRunId: () => runId,
      onProgress: (l) => (listeners.add(l), () => void listeners.delete(l)),
    };
    this.local = { handle, abort, listeners };
    return handle;
  }

  private async runPass(
    db: Kysely<Database>,
    ghl: GhlClient,
    runId: number,
    requested: SyncMode,
    abort: AbortController,
    listeners: Set<(p: SyncProgress) => void>,
  ): Promise<SyncRunRow> {
    const { log } = this.deps;
    const signal = abort.signal;
    const startedAt = this.deps.now();
    // The next incremental run reads changes since this run began, by the earlier of GHL's clock and this machine's (see highWaterMark).
    const ghlTime = ghl.http.clock.open();
    const before = { ...ghl.http.stats };
    let mode = requested;
    const counters = (pass: SyncPass): RunCounters => ({
      contacts_fetched: pass.counters.fetched,
      contacts_created: pass.counters.created,
      contacts_updated: pass.counters.updated,
      contacts_unchanged: pass.counters.unchanged,
      contacts_deleted: pass.counters.deleted,
      api_requests: ghl.http.stats.requests - before.requests,
      rate_limited: ghl.http.stats.rateLimited - before.rateLimited,
      remote_total: pass.counters.remoteTotal,
      api_budget_remaining: ghl.http.pacer.state.dailyRemaining,
    });
    const initialImport = await isBrainEmpty(db);
    // Until a full pass has completed, the brain is still being imported: the contacts a failed or
    // stopped first import left unread are not news when a later run reads them (no "added" history).
    const importing = initialImport || (await lastSuccessfulRun(db, 'full')) === null;
    let localAfterFull: number | null = null;
    let opportunities = null as Promise<OpportunityRead> | null;
    let opportunitiesDue = false;
    const readOpportunities = () => {
      if (!opportunitiesDue || opportunities) return;
      opportunities = ghl.readOpportunities(signal);
      opportunities.catch(() => {}); // Awaited later; until then a rejection is not "unhandled".
    };
    // Progress is news, not data: a statement lost to the embedded database changing hands must
    // not fail the run (the page writes retry theirs; see SyncPass). A row no longer running was
    // marked abandoned by another process that judged this one gone: stop writing at once.
    const recordProgress = async (c: RunCounters) => {
      const recorded = await updateRunProgress(db, runId, { ...c, mode }).catch((err: unknown) => {
        log.debug(`sync #${runId}: progress not recorded: ${errorMessage(err)}`);
        return null;
      });
      if (recorded === false) abort.abort(new Error('another process marked this run abandoned (it judged this one gone) and may be syncing'));
    };
    const pass = new SyncPass(db, ghl, runId, log, signal, {
      recordCreations: !importing,
      // Into an empty brain, pages go in with COPY (see copyNewContacts).
      copyInto: initialImport ? ((await this.deps.connector?.()) ?? undefined) : undefined,
      // PostgreSQL writes two pages at once in a large pass (one per core); PGlite has a single backend anyway.
      writeConcurrency: this.deps.dbKind() === 'postgres' ? 2 : 1,
      onProgress: async (p) => {
        const progress = { runId, fetched: p.counters.fetched, total: p.counters.remoteTotal, message: `${mode} sync: ${p.counters.fetched} contacts read` };
        for (const l of listeners) l(progress);
        await recordProgress(counters(p));
      },
      onRemoteTotal: (total) => {
        if (total <= (this.deps.opportunitiesAlongsideUpTo ?? OPPORTUNITIES_ALONGSIDE_UP_TO)) readOpportunities();
      },
      bulkAbove: this.deps.bulkAbove,
      ghlNow: () => Date.now() + (ghl.http.clock.offset ?? 0),
    });
    // Rate-limit waits can be long; the heartbeat tells other processes this run is alive.
    const heartbeat = setInterval(() => void recordProgress(counters(pass)), 10_000);
    heartbeat.unref();
    log.info(`sync #${runId} started (${mode})`);
    try {
      // A first import builds its secondary indexes and foreign keys after its contacts (see
      // import-indexes). Those a killed import left unbuilt are built when this pass ends, like a new import's.
      if (initialImport) await dropIndexesForImport(db);
      // Opportunities do not depend on contacts. An incremental pass reads few pages, so they are
      // read alongside; a full pass decides once GHL's contact count is known (see above).
      opportunitiesDue = await this.opportunitiesDue(db, mode);
      if (mode === 'incremental') {
        readOpportunities();
        const previous = await lastSuccessfulRun(db);
        const from = new Date((previous?.high_water_mark ?? previous?.started_at ?? new Date(0)).getTime() - (this.deps.overlapMs ?? 5 * 60_000));
        // GHL's contact count (for the reconcile check) is asked alongside the changes, not after them.
        const remoteTotal = ghl.version === 'v2' ? remoteContactTotal(ghl, signal) : null;
        remoteTotal?.catch(() => {});
        // So is the brain's own count (a scan of every contact): taken before this pass writes
        // anything, it is then moved on by what the pass added.
        const localBefore = countContacts(db);
        localBefore.catch(() => {});
        pass.writeAfter(localBefore);
        await this.traverseWhole(pass, ghl, from.toISOString());
        if (await this.reconcileDue(db, pass, remoteTotal, localBefore)) {
          log.info(`sync #${runId}: GHL and the brain disagree on the number of contacts; running a full pass`);
          mode = 'full';
          opportunitiesDue = true;
        }
      }
      if (mode === 'full') {
        await this.traverseWhole(pass, ghl, null);
        // GHL's count as the pass ends, asked while its last pages are written. Only a count that
        // did not move while the pages were read makes the gap the pass leaves (see reconcileDue)
        // GHL's own: one added meanwhile would stand as a gap of -1 (the brain holding one more
        // than GHL counted at first), one deleted after it was read as -1 too, and a later deletion
        // or nothing at all would then match it. Moved, no gap is kept, and the next checks
        // compare the counts themselves.
        const remoteAtStart = pass.counters.remoteTotal;
        const remoteAtEnd = this.remoteCountNow(ghl, signal);
        readOpportunities();
        await pass.drain();
        // Only a complete pass may look for deletions; any error above skipped this.
        signal.throwIfAborted();
        const { pending } = await reconcileDeletions(pass);
        await pass.drain();
        const remote = await remoteAtEnd;
        if (remote !== null) pass.counters.remoteTotal = remote;
        // The gap with GHL's count, when nothing is left to confirm and the count held still. A
        // count that held still while contacts were added hides as many deletions, of contacts
        // this pass may have read first (and so kept): no gap is kept then either.
        if (pending === 0 && remote !== null && remote === remoteAtStart && !pass.addedWhileRead) localAfterFull = (await countContacts(db)).total;
        // Rows an earlier version's server, still running after the upgrade, wrote its own way
        // (a first import wrote every row itself).
        const repaired = initialImport ? 0 : await repairEarlierVersionRows(db);
        if (repaired) log.info(`sync #${runId}: wrote again the search rows of ${repaired} contacts an earlier version had written`);
      }
      await pass.drain();
      await pruneOldRecords(db, this.deps.now()).then(
        (r) => r && r.toolCalls + r.syncRuns > 0 && log.info(`sync #${runId}: removed ${r.toolCalls} tool calls older than ${KEEP_TOOL_CALLS_DAYS} days and ${r.syncRuns} sync runs older than ${KEEP_SYNC_RUNS_DAYS}`),
        (err: unknown) => log.warn('could not remove old tool calls and sync runs', { error: errorMessage(err) }),
      );
      // PGlite has no autovacuum, so a big pass is vacuumed and analysed below; no need to analyse twice.
      const vacuumAfter = this.deps.dbKind() === 'pglite' && (await this.vacuumDue(db, pass));
      const restored = await buildIndexesAfterImport(db, log, { indexesFrom: this.deps.indexesFrom });
      // The contacts are searchable now. The statistics of the tables an import filled are
      // refreshed while opportunities are stored, which mostly waits on GHL (~2 s of database CPU
      // after 100,000 contacts; the index phase then ends with the trigram build, ~0.3 s sooner).
      const analysed = vacuumAfter ? Promise.resolve() : analyzeTables(db, restored.filled);
      analysed.catch(() => {}); // Awaited below; until then a rejection is not "unhandled".
      await pass.flushBulkWrites();
      await pass.reportProgress(true);
      log.debug(`sync #${runId}: contacts stored${opportunities ? '; storing opportunities' : ''}`);
      // A run stopped here (shutdown, its sync lock lost) writes nothing more.
      signal.throwIfAborted();
      if (opportunities) await this.storeOpportunities(db, pass, opportunities);
      await analysed;
      if (vacuumAfter) {
        log.debug(`sync #${runId}: vacuuming the embedded database`);
        await vacuumAfterSync(db);
        this.writtenSinceVacuum = 0;
      }
      signal.throwIfAborted();
      const { row, takenOver } = await finishRun(db, runId, {
        ...counters(pass),
        status: 'succeeded',
        mode,
        errors: pass.errors,
        error: null,
        high_water_mark: this.highWaterMark(ghl, ghlTime.earliest(), startedAt),
        local_total: localAfterFull,
      });
      if (takenOver) log.warn(`sync #${runId} finished, but another process had marked it abandoned (its owner looked gone) and may have synced since; it stays marked so`);
      else log.info(`sync #${runId} succeeded`, summary(row));
      return row;
    } catch (err) {
      await pass.drain().catch(() => {});
      // What was imported stays searchable at full speed (the next run would build them anyway).
      await buildIndexesAfterImport(db, log, { indexesFrom: this.deps.indexesFrom })
        .then((r) => analyzeTables(db, r.filled))
        .catch((e: unknown) => log.warn('could not build the search indexes', { error: errorMessage(e) }));
      await pass.flushBulkWrites();
      await opportunities?.catch(() => {});
      const lockedBy = !signal.aborted && isLockTimeout(err) ? ` (another session kept the brain's tables locked for ${STATEMENT_LOCK_TIMEOUT}: ${await sessionsInTheWay(db)}; the next sync tries again)` : '';
      const message = redact(signal.aborted ? `interrupted: ${String((signal.reason as Error)?.message ?? 'stopped')}` : `${errorMessage(err)}${lockedBy}`);
      const failed = { ...counters(pass), status: 'failed' as const, mode, errors: [...pass.errors, message], error: message, high_water_mark: null };
      const { row } = await finishRun(db, runId, failed).catch((e: unknown) => {
        // The database itself went away: the run's end is written once it answers again (see
        // recordUnrecordedEnd), not taken later for a process that vanished.
        if (isConnectionLost(e)) {
          this.unrecordedEnd = { runId, outcome: failed };
          log.warn(`sync #${runId} failed: ${message}; the database could not be reached to record it, which is done when it answers again`);
        }
        throw e;
      });
      if (message.startsWith(`${STOPPED_WITH_ITS_PROCESS} `)) {
        // The client quit or the person pressed Ctrl-C: not a failure to warn anyone about.
        log.info(`sync #${runId} stopped with this process after reading ${pass.counters.fetched} contacts; the next sync finishes the job`);
        return row;
      }
      const failures = await consecutiveFailures(db).catch(() => 1);
      const say = failures >= 3 ? log.error : log.warn;
      say.call(log, `sync #${runId} failed (${failures} in a row): ${message}`);
      return row;
    } finally {
      ghlTime.close();
      clearInterval(heartbeat);
    }
  }

  /**
   * When this run began, by the earlier of two clocks: GHL's (the earliest Date header among its
   * answers) and this machine's. A clock skew beyond a minute is logged once: it is worth
   * fixing (NTP), since other tools may trust this machine's clock.
   */
  private highWaterMark(ghl: GhlClient, ghlStart: Date | null, startedAt: Date): Date {
    const skew = describeSkew(ghl.http.clock.offset);
    if (skew && !this.skewReported) {
      this.skewReported = true;
      this.deps.log.warn(`${skew}; syncs ask for changes in GoHighLevel's time`);
    }
    // The earlier of the two: GoHighLevel's time guards against this machine's clock running
    // ahead, this machine's against a Date header running ahead (a year-ahead proxy would hide
    // every change until the daily full pass). An early mark only reads a few changes twice.
    return ghlStart && ghlStart < startedAt ? ghlStart : startedAt;
  }

  /**
   * Opportunities have no "changed since" filter, so the mirror is re-paged whole: on full syncs
   * and when it is more than an hour old. An idle 15-minute sync therefore costs no extra request.
   */
  private async opportunitiesDue(db: Kysely<Database>, mode: SyncMode): Promise<boolean> {
    if (mode === 'full') return true;
    const age = await opportunityMirrorAge(db);
    return !age || this.deps.now().getTime() - age.getTime() >= OPPORTUNITY_MIRROR_MAX_AGE_MS;
  }

  /**
   * PGlite has no autovacuum: a big pass is vacuumed at once, smaller ones once what they rewrote
   * adds up to a fifth of the brain, and in any case once a day (the opportunity mirror and the
   * run rows are rewritten by every sync, whatever changed).
   */
  private async vacuumDue(db: Kysely<Database>, pass: SyncPass): Promise<boolean> {
    const written = pass.counters.created + pass.counters.updated + pass.counters.deleted;
    this.writtenSinceVacuum += written;
    if (written > 5_000) return true;
    // Counted only once enough was written to matter: most syncs change a handful of contacts.
    if (this.writtenSinceVacuum >= 200 && this.writtenSinceVacuum >= (await countContacts(db)).total / 5) return true;
    const last = await lastVacuumAt(db);
    return !last || this.deps.now().getTime() - last.getTime() >= VACUUM_EVERY_MS;
  }

  /** A failure here is reported but does not fail the contact sync. */
  private async storeOpportunities(db: Kysely<Database>, pass: SyncPass, reading: Promise<OpportunityRead>): Promise<void> {
    try {
      const read = await reading;
      for (const p of read.problems) pass.addError(p);
      await replaceOpportunityMirror(db, read);
    } catch (err) {
      if (pass.signal.aborted) throw err;
      pass.addError(`opportunities were not refreshed: ${errorMessage(err)}`);
    }
  }

  /**
   * Reads GHL's list of contacts (changed since `from`, or all). A v2 list that changed while its
   * numbered pages were read may have hidden a contact (see SyncPass.sawFewerThan), so it is read
   * once more; what was read already is not written again. (v1 reads with a cursor, which a change
   * does not disturb.) Should the second reading (or a v1 read) come up short too, the run says so
   * in its problems: what it missed waits for its next change or the next full pass.
   */
  private async traverseWhole(pass: SyncPass, ghl: GhlClient, from: string | null): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      pass.startList();
      const { total, exact } = await this.traverse(pass, ghl, from);
      // v1's total is the whole location's, whatever was asked: only a full read can be short of it.
      // A list read with a cursor cannot skip a record: short of its count, some were deleted meanwhile.
      if ((ghl.version === 'v1' && from) || exact || !pass.sawFewerThan(total)) return;
      // v1's cursor is not disturbed by a deletion: when GHL now counts no more than were read,
      // those missing from the first count were deleted while the list was read.
      if (ghl.version === 'v1') {
        const now = await this.remoteCountNow(ghl, pass.signal);
        if (now !== null && !pass.sawFewerThanNow(now)) return;
      }
      // Read twice, and no fewer than GHL first counted: only contacts added meanwhile could hide
      // one that slipped, and the pass then keeps no gap (see addedWhileRead), so the next sync's
      // count check finds out. "Up to 0 may be missing" would say nothing true.
      if (attempt === 2 && !pass.sawFewerThanNow(total)) return;
      const short = `GoHighLevel listed ${total} contacts${from ? ` changed since ${from}` : ''} but ${pass.seen.size} were read`;
      // Said in the run's problems too: a run that read part of the list must not look complete.
      const missing = `up to ${total - pass.seen.size} may be missing until they change again or a full sync runs`;
      if (ghl.version === 'v1' || attempt === 2) {
        const problem = `${short}${ghl.version === 'v1' ? '' : ' (the list changed while it was read, twice)'}; ${missing}`;
        this.deps.log.warn(problem);
        pass.addError(problem);
        return;
      }
      this.deps.log.info(`${short}: the list changed while it was read; reading it again`);
    }
  }

  /** GHL's count of contacts now (a one-contact page), or null when GHL does not say it (the run goes on without). */
  private async remoteCountNow(ghl: GhlClient, signal: AbortSignal): Promise<number | null> {
    try {
      return ghl.version === 'v2' ? await remoteContactTotal(ghl, signal) : (await ghl.listContacts({ limit: 1 }, signal)).total;
    } catch (err) {
      if (signal.aborted) return null;
      this.deps.log.debug(`GoHighLevel's contact count could not be read: ${errorMessage(err)}`);
      return null;
    }
  }

  /** `exact`: read with a cursor, which a change while the list is read cannot make skip a record. */
  private traverse(pass: SyncPass, ghl: GhlClient, from: string | null): Promise<{ total: number; exact?: boolean }> {
    if (ghl.version === 'v1') return traverseV1(pass, ghl, from);
    const concurrency = this.deps.concurrency ?? FETCH_CONCURRENCY;
    // Changes are few and, read side by side, could lose one that changes again (see followChangesV2).
    if (from) return followChangesV2(pass, ghl, from, concurrency);
    return traverseV2(pass, ghl, 'dateAdded', null, concurrency);
  }

  /**
   * True when the gap between GHL's contact count and the brain's is not the one the last full
   * pass (within a day) ended with, or, without such a pass, when the counts differ: something was
   * deleted or missed. A gap that pass ended with (GHL counting a record the brain cannot hold) is
   * no news: another full pass would find nothing new.
   */
  private async reconcileDue(db: Kysely<Database>, pass: SyncPass, remoteTotal: Promise<number> | null, localBefore: Promise<{ total: number }>): Promise<boolean> {
    await pass.drain();
    // v1 reports the location's total with every page; v2 asked for it separately.
    const remote = remoteTotal ? await remoteTotal : pass.counters.remoteTotal;
    pass.counters.remoteTotal = remote;
    const local = (await localBefore).total + pass.counters.created + pass.counters.restored;
    if (remote === null) return false;
    // The gap a recent full pass ended with (GHL counting a record the brain cannot hold) is no
    // news; any change of it is: a deletion offset by an addition leaves the brain one more than
    // that gap allows. Deletions a full pass left to confirm leave its local_total unset.
    const lastFull = await lastSuccessfulRun(db, 'full');
    if (this.fullPassRecent(lastFull) && lastFull!.remote_total !== null && lastFull!.local_total !== null) {
      return remote - local !== lastFull!.remote_total - lastFull!.local_total;
    }
    return remote !== local;
  }

  /** True when that full pass finished less than FULL_PASS_EVERY_MS ago. */
  private fullPassRecent(lastFull: SyncRunRow | null): boolean {
    return Boolean(lastFull?.finished_at && this.deps.now().getTime() - lastFull.finished_at.getTime() < FULL_PASS_EVERY_MS);
  }

  /**
   * True when the process running `row` is gone. On PostgreSQL the sync lock decides: the server
   * releases it when its holder's connection drops, and a holder's name may repeat across machines.
   * On PGlite, a heartbeat silent past the stale limit or a holder on this machine that has ended.
   */
  private async ownerGone(db: Kysely<Database>, row: SyncRunRow): Promise<boolean> {
    if (this.deps.dbKind() === 'postgres') {
      const lock = await this.tryLock();
      await lock?.release();
      return lock !== null;
    }
    return (await isRunSilent(db, Number(row.id), this.deps.staleAfterSeconds ?? 60)) || Boolean(this.deps.isHolderGone?.(row.holder));
  }

  /** Writes how a run of this process's ended, when the database could not be reached then. */
  private async recordUnrecordedEnd(db: Kysely<Database>): Promise<void> {
    const pending = this.unrecordedEnd;
    if (!pending) return;
    try {
      await finishRun(db, pending.runId, pending.outcome);
      this.unrecordedEnd = null;
    } catch (err) {
      if (!isConnectionLost(err)) this.unrecordedEnd = null;
    }
  }

  /** Marks `row` failed when its process is gone (see ownerGone); true when it did. */
  private async abandonIfOwnerGone(db: Kysely<Database>, row: SyncRunRow): Promise<boolean> {
    if (!(await this.ownerGone(db, row)) || (await abandonStaleRuns(db, 0, Number(row.id))) === 0) return false;
    this.deps.log.warn(`sync #${row.id} (run by ${row.holder}) stopped without finishing: its process is gone`);
    return true;
  }

  /**
   * Starts the sync a followed run was carrying, its process having stopped. When that process
   * owned the embedded database, the database is changing hands meanwhile: a start whose statement
   * met the closing connection tries again (the next statement reaches the new owner).
   */
  private async takeOver(runId: number, asked: { trigger: SyncTrigger; mode: RequestedMode }): Promise<SyncHandle | null> {
    const since = Date.now();
    for (;;) {
      try {
        return await this.start(asked.trigger, asked.mode);
      } catch (err) {
        // As long as following a run rides out the hand-over (see FOLLOW_RETRY_MS).
        if (isConnectionLost(err) && Date.now() - since < FOLLOW_RETRY_MS && !this.stopped) {
          await this.pause();
          continue;
        }
        this.deps.log.warn(`sync #${runId} stopped before finishing, and no sync of this process could take over: ${errorMessage(err)}`);
        return null;
      }
    }
  }

  /**
   * Follows a run that another process is executing, by watching its row. Should that process die
   * without a word (a closed terminal, a killed duplicate server), its row would say "running"
   * forever and whoever waits here (the schedule included) with it; so every few looks the owner
   * is checked, and a run whose owner is gone is marked failed and the wait ends.
   */
  private follow(db: Kysely<Database>, running: SyncRunRow, asked: { trigger: SyncTrigger; mode: RequestedMode }): SyncHandle {
    const runId = Number(running.id);
    const listeners = new Set<(p: SyncProgress) => void>();
    const watched = this.untilStopped(async (): Promise<SyncRunRow> => {
      let failingSince: number | null = null;
      for (let look = 1; !this.stopped; look++) {
        let row: SyncRunRow | null;
        try {
          row = await findRun(db, runId);
          failingSince = null;
        } catch (err) {
          // The embedded database changing hands (its owner was the process that quit) fails the
          // query in flight; the next one reaches the new owner. A database gone for good is an error.
          failingSince ??= Date.now();
          if (!isConnectionLost(err) || Date.now() - failingSince > FOLLOW_RETRY_MS) throw err;
          await this.pause();
          continue;
        }
        if (!row || row.status !== 'running') return row ?? running;
        for (const l of listeners) l({ runId, fetched: row.contacts_fetched, total: row.remote_total, message: `${row.mode} sync (run by ${row.holder}): ${row.contacts_fetched} contacts read` });
        if (look % OWNER_CHECK_EVERY === 0 && (await this.abandonIfOwnerGone(db, row))) continue; // The row now says how it ended.
        await this.pause();
      }
      throw new SyncUnavailableError('stopped following the sync: this process is shutting down');
    });
    // Its process stopped before the run finished (a duplicate server quitting, a killed CLI): the
    // sync asked for here still happens, as a run of this process's.
    let next: SyncHandle | null = null;
    const done = watched.then(async (row) => {
      if (!ownerStopped(row)) return row;
      next = await this.takeOver(runId, asked);
      if (!next) return row;
      this.deps.log.info(`sync #${runId} (run by ${row.holder}) stopped before finishing; sync #${next.runId} takes over`);
      next.onProgress((p) => listeners.forEach((l) => l(p)));
      return next.done;
    });
    return {
      runId,
      joined: true,
      done,
      currentRunId: () => next?.currentRunId() ?? runId,
      onProgress: (l) => (listeners.add(l), () => void listeners.delete(l)),
    };
  }
}

/** How long a followed run's row may be unreadable (the embedded database changing hands) before the wait fails. */
const FOLLOW_RETRY_MS = 10_000;
/** Looks at a followed run's row between two checks that its owner is still there. */
const OWNER_CHECK_EVERY = 10;
/** How long a start looks for the run of a process holding the sync lock: first after 10 ms, doubling. */
const LOCK_WAIT_FIRST_MS = 10;
const LOCK_WAIT_MAX_MS = 10_000;
/** Tries at taking the sync lock again after its connection dropped, 100 ms apart and growing. */
const RETAKE_ATTEMPTS = 5;

/** How a run stopped with its process begins its reason (see stop and ownerStopped); STOPPED_WITH_ITS_PROCESS with "interrupted: ". */
const OWNER_STOPPED = STOPPED_WITH_ITS_PROCESS.slice('interrupted: '.length);

/** True when a run ended because the process running it stopped or vanished, not because the sync failed. */
function ownerStopped(row: SyncRunRow): boolean {
  const error = row.error ?? '';
  return row.status === 'failed' && (error.startsWith('abandoned') || error.startsWith(`interrupted: ${OWNER_STOPPED} `));
}

function errorMessage(err: unknown): string {
  if (err instanceof GhlError && err.hint) return `${err.message}. ${err.hint}`;
  return err instanceof Error ? err.message : String(err);
}

function summary(r: SyncRunRow): Record<string, unknown> {
  return {
    fetched: r.contacts_fetched,
    created: r.contacts_created,
    updated: r.contacts_updated,
    unchanged: r.contacts_unchanged,
    deleted: r.contacts_deleted,
    requests: r.api_requests,
  };
}
