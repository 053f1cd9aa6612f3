import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { GatehouseClient, type ClientIdentity } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { PingResponse__Output } from '../../proto/gen/gatehouse/v1/PingResponse.ts';
import { Backoff, sleep } from './backoff.ts';
import { EXPIRY_WARNING_MS, loadCredentials, type LoadedCredentials } from './load-credentials.ts';
import type { ServerCredentials } from './load-plugin-config.ts';
import { PluginError } from './plugin-error.ts';

export interface ServerConnectionOptions {
  addrs: readonly string[];
  credentials: ServerCredentials;
  log: Logger;
  /** @default Date.now */
  now?: () => number;
  /** How often the identity files are checked for changes. @default 1000 */
  identityPollMs?: number;
  /** @default new GatehouseClient */
  createClient?: (addr: string, identity: ClientIdentity) => GatehouseClient;
}

/** Waits between attempts to reach a server at start: grows to a quarter of a minute, with jitter. */
const CONNECT_BACKOFF = { initialMs: 500, maxMs: 15_000 } as const;

/** Whether an error says the server was not reached (worth another try, or another address). */
export function isConnectionError(err: unknown): boolean {
  return GatehouseError.is(err) && err.transient;
}

/**
 * A TLS failure that no retry fixes: the server's certificate is not signed by the identity's
 * CA, or the server refused ours (another cluster's identity). grpc-js reports both as
 * UNAVAILABLE, with the TLS reason in the details.
 */
function isTrustError(err: unknown): boolean {
  return GatehouseError.is(err, 'UNAVAILABLE') && /certificate|unknown ca|bad certificate|self[- ]signed|alert/i.test(err.details);
}

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected'; readonly client: GatehouseClient; readonly addrIndex: number; readonly credentials: LoadedCredentials }
  | { readonly kind: 'stopped' };

/**
 * The plugin's link to the server: loads and checks the identity (refusing an expired one,
 * warning within 24 h of expiry), waits for a server with backoff, moves to the next address
 * when one fails, and reloads the identity when its file changes so a renewed identity needs no
 * restart. Listeners learn of every new client (the watch loop reconnects with it).
 */
export class ServerConnection {
  readonly #o: Required<Omit<ServerConnectionOptions, 'log'>> & { log: Logger };
  #state: State = { kind: 'idle' };
  #listeners = new Set<(client: GatehouseClient) => void>();
  #watched: string[] = [];
  #expiryTimer: NodeJS.Timeout | undefined;
  #pong: PingResponse__Output | undefined;
  #reloading: Promise<void> | undefined;

  constructor(options: ServerConnectionOptions) {
    this.#o = {
      now: Date.now,
      identityPollMs: 1000,
      createClient: (addr, identity) =>
        new GatehouseClient({
          addr,
          identity,
          timeoutMs: 10_000,
          // grpc-js backs off reconnects up to 120 s by default; a restarted server should be
          // found again within seconds (Teleport's plugins cap it at 2 s too).
          channelOptions: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2000 },
        }),
      ...options,
      log: options.log.child({ component: 'connection' }),
    };
  }

  /** The current client; throws before the server was reached and after `stop()`. */
  get client(): GatehouseClient {
    if (this.#state.kind !== 'connected') throw new Error(`server connection is ${this.#state.kind}`);
    return this.#state.client;
  }

  get addr(): string {
    return this.client.addr;
  }

  /** The first successful Ping. */
  get pong(): PingResponse__Output | undefined {
    return this.#pong;
  }

  onClientChange(listener: (client: GatehouseClient) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Loads the identity (what is wrong with it is final: a restart would read the same file).
   * @throws PluginError `identity` (missing, invalid, expired).
   */
  async loadIdentity(): Promise<LoadedCredentials> {
    const credentials = await loadCredentials(this.#o.credentials, this.#o.now());
    this.#warnIfExpiring(credentials);
    return credentials;
  }

  /**
   * Reaches a server with `credentials`, trying each address in turn with backoff and jitter
   * until one answers Ping, `deadlineMs` passes (forever by default) or `signal` aborts; then
   * watches the identity files. One log line per failed attempt.
   * @throws PluginError `identity` when a server refuses the identity or is of another cluster
   *   (no retry fixes that), `unreachable` when the deadline passed; the signal's reason.
   */
  async connect(credentials: LoadedCredentials, options: { signal?: AbortSignal; deadlineMs?: number } = {}): Promise<PingResponse__Output> {
    if (this.#state.kind !== 'idle') throw new Error(`cannot connect a connection that is ${this.#state.kind}`);
    this.#state = { kind: 'connecting' };
    const deadline = this.#o.now() + (options.deadlineMs ?? Number.POSITIVE_INFINITY);
    const backoff = new Backoff(CONNECT_BACKOFF);
    for (let attempt = 0; ; attempt++) {
      const addrIndex = attempt % this.#o.addrs.length;
      const addr = this.#o.addrs[addrIndex]!;
      const client = this.#o.createClient(addr, credentials.identity);
      try {
        const pong = await client.ping();
        if ((this.#state as State).kind === 'stopped') {
          client.close();
          throw new Error('server connection stopped');
        }
        this.#state = { kind: 'connected', client, addrIndex, credentials };
        this.#pong = pong;
        this.#o.log.info({ addr, user: pong.user, cluster: pong.clusterName, serverVersion: pong.serverVersion, identityExpires: new Date(credentials.expiresMs).toISOString() }, 'connected to the server');
        this.#watchFiles(credentials.files);
        this.#expiryTimer = setInterval(() => this.#checkExpiry(), 3600_000);
        this.#expiryTimer.unref();
        return pong;
      } catch (err) {
        client.close();
        if (isTrustError(err)) {
          throw new PluginError('identity', `the server at ${addr} and ${credentials.source} do not trust each other (${GatehouseError.from(err).details}); is the identity of this cluster?`, { cause: err });
        }
        if (!isConnectionError(err)) {
          throw new PluginError('identity', `the server at ${addr} rejected ${credentials.source}: ${GatehouseError.from(err).message}`, { cause: err });
        }
        const delay = backoff.next();
        if (this.#o.now() + delay > deadline) {
          throw new PluginError('unreachable', `cannot reach the server at ${this.#o.addrs.join(', ')}: ${GatehouseError.from(err).details}`, { cause: err });
        }
        this.#o.log.warn({ addr, attempt: attempt + 1, retryInMs: delay, err: GatehouseError.from(err).details }, 'server not reachable, retrying');
        await sleep(delay, options.signal);
      }
    }
  }

  /** Switches to the next configured address (after a connection failure); no-op with one address. */
  rotate(): void {
    const s = this.#state;
    if (s.kind !== 'connected' || this.#o.addrs.length < 2) return;
    const addrIndex = (s.addrIndex + 1) % this.#o.addrs.length;
    this.#swap(addrIndex, s.credentials);
    this.#o.log.info({ addr: this.#o.addrs[addrIndex] }, 'switched server address');
  }

  /** Re-reads the identity now (also called when its file changes). Keeps the old one if the new one is bad. */
  reloadIdentity(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    const s = this.#state;
    if (s.kind !== 'connected') return;
    let credentials: LoadedCredentials;
    try {
      credentials = await loadCredentials(this.#o.credentials, this.#o.now());
    } catch (err) {
      // Often a half-written file during renewal; the next change event will try again.
      this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'identity changed but cannot be used; keeping the current one');
      return;
    }
    if (credentials.identity.certPem === s.credentials.identity.certPem) return;
    this.#warnIfExpiring(credentials);
    this.#swap(s.addrIndex, credentials);
    this.#o.log.info({ user: credentials.user, identityExpires: new Date(credentials.expiresMs).toISOString() }, 'identity reloaded');
  }

  #swap(addrIndex: number, credentials: LoadedCredentials): void {
    const s = this.#state;
    if (s.kind !== 'connected') return;
    const client = this.#o.createClient(this.#o.addrs[addrIndex]!, credentials.identity);
    this.#state = { kind: 'connected', client, addrIndex, credentials };
    for (const listener of this.#listeners) listener(client);
    // Let in-flight calls on the old channel finish before closing it.
    setTimeout(() => s.client.close(), 10_000).unref();
  }

  #watchFiles(files: readonly string[]): void {
    for (const file of files) {
      watchFile(file, { interval: this.#o.identityPollMs, persistent: false }, (curr: Stats, prev: Stats) => {
        if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) void this.reloadIdentity();
      });
      this.#watched.push(file);
    }
  }

  #checkExpiry(): void {
    if (this.#state.kind === 'connected') this.#warnIfExpiring(this.#state.credentials);
  }

  #warnIfExpiring(credentials: LoadedCredentials): void {
    const left = credentials.expiresMs - this.#o.now();
    if (left <= 0) this.#o.log.error({ source: credentials.source, expires: new Date(credentials.expiresMs).toISOString() }, 'identity has expired; renew it (the file is reloaded automatically)');
    else if (left < EXPIRY_WARNING_MS) this.#o.log.warn({ source: credentials.source, expires: new Date(credentials.expiresMs).toISOString(), hoursLeft: Math.round(left / 360_000) / 10 }, 'identity expires within 24 hours; renew it');
  }

  /** Idempotent. */
  stop(): void {
    const s = this.#state;
    if (s.kind === 'stopped') return;
    this.#state = { kind: 'stopped' };
    for (const file of this.#watched) unwatchFile(file);
    this.#watched = [];
    if (this.#expiryTimer) clearInterval(this.#expiryTimer);
    if (s.kind === 'connected') s.client.close();
  }
}
