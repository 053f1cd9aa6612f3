import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { AppError } from '../../domain/app-error.ts';
import { readRow } from '../row-reader.ts';
import { SLOW_TRANSACTION_MS } from '../store-log.ts';
import type { StoreLog } from '../store-log.ts';
import { translateSqliteError } from './sqlite-errors.ts';
import type { ConstraintMessages } from './sqlite-errors.ts';
import { migrateSqlite } from './sqlite-migrations.ts';

export interface BatchItem<T> {
  fn: () => T;
  messages?: ConstraintMessages | undefined;
}

export type BatchOutcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

/**
 * How the WAL file is made durable. The default is node:fs's fdatasync; tests pass one that
 * fails the way a failing disk's does (EIO), to exercise what the store does then.
 */
export interface WalSync {
  /** Returns once everything written to `fd` is durable; throws if the disk could not make it so. */
  now(fd: number): void;
  /** The same on libuv's thread pool. */
  later(fd: number, done: (err: Error | null) => void): void;
}

export const FDATASYNC: WalSync = { now: fdatasyncSync, later: fdatasync };

/**
 * One `node:sqlite` connection with the settings the Store's guarantees rest on, a cache of
 * prepared statements and synchronous transactions. Driver errors leave as AppError.
 */
export class SqliteConnection {
  readonly #db: DatabaseSync;
  readonly #log: StoreLog;
  /** The WAL file, which `sync`/`syncNow` fdatasync; undefined when COMMIT syncs by itself. */
  readonly #walFd: number | undefined;
  readonly #walSync: WalSync;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

  /**
   * Opens `path` in WAL mode, foreign keys on, and a busy timeout for locks held by another
   * connection; then applies pending migrations.
   *
   * Durability: in WAL mode, `synchronous=NORMAL` and the caller makes commits durable with
   * `sync` or `syncNow` (an fdatasync of the WAL file), so a commit need not block the event
   * loop on the disk. That is what `synchronous=FULL` does inside COMMIT; NORMAL still syncs
   * the WAL before each checkpoint. Without WAL (a file system that lacks it), `synchronous=FULL`
   * and the sync methods do nothing.
   */
  static open(path: string, busyTimeoutMs: number, log: StoreLog, walSync: WalSync = FDATASYNC): SqliteConnection {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
    } catch (err) {
      throw new AppError('unavailable', `cannot open SQLite database ${path}`, { cause: err });
    }
    try {
      const mode = db.prepare('PRAGMA journal_mode = WAL').get();
      const wal = mode !== undefined && readRow(mode, 'pragma').string('journal_mode') === 'wal';
      if (!wal) log.warn({ path }, 'SQLite WAL mode unavailable; using the default journal');
      db.exec(`PRAGMA synchronous = ${wal ? 'NORMAL' : 'FULL'}; PRAGMA foreign_keys = ON;`);
      migrateSqlite(db);
      // Reading in WAL mode has created the WAL file; it stays while this connection is open.
      return new SqliteConnection(db, log, wal ? openWal(`${path}-wal`) : undefined, walSync);
    } catch (err) {
      db.close();
      throw err instanceof AppError ? err : translateSqliteError(err);
    }
  }

  private constructor(db: DatabaseSync, log: StoreLog, walFd: number | undefined, walSync: WalSync) {
    this.#db = db;
    this.#log = log;
    this.#walFd = walFd;
    this.#walSync = walSync;
  }

  /** Makes every transaction committed so far durable, blocking the event loop meanwhile. */
  syncNow(): void {
    this.#checkOpen();
    if (this.#walFd === undefined) return;
    try {
      this.#walSync.now(this.#walFd);
    } catch (err) {
      throw syncFailed(err);
    }
  }

  /**
   * Makes every transaction committed before the call durable, on libuv's thread pool. The
   * caller must not close the connection while a sync is in flight.
   */
  sync(): Promise<void> {
    this.#checkOpen();
    const fd = this.#walFd;
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#walSync.later(fd, (err) => (err ? reject(syncFailed(err)) : resolve()));
    });
  }

  /**
   * Runs `fn` between `begin` and COMMIT, rolling back if it throws. `BEGIN IMMEDIATE` takes
   * the write lock up front, so a read-modify-write never has to be upgraded (and fail with
   * SQLITE_BUSY) half way; a plain `BEGIN` gives readers one snapshot.
   */
  transaction<T>(begin: 'BEGIN' | 'BEGIN IMMEDIATE', fn: () => T, messages?: ConstraintMessages): T {
    this.#checkOpen();
    const started = performance.now();
    try {
      this.#db.exec(begin);
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw translateSqliteError(err, messages);
    } finally {
      const elapsedMs = performance.now() - started;
      if (elapsedMs > SLOW_TRANSACTION_MS) this.#log.warn({ elapsedMs }, 'slow SQLite transaction');
    }
  }

  /**
   * Group commit: runs every function inside one `BEGIN IMMEDIATE … COMMIT`, so many writes
   * share one fsync, and returns each one's outcome (a function that throws gets the translated
   * error; the others are still committed). If BEGIN or COMMIT fails, this throws and nothing of
   * the batch is written.
   *
   * Optimistic: the batch first runs without savepoints, because a savepoint makes SQLite copy
   * every page it touches to a sub-journal, which doubles the cost of a write. Only if a
   * function throws is the whole transaction rolled back and the batch run again with each
   * function in its own SAVEPOINT, so the failing one is undone alone. Functions must therefore
   * depend on nothing but the database (they may run twice; only the last run is committed).
   */
  batch<T>(items: ReadonlyArray<BatchItem<T>>): Array<BatchOutcome<T>> {
    this.#checkOpen();
    const started = performance.now();
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      const optimistic = this.#runAll(items, false);
      if (optimistic.every((o) => o.ok)) {
        this.#db.exec('COMMIT');
        return optimistic;
      }
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      // A lone write's outcome is settled: the rollback undid whatever it wrote.
      if (items.length === 1) return optimistic;
      this.#db.exec('BEGIN IMMEDIATE');
      const outcomes = this.#runAll(items, true);
      this.#db.exec('COMMIT');
      return outcomes;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw translateSqliteError(err);
    } finally {
      const elapsedMs = performance.now() - started;
      if (elapsedMs > SLOW_TRANSACTION_MS) this.#log.warn({ elapsedMs, writes: items.length }, 'slow SQLite transaction');
    }
  }

  /**
   * Runs the functions in the open transaction, each in its own savepoint if asked. Without
   * savepoints it stops at the first failure, which the caller must roll back.
   */
  #runAll<T>(items: ReadonlyArray<BatchItem<T>>, savepoints: boolean): Array<BatchOutcome<T>> {
    const outcomes: Array<BatchOutcome<T>> = [];
    for (const item of items) {
      if (savepoints) this.#statement('SAVEPOINT w').run();
      try {
        const value = item.fn();
        if (savepoints) this.#statement('RELEASE w').run();
        outcomes.push({ ok: true, value });
      } catch (err) {
        outcomes.push({ ok: false, error: translateSqliteError(err, item.messages) });
        if (!savepoints) return outcomes;
        this.#statement('ROLLBACK TO w').run();
        this.#statement('RELEASE w').run();
      }
    }
    return outcomes;
  }

  // run() leaves error translation to transaction(), which knows what a constraint violation
  // means for the caller; get() and all() also serve reads outside transactions.
  run(sql: string, ...params: SQLInputValue[]): { changes: number | bigint } {
    return this.#statement(sql).run(...params);
  }

  get(sql: string, ...params: SQLInputValue[]): Record<string, unknown> | undefined {
    try {
      return this.#statement(sql).get(...params);
    } catch (err) {
      throw translateSqliteError(err);
    }
  }

  all(sql: string, ...params: SQLInputValue[]): Record<string, unknown>[] {
    try {
      return this.#statement(sql).all(...params);
    } catch (err) {
      throw translateSqliteError(err);
    }
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
  }

  #checkOpen(): void {
    if (this.#closed) throw new AppError('unavailable', 'store is closed');
  }

  /** Prepared statements are cached by their SQL text; the set of shapes is small and fixed. */
  #statement(sql: string): StatementSync {
    this.#checkOpen();
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function openWal(walPath: string): number {
  try {
    return openSync(walPath, 'r');
  } catch (err) {
    throw new AppError('unavailable', `cannot open SQLite WAL file ${walPath}`, { cause: err });
  }
}

function syncFailed(cause: unknown): AppError {
  return new AppError('unavailable', 'cannot make SQLite commits durable: fdatasync of the WAL file failed', { cause });
}
