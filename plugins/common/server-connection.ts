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
  /** How long `start()` keeps trying to reach a server. @default 15000 */
  connectTimeoutMs?: number;
  /** How often the identity files are checked for changes. @default 1000 */
  identityPollMs?: number;
  /** @default new GatehouseClient */
  createClient?: (addr: string, identity: ClientIdentity) => GatehouseClient;
}

/** Codes that mean "the server is not there (yet)", worth another try or another address. */
const CONNECTION_CODES = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'CANCELLED', 'UNKNOWN', 'INTERNAL']);

export function isConnectionError(err: unknown): boolean {
  return err instanceof GatehouseError && CONNECTION_CODES.has(err.code);
}

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connected'; readonly client: GatehouseClient; readonly addrIndex: number; readonly credentials: LoadedCredentials }
  | { readonly kind: 'stopped' };

/**
 * The plugin's link to the server: loads and checks the identity (refusing an expired one,
 * warning within 24 h of expiry), pings, moves to the next address when one fails, and reloads
 * the identity when its file changes so a renewed identity needs no restart. Listeners learn of
 * every new client (the watch loop reconnects with it).
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
      connectTimeoutMs: 15_000,
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

  /** The current client; throws before `start()` and after `stop()`. */
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
   * Loads the identity, reaches a server (trying each address, with backoff, for up to
   * `connectTimeoutMs`) and starts watching the identity files.
   * @throws PluginError `identity` (missing, invalid, expired, rejected) or `connection`.
   */
  async start(): Promise<PingResponse__Output> {
    if (this.#state.kind !== 'idle') throw new Error(`cannot start a connection that is ${this.#state.kind}`);
    const credentials = await loadCredentials(this.#o.credentials, this.#o.now());
    this.#warnIfExpiring(credentials);
    const deadline = this.#o.now() + this.#o.connectTimeoutMs;
    const backoff = new Backoff({ initialMs: 200, maxMs: 2000 });
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const addrIndex = attempt % this.#o.addrs.length;
      const addr = this.#o.addrs[addrIndex]!;
      const client = this.#o.createClient(addr, credentials.identity);
      try {
        const pong = await client.ping();
        this.#state = { kind: 'connected', client, addrIndex, credentials };
        this.#pong = pong;
        this.#o.log.info({ addr, user: pong.user, cluster: pong.clusterName, serverVersion: pong.serverVersion, identityExpires: new Date(credentials.expiresMs).toISOString() }, 'connected to the server');
        this.#watchFiles(credentials.files);
        this.#expiryTimer = setInterval(() => this.#checkExpiry(), 3600_000);
        this.#expiryTimer.unref();
        return pong;
      } catch (err) {
        client.close();
        lastError = err;
        if (!isConnectionError(err)) {
          const e = GatehouseError.from(err);
          throw new PluginError('identity', `the server at ${addr} rejected ${credentials.source}: ${e.message}`, { cause: err });
        }
        const delay = backoff.next();
        if (this.#o.now() + delay > deadline) break;
        this.#o.log.warn({ addr, err: GatehouseError.from(err).message }, 'server not reachable, retrying');
        await sleep(delay);
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new PluginError('connection', `cannot reach the server at ${this.#o.addrs.join(', ')}: ${reason}`, { cause: lastError });
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
