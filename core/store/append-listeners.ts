import type { StoredEvent } from '../domain/types.ts';
import type { StoreLog } from './store-log.ts';

type AppendListener = (lastPosition: number, events?: readonly StoredEvent[]) => void;

/**
 * The `onAppend` fan-out shared by the backends. Positions are announced at most once and only
 * upwards: a backend may learn of the same commit twice (its own COMMIT and, for PostgreSQL,
 * the NOTIFY echo) or late (a notification from another replica arriving after a newer local
 * commit); listeners only ever see a strictly increasing newest position.
 *
 * Listeners run in a microtask queued right after the announcement, never inside a
 * transaction or the caller's stack; one that throws is logged and does not affect the others.
 */
export class AppendListeners {
  readonly #listeners = new Set<AppendListener>();
  readonly #log: StoreLog;
  #highest = 0;

  constructor(log: StoreLog) {
    this.#log = log;
  }

  /** Registers a listener; returns its unsubscribe function (idempotent). */
  add(listener: AppendListener): () => void {
    // Wrap so the same function can be registered twice and unsubscribed independently.
    const entry: AppendListener = (position, events) => listener(position, events);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /**
   * Announces `position` if it is newer than anything announced before. `events`, when given,
   * are exactly the events this commit appended, ending at `position`.
   */
  notify(position: number, events?: readonly StoredEvent[]): void {
    if (position <= this.#highest) return;
    this.#highest = position;
    if (this.#listeners.size === 0) return;
    queueMicrotask(() => {
      for (const listener of [...this.#listeners]) {
        try {
          listener(position, events);
        } catch (err) {
          this.#log.error({ err, position }, 'onAppend listener threw');
        }
      }
    });
  }

  clear(): void {
    this.#listeners.clear();
  }
}
