import { AppError } from '../../domain/app-error.ts';
import type { AuditDraft, StoredEvent } from '../../domain/types.ts';
import type { AppendListeners } from '../append-listeners.ts';
import { readRow } from '../row-reader.ts';
import { storedEventOf } from '../stored-rows.ts';
import type { EventDraft } from '../stored-rows.ts';
import type { BatchOutcome, SqliteConnection } from './sqlite-connection.ts';
import type { ConstraintMessages } from './sqlite-errors.ts';
import type { StoreLog } from '../store-log.ts';
import type { StoreObserver } from '../store.ts';

interface PendingWrite {
  fn: (timeMs: number) => unknown;
  messages: ConstraintMessages | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Something to run once commit number `seq` is durable (or with the error if it never will be). */
interface DurableWaiter {
  seq: number;
  run: (err?: AppError) => void;
}

/**
 * Most writes one transaction takes. A burst of concurrent writes is committed in several
 * batches, so the first ones can be answered (and their callers go on) while later ones are
 * still being committed and synced, instead of everything moving in lockstep with one commit.
 * Larger batches make each write cheaper (a commit writes each touched page once, however many
 * rows changed it). With 64 create+approve loops on 2 cores, 32 gave 3,600-3,900 cycles/s,
 * 8 gave 3,200 and no limit 3,300 (lockstep); with 16 loops 8 and 32 were alike.
 */
export const MAX_BATCH = 32;

export interface SqliteGroupCommitOptions {
  /** Clock for the time each write is given. */
  now: () => number;
  /** Told of each durable batch's events. */
  appended: AppendListeners;
  log: StoreLog;
  /** Called once when a failed sync stops the store. */
  onFatal?: ((err: AppError) => void) | undefined;
  /** Told how long each commit and each sync took. */
  observe?: StoreObserver | undefined;
}

/**
 * The SqliteStore's write path: writes issued in one event-loop turn are queued and committed
 * together in one transaction (SqliteConnection.batch: a failing write still rolls back alone),
 * at most MAX_BATCH at a time.
 *
 * A commit is durable once the WAL is synced (SqliteConnection). A lone write with nothing else
 * under way is synced at once, inline: the fastest answer for a quiet server. Otherwise the sync
 * runs on the thread pool while the event loop goes on serving calls and committing the next
 * batch; one sync at a time covers every commit made before it started.
 *
 * Nothing is visible outside before it is durable: once a batch is durable the events it
 * appended are announced to the AppendListeners, then each writer's promise settles (listeners
 * run before the writer's own `await` resumes); reads pass their result through `afterDurable`,
 * so a read that saw a commit still being synced answers only once that sync is done.
 *
 * If a sync fails the store stops: pending and later writes and reads fail `unavailable`, and
 * `onFatal` is called. After a failed fsync the kernel may have dropped the unsynced pages, so
 * continuing (or retrying the fsync, which may then succeed) could acknowledge writes that are
 * lost; a restart recovers from what is on disk.
 */
export class SqliteGroupCommit {
  readonly #db: SqliteConnection;
  readonly #now: () => number;
  readonly #appended: AppendListeners;
  readonly #log: StoreLog;
  readonly #onFatal: ((err: AppError) => void) | undefined;
  readonly #observe: StoreObserver | undefined;
  /** Writes committed since the last sync started (what the next sync makes durable). */
  #unsynced = 0;
  /** Events appended by the write in progress. */
  #txEvents: StoredEvent[] = [];
  /** Writes waiting for the next group commit. */
  #pending: PendingWrite[] = [];
  #flushScheduled = false;
  /** Commits made, and how many of them are durable. */
  #committed = 0;
  #durable = 0;
  #syncing = false;
  /** In `seq` order. */
  #waiters: DurableWaiter[] = [];
  #failed: AppError | undefined;

  constructor(db: SqliteConnection, options: SqliteGroupCommitOptions) {
    this.#db = db;
    this.#now = options.now;
    this.#appended = options.appended;
    this.#log = options.log;
    this.#onFatal = options.onFatal;
    this.#observe = options.observe;
  }

  /**
   * Queues `fn` for the next group commit; resolves once it is durable, after its events are
   * announced. Transactions are synchronous, so #txEvents belongs to one write at a time.
   */
  write<T>(fn: (timeMs: number) => T, messages?: ConstraintMessages): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, messages, resolve: resolve as (value: unknown) => void, reject });
      // Writes issued in the same event-loop turn (concurrent RPCs) commit together.
      this.#scheduleFlush();
    });
  }

  /**
   * A read's result, handed back once every commit the read could have seen is durable. Call it
   * right after reading, in the same synchronous step.
   */
  afterDurable<T>(value: T): T | Promise<T> {
    if (this.#failed) throw this.#failed;
    if (this.#durable === this.#committed) return value;
    return new Promise<T>((resolve, reject) => {
      this.#waiters.push({ seq: this.#committed, run: (err) => (err ? reject(err) : resolve(value)) });
    });
  }

  /**
   * Appends events and one audit entry inside the current transaction; returns the last position.
   * Only for use inside a function passed to `write`.
   */
  append(events: readonly EventDraft[], audit: AuditDraft, timeMs: number): number {
    let position = 0;
    for (const event of events) {
      const row = this.#db.get(
        'INSERT INTO events (time_ms, type, kind, name, json) VALUES (?, ?, ?, ?, ?) RETURNING position',
        timeMs, event.type, event.kind, event.name, event.json,
      );
      if (row === undefined) throw new AppError('internal', 'event insert returned no position');
      position = readRow(row, 'events').integer('position');
      this.#txEvents.push(storedEventOf(event, position, timeMs));
    }
    this.#db.run(
      'INSERT INTO audit (time_ms, type, actor, request_id, json) VALUES (?, ?, ?, ?, ?)',
      timeMs, audit.type, audit.actor, audit.requestId, JSON.stringify(audit.details),
    );
    return position;
  }

  /** Commits every queued write and resolves once all of them are durable (for closing). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0) this.#flush();
    await this.afterDurable(undefined);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Commits up to MAX_BATCH queued writes in one transaction (group commit). */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (this.#pending.length > 0) this.#scheduleFlush();
    if (batch.length === 0) return;
    if (this.#failed) {
      for (const item of batch) item.reject(this.#failed);
      return;
    }
    // Events appended by each write's last run (a batch may run twice, see SqliteConnection.batch).
    const appended: StoredEvent[][] = [];
    let outcomes: Array<BatchOutcome<unknown>>;
    const started = this.#observe ? performance.now() : 0;
    try {
      outcomes = this.#db.batch(
        batch.map((item, i) => ({
          messages: item.messages,
          fn: () => {
            this.#txEvents = [];
            appended[i] = this.#txEvents;
            return item.fn(this.#now());
          },
        })),
      );
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    } finally {
      this.#txEvents = [];
    }
    if (this.#observe) this.#observe('commit', (performance.now() - started) / 1000, batch.length);
    this.#unsynced += batch.length;
    const seq = ++this.#committed;
    const settle = (err?: AppError): void => {
      if (err) {
        for (const item of batch) item.reject(err);
        return;
      }
      const events = outcomes.flatMap((outcome, i) => (outcome.ok ? (appended[i] ?? []) : []));
      const last = events.at(-1);
      if (last !== undefined) this.#appended.notify(last.position, events);
      outcomes.forEach((outcome, i) => {
        const item = batch[i];
        if (!item) return;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    };
    if (batch.length === 1 && this.#pending.length === 0 && !this.#syncing) {
      try {
        const syncStarted = this.#observe ? performance.now() : 0;
        this.#db.syncNow();
        this.#unsynced = 0;
        if (this.#observe) this.#observe('sync', (performance.now() - syncStarted) / 1000, 1);
      } catch (err) {
        this.#fail(err);
        settle(this.#failed);
        return;
      }
      this.#durable = seq;
      settle();
      return;
    }
    this.#waiters.push({ seq, run: settle });
    this.#startSync();
  }

  #startSync(): void {
    if (this.#syncing || this.#failed) return;
    this.#syncing = true;
    const target = this.#committed;
    const writes = this.#unsynced;
    this.#unsynced = 0;
    const started = this.#observe ? performance.now() : 0;
    this.#db.sync().then(
      () => {
        if (this.#observe) this.#observe('sync', (performance.now() - started) / 1000, writes);
        this.#syncing = false;
        this.#durable = target;
        while (this.#waiters[0] !== undefined && this.#waiters[0].seq <= target) this.#waiters.shift()?.run();
        if (this.#committed > this.#durable) this.#startSync();
      },
      (err: unknown) => {
        this.#syncing = false;
        this.#fail(err);
      },
    );
  }

  /** Stops the store: see the class comment. */
  #fail(cause: unknown): void {
    if (this.#failed) return;
    const failed = new AppError('unavailable', 'the SQLite store stopped after a failed sync to disk; restart the server', { cause });
    this.#failed = failed;
    this.#log.error({ err: cause }, 'SQLite sync failed; the store refuses further reads and writes');
    for (const waiter of this.#waiters.splice(0)) waiter.run(failed);
    for (const item of this.#pending.splice(0)) item.reject(failed);
    try {
      this.#onFatal?.(failed);
    } catch (err) {
      this.#log.error({ err }, 'the store failure listener threw');
    }
  }
}
