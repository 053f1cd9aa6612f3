import type { Logger } from 'pino';
import type { EventStream, GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { Event__Output } from '../../proto/gen/gatehouse/v1/Event.ts';
import { Backoff, sleep } from './backoff.ts';

export interface WatchLoopOptions {
  client: () => GatehouseClient;
  log: Logger;
  /** Every PUT/DELETE event, in log order. */
  onEvent: (event: Event__Output) => void;
  /**
   * Called after a fresh watch started (first start, or the log no longer reaching back to our
   * position): list what the events will not tell us. Failures are retried with backoff.
   */
  onResync: () => Promise<void>;
  /** Told when readiness changes (watching or not). */
  onReadyChange: (ready: boolean) => void;
  /** Called on a connection failure (to try the next address). */
  onConnectionFailure?: (err: unknown) => void;
  /** How long to wait for INIT. @default 15000 */
  initTimeoutMs?: number;
  /** Reconnect backoff. @default 100 .. 5000 */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting'; readonly stream: EventStream }
  | { readonly kind: 'watching'; readonly stream: EventStream }
  | { readonly kind: 'backoff' }
  | { readonly kind: 'stopped' };

/**
 * Watches access-request events and never misses one: it remembers the position of the last
 * event it saw and, after a reconnect, resumes from there (`since`), so the server replays what
 * happened meanwhile. On first start, or when the server's log no longer reaches back that far
 * (OUT_OF_RANGE), it starts fresh and calls `onResync` to re-list. Reconnects back off with
 * jitter; `restart()` reconnects at once (a renewed identity).
 */
export class WatchLoop {
  readonly #o: WatchLoopOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  #state: State = { kind: 'idle' };
  /** Position of the last event seen; undefined = start fresh. */
  #position: number | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #resyncing: Promise<void> | undefined;
  #restartRequested = false;

  constructor(options: WatchLoopOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'watch' });
    this.#backoff = new Backoff({ initialMs: options.backoffInitialMs ?? 100, maxMs: options.backoffMaxMs ?? 5000 });
  }

  get state(): State['kind'] {
    return this.#state.kind;
  }

  get position(): number | undefined {
    return this.#position;
  }

  start(): void {
    if (this.#state.kind !== 'idle') throw new Error(`cannot start a watch loop that is ${this.#state.kind}`);
    this.#state = { kind: 'backoff' };
    this.#loop = this.#run();
  }

  /** Drops the current stream and reconnects now, resuming from the last position. */
  restart(): void {
    const s = this.#state;
    if (s.kind === 'connecting' || s.kind === 'watching') {
      this.#restartRequested = true;
      s.stream.cancel();
    }
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#state.kind !== 'stopped') {
      try {
        await this.#watchOnce();
      } catch (err) {
        if ((this.#state as State).kind === 'stopped') break;
        this.#o.onReadyChange(false);
        const e = GatehouseError.from(err);
        if (e.code === 'OUT_OF_RANGE') {
          this.#log.warn({ position: this.#position, err: e.details }, 'the server no longer has events since our position; re-listing');
          this.#position = undefined;
          continue;
        }
        if (e.code === 'CANCELLED' && this.#restartRequested) {
          this.#restartRequested = false;
          continue;
        }
        this.#o.onConnectionFailure?.(err);
        const delay = this.#backoff.next();
        this.#log.warn({ code: e.code, err: e.details, retryInMs: delay, position: this.#position }, 'watch disconnected; reconnecting');
        this.#state = { kind: 'backoff' };
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          void sleep(delay).then(resolve);
        });
        this.#wake = undefined;
      }
    }
  }

  async #watchOnce(): Promise<void> {
    const resume = this.#position;
    const stream = this.#o.client().watchEvents({ kinds: ['access_request'], ...(resume === undefined ? {} : { since: resume }) });
    this.#state = { kind: 'connecting', stream };
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Event__Output>;
    const initTimeoutMs = this.#o.initTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stream.cancel();
          reject(new GatehouseError('DEADLINE_EXCEEDED', 'watcher initialization timed out'));
        }, initTimeoutMs);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
    if (first.done === true) throw new GatehouseError('UNAVAILABLE', 'watch stream closed before INIT');
    const init = first.value;
    if (init.type !== 'INIT') throw new GatehouseError('INTERNAL', `unexpected first watch event ${init.type}`);
    if ((this.#state as State).kind === 'stopped') return;
    this.#state = { kind: 'watching', stream };
    this.#backoff.reset();
    const fresh = resume === undefined;
    if (fresh) this.#position = init.position;
    this.#log.info({ position: this.#position, resumed: !fresh, serverPosition: init.position }, 'watching access requests');
    this.#o.onReadyChange(true);
    if (fresh) this.#startResync();
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      const event = next.value;
      if (event.position > (this.#position ?? 0)) this.#position = event.position;
      if (event.type === 'PUT' || event.type === 'DELETE') this.#o.onEvent(event);
    }
    if ((this.#state as State).kind === 'stopped') return;
    throw new GatehouseError('UNAVAILABLE', 'watch stream closed by the server');
  }

  #startResync(): void {
    if (this.#resyncing) return;
    const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
    const attempt = async (): Promise<void> => {
      while (this.#state.kind !== 'stopped') {
        try {
          await this.#o.onResync();
          return;
        } catch (err) {
          const delay = backoff.next();
          this.#log.warn({ err: GatehouseError.from(err).message, retryInMs: delay }, 'listing requests to reconcile failed; retrying');
          await sleep(delay);
        }
      }
    };
    this.#resyncing = attempt().finally(() => {
      this.#resyncing = undefined;
    });
  }

  /** Stops watching (idempotent); resolves when the loop has exited. */
  async stop(): Promise<void> {
    const s = this.#state;
    this.#state = { kind: 'stopped' };
    if (s.kind === 'connecting' || s.kind === 'watching') s.stream.cancel();
    this.#wake?.();
    await this.#loop;
  }
}
