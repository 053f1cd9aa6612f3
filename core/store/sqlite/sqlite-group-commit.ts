import { AppError } from '../../domain/app-error.ts';
import type { AuditDraft, StoredEvent } from '../../domain/types.ts';
import type { AppendListeners } from '../append-listeners.ts';
import { readRow } from '../row-reader.ts';
import { storedEventOf } from '../stored-rows.ts';
import type { EventDraft } from '../stored-rows.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import type { ConstraintMessages } from './sqlite-errors.ts';

interface PendingWrite {
  fn: (timeMs: number) => unknown;
  messages: ConstraintMessages | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * The SqliteStore's write path: writes issued in one event-loop turn are queued and committed
 * together in one transaction (SqliteConnection.batch: one fsync, a failing write still rolls
 * back alone). After COMMIT the events they appended are announced to the AppendListeners, then
 * each writer's promise settles, so listeners run before the writer's own `await` resumes.
 */
export class SqliteGroupCommit {
  readonly #db: SqliteConnection;
  readonly #now: () => number;
  readonly #appended: AppendListeners;
  /** Events appended by the write in progress. */
  #txEvents: StoredEvent[] = [];
  /** Writes waiting for the next group commit. */
  #pending: PendingWrite[] = [];

  constructor(db: SqliteConnection, now: () => number, appended: AppendListeners) {
    this.#db = db;
    this.#now = now;
    this.#appended = appended;
  }

  /**
   * Queues `fn` for the next group commit; resolves once it is committed, after its events are
   * announced. Transactions are synchronous, so #txEvents belongs to one write at a time.
   */
  write<T>(fn: (timeMs: number) => T, messages?: ConstraintMessages): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, messages, resolve: resolve as (value: unknown) => void, reject });
      // Writes issued in the same event-loop turn (concurrent RPCs) commit together: one fsync.
      if (this.#pending.length === 1) setImmediate(() => this.flush());
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

  /** Commits every queued write in one transaction (group commit). */
  flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    // Events appended by each write's last run (a batch may run twice, see SqliteConnection.batch).
    const appended: StoredEvent[][] = [];
    let outcomes;
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
    const events = outcomes.flatMap((outcome, i) => (outcome.ok ? (appended[i] ?? []) : []));
    // Announced before the writers' awaits resume: after the data is durable.
    const last = events.at(-1);
    if (last !== undefined) this.#appended.notify(last.position, events);
    outcomes.forEach((outcome, i) => {
      const item = batch[i];
      if (!item) return;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
