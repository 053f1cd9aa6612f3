import { Client } from 'pg';
import type { Notification } from 'pg';
import type { StoreLog } from '../store-log.ts';

/** Reconnect backoff: 100 ms doubling to 10 s, ±20 % jitter (grpc-js style). */
const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;
const BACKOFF_MULTIPLIER = 2;
const BACKOFF_JITTER = 0.2;

export interface PostgresListenerOptions {
  connectionString: string;
  /** The NOTIFY channel; must be a plain identifier. */
  channel: string;
  log: StoreLog;
  /** A notification arrived carrying this position. */
  onPosition: (position: number) => void;
  /** (Re)connected and listening: notifications sent while disconnected are lost, so re-sync. */
  onListening: () => void;
}

type State =
  | { kind: 'idle' }
  | { kind: 'connecting'; client: Client }
  | { kind: 'ready'; client: Client }
  | { kind: 'backoff'; timer: NodeJS.Timeout }
  | { kind: 'closed' };

/**
 * One dedicated connection that LISTENs for event-log NOTIFYs, so `onAppend` also fires for
 * commits made by other replicas. Notifications are not queued for a disconnected listener;
 * on an error the connection is replaced after a backoff and `onListening` lets the store
 * catch up by reading the current last position.
 */
export class PostgresListener {
  readonly #options: PostgresListenerOptions;
  #state: State = { kind: 'idle' };
  #backoffMs = INITIAL_BACKOFF_MS;

  constructor(options: PostgresListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`invalid channel name ${options.channel}`);
    this.#options = options;
  }

  /** Connects and LISTENs; rejects if the first attempt fails (later ones retry forever). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** Idempotent: closes the connection and cancels any pending reconnect. */
  async stop(): Promise<void> {
    const state = this.#state;
    this.#state = { kind: 'closed' };
    switch (state.kind) {
      case 'backoff':
        clearTimeout(state.timer);
        return;
      case 'connecting':
      case 'ready':
        await state.client.end();
        return;
      case 'idle':
      case 'closed':
        return;
      default:
        return assertNever(state);
    }
  }

  async #connect(): Promise<void> {
    const client = new Client({ connectionString: this.#options.connectionString, application_name: 'gatehouse-listen' });
    this.#state = { kind: 'connecting', client };
    client.on('notification', (message: Notification) => this.#onNotification(message));
    client.on('error', (err: Error) => this.#onFailure(client, err));
    client.on('end', () => this.#onFailure(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${this.#options.channel}`);
    if (this.#state.kind !== 'connecting' || this.#state.client !== client) return; // stopped meanwhile
    this.#state = { kind: 'ready', client };
    this.#backoffMs = INITIAL_BACKOFF_MS;
    this.#options.onListening();
  }

  #onNotification(message: Notification): void {
    if (message.channel !== this.#options.channel) return;
    const position = Number(message.payload);
    if (!Number.isSafeInteger(position) || position < 1) {
      this.#options.log.warn({ payload: message.payload }, 'ignoring malformed event notification');
      return;
    }
    this.#options.onPosition(position);
  }

  #onFailure(client: Client, err: Error): void {
    const state = this.#state;
    if ((state.kind !== 'connecting' && state.kind !== 'ready') || state.client !== client) return;
    const delayMs = this.#backoffMs * (1 + BACKOFF_JITTER * (Math.random() * 2 - 1));
    this.#backoffMs = Math.min(this.#backoffMs * BACKOFF_MULTIPLIER, MAX_BACKOFF_MS);
    this.#options.log.warn({ err, delayMs: Math.round(delayMs) }, 'event listener connection lost; reconnecting');
    // The broken client: end() releases its socket; its own failure is of no further interest.
    client.removeAllListeners('end');
    void client.end().then(undefined, (endErr: unknown) => this.#options.log.debug({ err: endErr }, 'closing broken listener'));
    const timer = setTimeout(() => this.#reconnect(), delayMs);
    timer.unref();
    this.#state = { kind: 'backoff', timer };
  }

  #reconnect(): void {
    if (this.#state.kind !== 'backoff') return;
    this.#connect().then(undefined, (err: unknown) => {
      // #onFailure already scheduled the next attempt if the client emitted 'error'; a
      // rejected connect() or LISTEN may not emit, so make sure one is scheduled.
      const state = this.#state;
      if (state.kind === 'connecting') this.#onFailure(state.client, err instanceof Error ? err : new Error(String(err)));
    });
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected state ${JSON.stringify(value)}`);
}
