import type { Kysely } from 'kysely';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ConnectForCopy } from '../db/connection.js';
import { isConnectionLost } from '../db/connection-lost.js';
import { copyNewContacts, type PreparedCopy, prepareCopy } from '../db/contact-copy.repository.js';
import { applyContactPage, type PageSource, type PageWriteResult } from '../db/contact-sync.repository.js';
import type { Database } from '../db/database.js';
import { flushSearchIndex } from '../db/maintenance.js';
import type { GhlClient } from '../ghl/client.js';
import type { GhlContact } from '../ghl/types.js';
import type { Logger } from '../logger.js';
import { mapContact, type MappedContact } from './map-contact.js';

/** A page as the writer takes it. */
export interface PageRead {
  contacts: readonly GhlContact[];
  problems: readonly string[];
  /** Where each contact sits in the response's list, and the response itself (see PageSource). */
  positions?: readonly number[];
  source?: PageSource | null;
  /** How many records the response listed, readable or not (contacts.length when absent). */
  listed?: number;
  /**
   * Some record holds a number its parsed copy may not hold exactly (see holdsInexactNumber): the
   * page is not written with COPY, which stores the parsed copies, but merged from `source`.
   */
  inexactNumbers?: boolean;
}

/** Live counts of one run, shared by the fetchers, the writer and progress reporting. */
export interface PassCounters {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Of `updated`: contacts that had been deleted here and came back. */
  restored: number;
  remoteTotal: number | null;
}

const MAX_REPORTED_ERRORS = 50;
/**
 * A contact added this long after a list's first answer (GHL's time) cannot be in the count that
 * answer gave. The answer's time is known to within its Date header's second and the network's
 * delay: a smaller margin could count a contact the list did count, and report a read short.
 */
const ADDED_AFTER_ANSWER_MS = 2_000;
/** Contacts added this long before the first one is seen are remembered too (see recentlyAdded): GHL's clock is only known roughly. */
const RECENT_BEFORE_PASS_MS = 60_000;
/** Passes over this many contacts write in bulk: large first imports and full passes of large accounts. */
const BULK_ABOVE = 10_000;

/**
 * Two pages written at once may touch the same contact (paging overlaps); PostgreSQL then
 * aborts one transaction with a deadlock or serialization error. A connection lost mid-page (the
 * process owning the embedded database quitting, which hands it to another; a server restart)
 * rolls the page back. Either way writing it again is safe: the writes are idempotent.
 */
async function withRetryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (isConnectionLost(err) && attempt === 0) continue;
      if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw err;
    }
  }
}

/**
 * One sync run's working state. Pages arrive from concurrent fetchers and are written in the
 * order they were queued, one page per transaction, by a few writers; the fetchers bound how
 * many pages wait (see PAGES_READ_AHEAD).
 */
export class SyncPass {
  readonly counters: PassCounters = { fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, restored: 0, remoteTotal: null };
  readonly errors: string[] = [];
  /** Ids seen during this run (with their dateUpdated): a complete full pass compares them with the brain to find deletions. */
  readonly seen = new Map<string, string | null>();
  /** Ids this run created, updated or restored: a contact listed again is counted once (see count). */
  private readonly changed = new Set<string>();
  /** Records listed that could not be read (reported as problems); they count as seen in sawFewerThan. */
  private unreadable = 0;
  /** When (GHL's time, ms) each contact first seen that was added around or after this pass's start was added. */
  private readonly recentlyAdded = new Map<string, number>();
  /** Set at the first contact seen, when GHL's clock is known from its answer. */
  private recentFrom: number | null = null;
  /** GHL's time of the current list's first answer, and of this pass's. */
  private listAnsweredAt: number | null = null;
  private passAnsweredAt: number | null = null;
  private readonly writers: LimitFunction;
  private readonly pending = new Set<Promise<unknown>>();
  private lastProgress = 0;
  /** Words already sent to search_terms during this run. */
  private readonly knownTerms = new Set<string>();
  /** Set from GHL's count before the first page is written; cleared once its writes are flushed. */
  private bulk = false;
  private writesAfter: Promise<unknown> = Promise.resolve();

  constructor(
    readonly db: Kysely<Database>,
    readonly ghl: GhlClient,
    readonly runId: number,
    readonly log: Logger,
    readonly signal: AbortSignal,
    private readonly options: {
      recordCreations: boolean;
      /** The brain held no contacts when this pass began: pages are written with COPY over these connections. */
      copyInto?: ConnectForCopy;
      writeConcurrency?: number;
      onProgress: (pass: SyncPass) => void | Promise<void>;
      /** Told GHL's contact count once the first page of a pass answers. */
      onRemoteTotal?: (total: number) => void;
      /** A pass matching more contacts than this writes in bulk (see PENDING_LIST_KB). */
      bulkAbove?: number;
      /** The time now by GHL's clock, as its answers tell it (this machine's by default). */
      ghlNow?: () => number;
    },
  ) {
    this.writers = pLimit(options.writeConcurrency ?? 1);
  }

  private ghlNow(): number {
    return this.options.ghlNow?.() ?? Date.now();
  }

  /** Pages are written with COPY (a first import on PostgreSQL): readers then check their numbers (see PageRead). */
  get copies(): boolean {
    return this.options.copyInto !== undefined;
  }

  /** GHL's count of the contacts this pass reads, from its first page (of each list read: see startList). */
  noteRemoteTotal(total: number): void {
    this.listAnsweredAt ??= this.ghlNow();
    this.passAnsweredAt ??= this.listAnsweredAt;
    if (this.counters.remoteTotal !== null) return;
    this.counters.remoteTotal = total;
    this.bulk = total > (this.options.bulkAbove ?? BULK_ABOVE);
    // Two writers extending a table at once make PostgreSQL add spare pages to it (20 for each one
    // waiting), which a small pass never fills: 1,206 contacts then took up to 3,240 bytes each
    // instead of 2,941. A second writer only pays in a large pass.
    if (!this.bulk) this.writers.concurrency = 1;
    this.options.onRemoteTotal?.(total);
  }

  /** After a bulk pass (done or not), merges the search documents it left waiting into the index. */
  async flushBulkWrites(): Promise<void> {
    if (!this.bulk) return;
    this.bulk = false;
    await flushSearchIndex(this.db).catch((err: unknown) => this.log.warn('could not flush the search index', { error: err instanceof Error ? err.message : String(err) }));
  }

  /** Holds this pass's writes until `read` has settled, e.g. a count that must not see them. */
  writeAfter(read: Promise<unknown>): void {
    this.writesAfter = read.then(
      () => {},
      () => {},
    );
  }

  addError(message: string): void {
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(message);
    else if (this.errors.length === MAX_REPORTED_ERRORS) this.errors.push('… more problems were not listed');
  }

  /** Queues a page for writing and resolves once it is committed. */
  write(contacts: readonly GhlContact[], problems: readonly string[] = []): Promise<void> {
    return this.writePage(() => ({ contacts, problems }));
  }

  /**
   * Queues a page that is read (e.g. parsed from its response bytes) only when its turn to be
   * written comes, so pages waiting for the writer stay compact; resolves once it is committed.
   */
  writePage(read: () => PageRead): Promise<void> {
    const job = this.writers(async () => {
      await this.writesAfter;
      this.signal.throwIfAborted();
      const { result, again } = await this.writeOne(read);
      this.count(result, again);
      await this.reportProgress();
    });
    this.pending.add(job);
    void job.catch(() => {}).finally(() => this.pending.delete(job));
    return job;
  }

  /**
   * Adds a page's outcome to the counters, each contact once in a run. A contact listed again,
   * newer (it changed while the run read), was counted when first seen: it is counted again only
   * if it was unchanged then and has changed now, moving from unchanged to updated.
   */
  private count(r: PageWriteResult, again: ReadonlySet<string>): void {
    let againChanged = 0;
    const firstChange = (id: string): boolean => {
      if (!again.has(id)) {
        this.changed.add(id);
        return true;
      }
      againChanged += 1;
      if (this.changed.has(id)) return false;
      this.changed.add(id);
      this.counters.unchanged -= 1;
      return true;
    };
    const restored = r.restored.filter(firstChange).length;
    this.counters.created += r.created.filter(firstChange).length;
    this.counters.updated += r.updated.filter((u) => firstChange(u.id)).length + restored;
    this.counters.restored += restored;
    this.counters.unchanged += r.unchanged - (again.size - againChanged);
  }

  /** Writes one page: with COPY into an empty brain, else (or when COPY hands it back) merged. */
  private async writeOne(read: () => PageRead): Promise<{ result: PageWriteResult; again: ReadonlySet<string> }> {
    const copyInto = this.options.copyInto;
    const { source, fresh, again, mapped, prepared } = this.readPage(read, copyInto !== undefined);
    const options = { runId: this.runId, recordCreations: this.options.recordCreations, knownTerms: this.knownTerms, bulk: this.bulk, page: source };
    if (!copyInto || !prepared) return { result: await withRetryOnConflict(() => applyContactPage(this.db, mapped!, options)), again };
    // A page COPY cannot take (a contact it meets already stored) is read again and merged the usual way.
    return { result: await withRetryOnConflict(async () => (await copyNewContacts(copyInto, prepared, this.knownTerms)) ?? applyContactPage(this.db, this.mapFresh(read(), fresh), options)), again };
  }

  /**
   * Reads a page: its problems reported, the contacts not seen before in this run counted and
   * mapped. For COPY they are encoded at once and only the encoding is returned, so the parsed
   * records are garbage before the database is waited for (see prepareCopy).
   */
  private readPage(read: () => PageRead, forCopy: boolean): { source: PageSource | null | undefined; fresh: number[]; again: ReadonlySet<string>; mapped?: MappedContact[]; prepared?: PreparedCopy } {
    const page = read();
    for (const p of page.problems) this.addError(p);
    this.unreadable += Math.max(0, (page.listed ?? page.contacts.length) - page.contacts.length);
    const { fresh, again } = this.firstSightings(page.contacts);
    this.counters.fetched += fresh.length - again.size;
    const mapped = this.mapFresh(page, fresh);
    return forCopy && !page.inexactNumbers ? { source: page.source, fresh, again, prepared: prepareCopy(mapped, this.knownTerms) } : { source: page.source, fresh, again, mapped };
  }

  private mapFresh(page: PageRead, fresh: readonly number[]): MappedContact[] {
    return fresh.map((i) => ({ ...mapContact(page.contacts[i]!, this.ghl.locationId), position: page.positions?.[i] }));
  }

  /**
   * Where in the page the contacts not seen before in this run are: a contact listed twice
   * (paging overlap) counts once, unless the second copy is newer.
   */
  private firstSightings(contacts: readonly GhlContact[]): { fresh: number[]; again: Set<string> } {
    const fresh: number[] = [];
    const again = new Set<string>();
    contacts.forEach((c, i) => {
      const before = this.seen.get(c.id);
      if (before !== undefined && (before ?? '') >= (c.dateUpdated ?? '')) return;
      if (before !== undefined) again.add(c.id);
      else this.noteAdded(c);
      this.seen.set(c.id, c.dateUpdated);
      fresh.push(i);
    });
    return { fresh, again };
  }

  private noteAdded(c: GhlContact): void {
    const now = this.ghlNow();
    this.recentFrom ??= now - RECENT_BEFORE_PASS_MS;
    const added = c.dateAdded ? Date.parse(c.dateAdded) : Number.NaN;
    // Nothing seen now was added later than now: a date ahead of GHL's clock as its answers tell
    // it (a record dated in the future, a proxy's Date header running behind) says nothing of
    // when the contact joined the list, and counted as added it would have every pass read twice.
    if (added >= this.recentFrom && added <= now + ADDED_AFTER_ANSWER_MS) this.recentlyAdded.set(c.id, added);
  }

  /** How many contacts seen were added in GHL at or after `from` (GHL's time, ms). */
  private addedSince(from: number): number {
    let n = 0;
    for (const at of this.recentlyAdded.values()) if (at >= from) n += 1;
    return n;
  }

  /** A list is read (again): its unreadable records are counted afresh; contacts seen stay seen. */
  startList(): void {
    this.unreadable = 0;
    this.listAnsweredAt = null;
  }

  /**
   * True when this run has seen fewer contacts than the list being read held by GHL's count at
   * its first answer (`total`): the list changed while its numbered pages were read (an edit or a
   * deletion shifts every later record back by one place, so a record can slip between two pages).
   * Contacts added since that answer are left out, or one added would hide one that slipped. (One
   * added with a date in the past is not recognised as added; see also addedWhileRead.)
   */
  sawFewerThan(total: number): boolean {
    const addedAfter = this.listAnsweredAt === null ? 0 : this.addedSince(this.listAnsweredAt + ADDED_AFTER_ANSWER_MS);
    return this.seen.size - addedAfter + this.unreadable < total;
  }

  /** As sawFewerThan, against a count GHL gave after the list was read: every contact seen may be in it. */
  sawFewerThanNow(total: number): boolean {
    return this.seen.size + this.unreadable < total;
  }

  /**
   * True when some contact seen was added in GHL after this pass's first answer (roughly: a
   * second either side counts). GHL's count may then have held still only because a deletion
   * offset the addition.
   */
  get addedWhileRead(): boolean {
    return this.passAnsweredAt !== null && this.addedSince(this.passAnsweredAt - ADDED_AFTER_ANSWER_MS) > 0;
  }

  /** Waits for every queued write. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Progress at most every 250 ms, unless `final` (the last word on a pass must not be skipped). */
  async reportProgress(final = false): Promise<void> {
    const now = Date.now();
    if (!final && now - this.lastProgress < 250) return;
    this.lastProgress = now;
    await this.options.onProgress(this);
  }
}
