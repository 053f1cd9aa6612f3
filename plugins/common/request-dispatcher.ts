import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { Backoff, sleep } from './backoff.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { PermanentError } from './permanent-error.ts';
import type { PluginHandler } from './plugin-definition.ts';
import type { PluginMetrics } from './plugin-metrics.ts';
import { CasConflict, RequestPluginData } from './request-plugin-data.ts';

export interface RequestDispatcherOptions {
  plugin: string;
  handler: PluginHandler;
  client: () => GatehouseClient;
  log: Logger;
  metrics: PluginMetrics;
  /** Identifies this process in plugin-data claims. */
  owner: string;
  /** Requests handled at once. @default 64 */
  concurrency?: number;
  /** Re-queue delays of a failed request. @default 1000 .. 300000 */
  retryInitialMs?: number;
  retryMaxMs?: number;
  now?: () => number;
}

/** Where a piece of work came from, for logs. */
export type WorkSource = 'event' | 'reconcile' | 'retry';

/** Times a handler is re-run after losing a plugin-data CAS before the request is re-queued. */
const MAX_CONFLICT_RERUNS = 8;
/** Revisions remembered to skip stale snapshots; old entries are dropped first. */
const MAX_TRACKED_REQUESTS = 50_000;

/**
 * Runs the plugin's handler for each request: one at a time per request, in order, different
 * requests concurrently (KeyedQueue). Each run reads the request's plugin data first. A lost
 * CAS re-runs the handler with fresh data; a failure re-queues the request with backoff (at
 * the time it fires, the request is fetched again, so the retry sees its latest state). One log
 * line per handled event with the request id and outcome.
 */
export class RequestDispatcher {
  readonly #o: RequestDispatcherOptions;
  readonly #queue: KeyedQueue;
  readonly #log: Logger;
  readonly #retries = new Map<string, { timer: NodeJS.Timeout | undefined; backoff: Backoff }>();
  /** Highest revision handled per request; a snapshot older than that is skipped. */
  readonly #revisions = new Map<string, number>();
  #stopped = false;

  constructor(options: RequestDispatcherOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'dispatcher' });
    this.#queue = new KeyedQueue({
      concurrency: options.concurrency ?? 64,
      onError: (err, key) => this.#log.error({ err, requestId: key }, 'request task failed unexpectedly'),
    });
  }

  /** Queued and running work. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Queues a request snapshot for handling. */
  dispatch(request: AccessRequest__Output, source: WorkSource): void {
    if (this.#stopped) return;
    const receivedAt = performance.now();
    this.#queue.push(request.id, () => this.#handle(request, source, receivedAt));
  }

  /** Queues a deletion. */
  dispatchDeleted(requestId: string): void {
    if (this.#stopped) return;
    this.#queue.push(requestId, async () => {
      this.#cancelRetry(requestId);
      this.#revisions.delete(requestId);
      if (this.#o.handler.onDeleted === undefined) return;
      try {
        await this.#o.handler.onDeleted(requestId);
        this.#log.info({ requestId, op: 'delete', outcome: 'ok' }, 'request handled');
      } catch (err) {
        this.#log.warn({ err, requestId, op: 'delete' }, 'handling a deleted request failed');
      }
    });
  }

  async #handle(request: AccessRequest__Output, source: WorkSource, receivedAt: number): Promise<void> {
    const { id } = request;
    const seen = this.#revisions.get(id);
    if (seen !== undefined && request.revision < seen) {
      this.#log.debug({ requestId: id, revision: request.revision, seen }, 'skipping a stale snapshot');
      return;
    }
    const fields = { requestId: id, state: request.state, revision: request.revision, source };
    let outcome: 'ok' | 'retry_scheduled' | 'failed_permanently' | 'stopped';
    let error: unknown;
    try {
      await this.#runHandler(request);
      outcome = 'ok';
      this.#cancelRetry(id);
      this.#remember(id, request.revision);
    } catch (err) {
      error = err;
      if (err instanceof PermanentError) {
        outcome = 'failed_permanently';
        this.#cancelRetry(id);
      } else if (this.#stopped) {
        outcome = 'stopped';
      } else {
        outcome = 'retry_scheduled';
        this.#scheduleRetry(id);
      }
      this.#o.metrics.failures.inc({ reason: outcome });
    }
    const seconds = (performance.now() - receivedAt) / 1000;
    this.#o.metrics.eventsHandled.inc({ outcome });
    this.#o.metrics.latency.observe({ outcome }, seconds);
    const line = { ...fields, outcome, durationMs: Math.round(seconds * 10_000) / 10 };
    if (outcome === 'ok') this.#log.info(line, 'request handled');
    else if (outcome === 'retry_scheduled') this.#log.warn({ ...line, err: error, attempt: this.#retries.get(id)?.backoff.attempts }, 'request handling failed; will retry');
    else this.#log.error({ ...line, err: error }, 'request handling failed');
  }

  async #runHandler(request: AccessRequest__Output): Promise<void> {
    const conflictBackoff = new Backoff({ initialMs: 5, maxMs: 200 });
    for (let run = 0; ; run++) {
      const client = this.#o.client();
      const res = await client.getPluginData(request.id, this.#o.plugin);
      const values = res.entries[this.#o.plugin]?.data ?? {};
      const data = new RequestPluginData({ client, plugin: this.#o.plugin, requestId: request.id, values, owner: this.#o.owner, ...(this.#o.now ? { now: this.#o.now } : {}) });
      try {
        await this.#o.handler.onRequest(request, data);
        return;
      } catch (err) {
        if (!(err instanceof CasConflict) || run >= MAX_CONFLICT_RERUNS) throw err;
        this.#log.debug({ requestId: request.id, run }, 'plugin data changed concurrently; re-running');
        await sleep(conflictBackoff.next());
      }
    }
  }

  #remember(id: string, revision: number): void {
    this.#revisions.delete(id);
    this.#revisions.set(id, revision);
    if (this.#revisions.size > MAX_TRACKED_REQUESTS) {
      const oldest = this.#revisions.keys().next();
      if (oldest.done !== true) this.#revisions.delete(oldest.value);
    }
  }

  #scheduleRetry(id: string): void {
    let entry = this.#retries.get(id);
    if (entry === undefined) {
      entry = { timer: undefined, backoff: new Backoff({ initialMs: this.#o.retryInitialMs ?? 1000, maxMs: this.#o.retryMaxMs ?? 300_000 }) };
      this.#retries.set(id, entry);
    }
    if (entry.timer !== undefined) return;
    const delay = entry.backoff.next();
    const timer = setTimeout(() => {
      entry.timer = undefined;
      void this.#retry(id);
    }, delay);
    timer.unref();
    entry.timer = timer;
  }

  async #retry(id: string): Promise<void> {
    if (this.#stopped) return;
    let request: AccessRequest__Output;
    try {
      request = await this.#o.client().getAccessRequest(id);
    } catch (err) {
      if (err instanceof GatehouseError && err.code === 'NOT_FOUND') {
        this.dispatchDeleted(id);
        return;
      }
      this.#log.warn({ requestId: id, err: GatehouseError.from(err).message }, 'cannot fetch request for retry; will try again');
      this.#scheduleRetry(id);
      return;
    }
    // A retry always re-handles, even at a revision already seen: the earlier run failed.
    this.#revisions.delete(id);
    this.dispatch(request, 'retry');
  }

  #cancelRetry(id: string): void {
    const entry = this.#retries.get(id);
    if (entry === undefined) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#retries.delete(id);
  }

  /**
   * Stops taking work, cancels scheduled retries (a restart reconciles them) and waits for
   * in-flight handlers, at most `timeoutMs`. Idempotent.
   */
  async stop(timeoutMs = 15_000): Promise<boolean> {
    this.#stopped = true;
    for (const entry of this.#retries.values()) if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#retries.clear();
    const drained = this.#queue.idle().then(() => true);
    const timeout = sleep(timeoutMs).then(() => false);
    return Promise.race([drained, timeout]);
  }
}
