import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { REQUEST_LIFESPAN_MS } from '../../core/domain/request-limits.ts';
import type { PluginConfig } from './load-plugin-config.ts';
import type { PluginContext, PluginDefinition, PluginHandler } from './plugin-definition.ts';
import { Backoff, sleep } from './backoff.ts';
import { PluginDataStore } from './plugin-data-store.ts';
import { PluginError } from './plugin-error.ts';
import { PluginHttpServer } from './plugin-http-server.ts';
import { PluginMetrics } from './plugin-metrics.ts';
import { RequestDispatcher } from './request-dispatcher.ts';
import { RESOLVED_STATES } from './request-states.ts';
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
  /**
   * Resolves with what stopped the plugin for good while it was starting: a server that refuses
   * the identity, a service that refuses the credentials. Never for an unreachable server or
   * service: those are waited for.
   */
  readonly failed: Promise<PluginError>;
  /** Stops watching, drains in-flight work (at most `timeoutMs`), closes everything. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Waits between attempts to reach the service at start. */
const SERVICE_BACKOFF = { initialMs: 1000, maxMs: 30_000 } as const;

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
  const owner = `${definition.name}-${process.pid}-${randomBytes(4).toString('hex')}`;
  return {
    config,
    log,
    client: () => connection.client,
    pong,
    metrics,
    data: new PluginDataStore({ client: () => connection.client, plugin: definition.name, owner, takeoverMs: config.runtime.claimTakeoverMs, log, now }),
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

/** The presets of `required` that `roles` lack (`admin` holds every right). */
export function missingPresets(required: readonly string[], roles: readonly string[]): string[] {
  if (roles.includes('admin')) return [];
  return required.filter((preset) => !roles.includes(preset));
}

/**
 * Starts a plugin. What a restart cannot fix is thrown at once: the identity file (missing,
 * unreadable, expired) and the HTTP listener. Then, in the background and for as long as it
 * takes: reach the server (with backoff) -> test the service credentials (waiting for the
 * service too) -> watch (resumable) -> reconcile pending and unfinished resolved requests ->
 * handle events, serially per request and concurrently across requests. Until then `/healthz`
 * answers and `/readyz` says not ready; a refusal found on the way settles `failed`.
 * @throws PluginError `identity` or `config`.
 */
export async function startPlugin<C>(options: StartPluginOptions<C>): Promise<RunningPlugin> {
  const { definition, config, log } = options;
  const now = options.now ?? Date.now;
  const abort = new AbortController();
  const metrics = new PluginMetrics(definition.name);
  const connection = new ServerConnection({ addrs: config.gatehouse.addrs, credentials: config.gatehouse.credentials, log, now });
  const credentials = await connection.loadIdentity();
  let handler: PluginHandler | undefined;
  let ready = false;
  let http: PluginHttpServer | undefined;
  let httpUrl: string | undefined;
  if (config.http) {
    http = new PluginHttpServer({ config: config.http, log, metrics, isReady: () => ready, routes: () => (handler === undefined ? undefined : (handler.routes ?? [])) });
    httpUrl = await http.start();
  }

  let watch: WatchLoop | undefined;
  let dispatcher: RequestDispatcher | undefined;
  let reportFailure: (err: PluginError) => void = () => undefined;
  const failed = new Promise<PluginError>((resolve) => {
    reportFailure = resolve;
  });

  const run = async (): Promise<void> => {
    const pong = await connection.connect(credentials, { signal: abort.signal });
    const missing = missingPresets(definition.presets(config.plugin), pong.roles);
    if (missing.length > 0) {
      log.error({ user: pong.user, roles: pong.roles, missing }, `the identity lacks the preset${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the server will refuse what needs ${missing.length > 1 ? 'them' : 'it'} (gatehouse users update ${pong.user} --roles ...)`);
    }
    const ctx = createPluginContext(definition, config, log, connection, metrics, abort.signal, now);
    handler = await untilReachable(log, abort.signal, async () => {
      const reached = await definition.check(ctx);
      log.info({ service: reached }, 'service credentials accepted');
      return definition.createHandler(ctx);
    });
    const theHandler = handler;
    const d = new RequestDispatcher({
      handler: theHandler,
      client: () => connection.client,
      data: ctx.data,
      log,
      metrics,
      signal: abort.signal,
      eventTimeoutMs: config.runtime.eventTimeoutMs,
      now,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    dispatcher = d;
    const reconcileWindowMs = options.reconcileWindowMs ?? 7 * 24 * 3600_000;
    const w = new WatchLoop({
      client: () => connection.client,
      log,
      onEvent: (event) => {
        if (event.type === 'DELETE') d.dispatchDeleted(event.name);
        else if (event.request) d.dispatch(event.request, 'event');
      },
      onResync: async () => {
        const client = connection.client;
        const pending = await client.listAllAccessRequests({ states: ['PENDING'] });
        for (const request of pending) d.dispatch(request, 'reconcile');
        const since = now() - reconcileWindowMs;
        // A request changes for the last time within REQUEST_LIFESPAN_MS of its creation: one
        // created longer before the window cannot have changed in it, so it is not read.
        const createdSinceMs = Math.max(0, since - REQUEST_LIFESPAN_MS);
        const resolved = (await client.listAllAccessRequests({ states: [...RESOLVED_STATES], createdSinceMs })).filter((r) => r.updatedMs >= since);
        for (const request of resolved) d.dispatch(request, 'reconcile');
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
    watch = w;
    connection.onClientChange(() => w.restart());
    w.start();
  };
  const starting = run().catch((err: unknown) => {
    if (abort.signal.aborted) return;
    const e = toPluginError(err);
    log.error({ kind: e.kind, error: e.message }, 'cannot start');
    reportFailure(e);
  });

  let stopping: Promise<void> | undefined;
  return {
    get ready() {
      return ready;
    },
    httpUrl,
    failed,
    stop: (timeoutMs = 15_000) => {
      stopping ??= (async () => {
        log.info({ inFlight: dispatcher?.pending ?? 0 }, 'stopping: draining in-flight work');
        await watch?.stop();
        ready = false;
        if (dispatcher !== undefined) {
          const drained = await dispatcher.stop(timeoutMs);
          if (!drained) log.warn({ left: dispatcher.pending }, 'stopped before all in-flight work finished; it is reconciled on the next start');
        }
        abort.abort(new Error('plugin stopping'));
        await starting;
        try {
          await handler?.stop?.();
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : String(err) }, 'plugin handler stop failed');
        }
        await http?.stop();
        connection.stop();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Runs `attempt` until it gets past the service: an unreachable service (PluginError
 * `unreachable`, or any error that is not a PluginError) is tried again with backoff and one
 * log line per attempt; a refusal is thrown.
 */
async function untilReachable<T>(log: Logger, signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
  const backoff = new Backoff(SERVICE_BACKOFF);
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof PluginError && !err.transient) throw err;
      const delay = backoff.next();
      log.warn({ attempt: n, retryInMs: delay, err: err instanceof Error ? err.message : String(err) }, 'service not reachable, retrying');
      await sleep(delay, signal);
    }
  }
}

/** Wraps an unexpected error into a PluginError for the CLI. */
export function toPluginError(err: unknown): PluginError {
  if (err instanceof PluginError) return err;
  return new PluginError('unreachable', err instanceof Error ? err.message : String(err), { cause: err });
}
