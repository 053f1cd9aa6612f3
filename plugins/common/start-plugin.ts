import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { GatehouseError } from '../../core/client/client-error.ts';
import { REQUEST_LIFESPAN_MS } from '../../core/domain/request-limits.ts';
import type { PluginConfig } from './load-plugin-config.ts';
import type { PluginContext, PluginDefinition, PluginHandler } from './plugin-definition.ts';
import { PluginError } from './plugin-error.ts';
import { PluginHttpServer } from './plugin-http-server.ts';
import { PluginMetrics } from './plugin-metrics.ts';
import { RequestDispatcher } from './request-dispatcher.ts';
import { ServerConnection, isConnectionError } from './server-connection.ts';
import { WatchLoop } from './watch-loop.ts';

export interface StartPluginOptions<C> {
  definition: PluginDefinition<C>;
  config: PluginConfig<C>;
  log: Logger;
  now?: () => number;
  /** Requests handled at once. @default 64 */
  concurrency?: number;
  /** Resolved requests updated within this window are reconciled at start. @default 7 days */
  reconcileWindowMs?: number;
}

/** A started plugin. */
export interface RunningPlugin {
  /** True while connected to the server and watching. */
  readonly ready: boolean;
  /** Base URL of the HTTP server, when `[http]` is configured. */
  readonly httpUrl: string | undefined;
  /** Stops watching, drains in-flight work (at most `timeoutMs`), closes everything. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Builds the context a plugin's `check` and `createHandler` get; shared by `start` and `check`. */
export function createPluginContext<C>(
  definition: PluginDefinition<C>,
  config: PluginConfig<C>,
  log: Logger,
  connection: ServerConnection,
  metrics: PluginMetrics,
  signal: AbortSignal,
  now: () => number,
): PluginContext<C> {
  const pong = connection.pong;
  if (pong === undefined) throw new Error('the connection is not started');
  return {
    config,
    log,
    client: () => connection.client,
    pong,
    metrics,
    signal,
    now,
    retry: (service) => ({
      signal,
      onRetry: ({ attempt, delayMs, err }) => {
        metrics.retries.inc({ service });
        log.debug({ service, attempt, delayMs, err: err instanceof Error ? err.message : String(err) }, 'retrying external call');
      },
    }),
  };
}

/**
 * Starts a plugin: connect (identity checked, Ping) -> test the service credentials -> HTTP
 * (health, metrics, webhooks) -> watch (resumable) -> reconcile pending and unfinished resolved
 * requests -> handle events, serially per request and concurrently across requests.
 * @throws PluginError when something needed at start is wrong (identity, server, service).
 */
export async function startPlugin<C>(options: StartPluginOptions<C>): Promise<RunningPlugin> {
  const { definition, config, log } = options;
  const now = options.now ?? Date.now;
  const owner = `${definition.name}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const abort = new AbortController();
  const metrics = new PluginMetrics(definition.name);
  const connection = new ServerConnection({ addrs: config.gatehouse.addrs, credentials: config.gatehouse.credentials, log, now });
  let http: PluginHttpServer | undefined;
  let handler: PluginHandler | undefined;
  let ready = false;
  let httpUrl: string | undefined;

  const cleanup = async (): Promise<void> => {
    abort.abort(new Error('plugin stopping'));
    await http?.stop();
    connection.stop();
  };

  try {
    await connection.start();
    const ctx = createPluginContext(definition, config, log, connection, metrics, abort.signal, now);
    const reached = await definition.check(ctx);
    log.info({ service: reached }, 'service credentials accepted');
    handler = await definition.createHandler(ctx);
    if (config.http) {
      http = new PluginHttpServer({ config: config.http, log, metrics, isReady: () => ready, ...(handler.routes ? { routes: handler.routes } : {}) });
      httpUrl = await http.start();
    }
  } catch (err) {
    await cleanup();
    throw err;
  }

  const theHandler = handler;
  const dispatcher = new RequestDispatcher({
    plugin: definition.name,
    handler: theHandler,
    client: () => connection.client,
    log,
    metrics,
    owner,
    now,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  const reconcileWindowMs = options.reconcileWindowMs ?? 7 * 24 * 3600_000;
  const watch = new WatchLoop({
    client: () => connection.client,
    log,
    onEvent: (event) => {
      if (event.type === 'DELETE') dispatcher.dispatchDeleted(event.name);
      else if (event.request) dispatcher.dispatch(event.request, 'event');
    },
    onResync: async () => {
      const client = connection.client;
      const pending = await client.listAllAccessRequests({ states: ['PENDING'] });
      for (const request of pending) dispatcher.dispatch(request, 'reconcile');
      const since = now() - reconcileWindowMs;
      // A request changes for the last time within REQUEST_LIFESPAN_MS of its creation: one
      // created longer before the window cannot have changed in it, so it is not read.
      const createdSinceMs = Math.max(0, since - REQUEST_LIFESPAN_MS);
      const resolved = (await client.listAllAccessRequests({ states: ['APPROVED', 'DENIED', 'EXPIRED', 'REVOKED'], createdSinceMs })).filter((r) => r.updatedMs >= since);
      for (const request of resolved) dispatcher.dispatch(request, 'reconcile');
      log.info({ pending: pending.length, resolved: resolved.length }, 'reconciling existing requests');
    },
    onReadyChange: (value) => {
      if (value && !ready) log.info({ addr: connection.addr }, 'plugin is ready');
      if (!value && ready) log.warn('plugin is not ready: not watching');
      ready = value;
      metrics.ready.set(value ? 1 : 0);
    },
    onConnectionFailure: (err) => {
      metrics.failures.inc({ reason: 'connection' });
      if (isConnectionError(err)) connection.rotate();
    },
  });
  connection.onClientChange(() => watch.restart());
  watch.start();

  let stopping: Promise<void> | undefined;
  return {
    get ready() {
      return ready;
    },
    httpUrl,
    stop: (timeoutMs = 15_000) => {
      stopping ??= (async () => {
        log.info({ inFlight: dispatcher.pending }, 'stopping: draining in-flight work');
        await watch.stop();
        ready = false;
        const drained = await dispatcher.stop(timeoutMs);
        if (!drained) log.warn({ left: dispatcher.pending }, 'stopped before all in-flight work finished; it is reconciled on the next start');
        try {
          await theHandler.stop?.();
        } catch (err) {
          log.warn({ err: GatehouseError.from(err).message }, 'plugin handler stop failed');
        }
        await cleanup();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}

/** Wraps an unexpected start error into a PluginError for the CLI. */
export function toPluginError(err: unknown): PluginError {
  if (err instanceof PluginError) return err;
  return new PluginError('connection', err instanceof Error ? err.message : String(err), { cause: err });
}
