import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import type { StoredEvent } from '../domain/types.ts';
import type { Store } from '../store/store.ts';

/** A subscriber of the live event stream (one per WatchEvents call, plus internal caches). */
export interface EventSink {
  /** Events with position > cursor are delivered; the hub advances it after each delivery. */
  cursor: number;
  /**
   * Receives one event. `encoded()` returns its gRPC bytes, encoded on first use and shared by
   * all sinks (must not be mutated); sinks that need only the event never pay for encoding.
   */
  deliver(event: StoredEvent, encoded: () => Buffer): void;
  /**
   * Called once by `attach` when the sink joins live delivery, after every replayed event,
   * with the hub's position then (the sink has seen everything up to it).
   */
  caughtUp?(position: number): void;
  /** Ends the sink's stream (server shutdown). */
  close?(): void;
  /** The hub skipped events it could no longer read (log pruned past it); caches start over. */
  skipped?(): void;
}

export interface EventHubOptions {
  store: Store;
  log: Logger;
  /** Serializes an event once for all watchers (the gRPC Event message bytes). */
  encode: (event: StoredEvent) => Buffer;
  /** Events read from the store per batch. @default 500 */
  batchSize?: number;
}

/**
 * Fans the ordered event log out to every live sink. The store says *that* something was
 * appended (in this process or, with PostgreSQL, another replica); the hub reads the new
 * events once, encodes each once, and hands the same bytes to every sink. Reads are serialized,
 * so sinks see events in log order without gaps.
 */
export class EventHub {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #encode: (event: StoredEvent) => Buffer;
  readonly #batchSize: number;
  readonly #sinks = new Set<EventSink>();
  #position = 0;
  #target = 0;
  #pumping = false;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: EventHubOptions) {
    this.#store = options.store;
    this.#log = options.log.child({ component: 'event-hub' });
    this.#encode = options.encode;
    this.#batchSize = options.batchSize ?? 500;
  }

  /** The position of the newest event handed to sinks. */
  get position(): number {
    return this.#position;
  }

  get sinkCount(): number {
    return this.#sinks.size;
  }

  async start(): Promise<void> {
    this.#position = await this.#store.lastPosition();
    this.#target = this.#position;
    this.#unsubscribe = this.#store.onAppend((last, events) => this.#notify(last, events));
  }

  /**
   * Attaches a sink: first delivers from the store every event after `sink.cursor` up to the
   * hub's position, then adds the sink to live delivery in the same tick as the final check, so
   * no event falls between catch-up and live delivery, and tells it so (`caughtUp`). Throws
   * `out_of_range` if the log was pruned past the cursor, before delivering anything when the
   * first read finds it so. Returns false if `isOpen()` turned false meanwhile (not attached).
   */
  async attach(sink: EventSink, isOpen: () => boolean): Promise<boolean> {
    for (;;) {
      if (!isOpen()) return false;
      if (sink.cursor >= this.#position) {
        this.#sinks.add(sink);
        sink.caughtUp?.(this.#position);
        return true;
      }
      const events = await this.#store.readEvents(sink.cursor, this.#batchSize);
      if (events.length === 0) {
        // The store has nothing newer than the cursor yet the hub is ahead: cannot happen with a
        // consistent store; attach anyway rather than spin.
        this.#sinks.add(sink);
        sink.caughtUp?.(this.#position);
        return true;
      }
      for (const event of events) {
        if (event.position > sink.cursor && isOpen()) {
          sink.deliver(event, this.#encoder(event));
          sink.cursor = event.position;
        }
      }
    }
  }

  /** Adds a sink for live events only (no catch-up), e.g. an internal cache. */
  subscribe(sink: EventSink): void {
    sink.cursor = Math.max(sink.cursor, this.#position);
    this.#sinks.add(sink);
  }

  remove(sink: EventSink): void {
    this.#sinks.delete(sink);
  }

  #notify(last: number, events?: readonly StoredEvent[]): void {
    // The common case: this process's own commit, next in line, nothing being read. Dispatch
    // the committed events directly instead of reading them back.
    const first = events?.[0];
    if (events && first && !this.#pumping && !this.#stopped && first.position === this.#position + 1 && events.at(-1)?.position === last) {
      for (const event of events) this.#dispatch(event);
      if (last > this.#target) this.#target = last;
      return;
    }
    if (last > this.#target) this.#target = last;
    if (!this.#pumping && !this.#stopped) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#stopped && this.#position < this.#target) {
        const events = await this.#store.readEvents(this.#position, this.#batchSize);
        if (events.length === 0) break;
        for (const event of events) this.#dispatch(event);
      }
    } catch (err) {
      const appErr = AppError.from(err);
      if (appErr.code === 'out_of_range') {
        // Only possible if pruning outran the hub; skip ahead so live delivery continues.
        this.#log.error({ err }, 'event log pruned past the hub position; skipping ahead');
        this.#position = await this.#store.lastPosition();
        for (const sink of this.#sinks) sink.skipped?.();
      } else {
        this.#log.error({ err }, 'reading the event log failed; will retry on the next append');
      }
    } finally {
      this.#pumping = false;
    }
    if (!this.#stopped && this.#position < this.#target) setTimeout(() => this.#notify(0), 100).unref();
  }

  #dispatch(event: StoredEvent): void {
    this.#position = event.position;
    if (this.#sinks.size === 0) return;
    const encoded = this.#encoder(event);
    for (const sink of this.#sinks) {
      if (event.position > sink.cursor) {
        sink.deliver(event, encoded);
        sink.cursor = event.position;
      }
    }
  }

  /** The event's bytes, encoded at most once for however many sinks ask. */
  #encoder(event: StoredEvent): () => Buffer {
    let bytes: Buffer | undefined;
    return () => (bytes ??= this.#encode(event));
  }

  /** Ends every sink that can be closed (watch streams), so shutdown need not wait for them. */
  closeSinks(): void {
    for (const sink of [...this.#sinks]) sink.close?.();
  }

  /** Idempotent. Sinks are not closed here; see closeSinks. */
  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
