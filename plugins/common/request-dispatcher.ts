import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { Backoff, sleep } from './backoff.ts';
import { classifyFailure, EventTimeout, type Failure } from './classify-failure.ts';
import { KeyedQueue } from './keyed-queue.ts';
import type { PluginHandler } from './plugin-definition.ts';
import type { PluginDataStore } from './plugin-data-store.ts';
import type { PluginMetrics } from './plugin-metrics.ts';
import { CasConflict } from './request-plugin-data.ts';

export interface RequestDispatcherOptions {
  handler: PluginHandler;
  client: () => GatehouseClient;
  data: PluginDataStore;
  log: Logger;
  metrics: PluginMetrics;
  /** Aborted when the plugin stops. */
  signal: AbortSignal;
  /** How long one handled event may take; then its calls are aborted and it is retried later. */
  eventTimeoutMs: number;
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

type Outcome = 'ok' | Failure['kind'];

/**
 * Runs the plugin's handler for each request: one at a time per request, in order, different
 * requests concurrently (KeyedQueue). Each run reads the request's plugin data first and has a
 * deadline: past it, the run's calls are aborted and the request is retried later, so a hung
 * service call never stalls a request's queue. A lost CAS re-runs the handler with fresh data;
 * an effect claimed elsewhere is looked at again when its claim can be taken over; a failure
 * re-queues the request with backoff (the retry fetches the request again, so it sees its latest
 * state). One log line per handled event with the request id and outcome.
 */
export class RequestDispatcher {
  readonly #o: RequestDispatcherOptions;
  readonly #queue: KeyedQueue;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #retries = new Map<string, { timer: NodeJS.Timeout | undefined; backoff: Backoff }>();
  /** Highest revision handled per request; a snapshot older than that is skipped. */
  readonly #revisions = new Map<string, number>();
  #stopped = false;

  constructor(options: RequestDispatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
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
      const onDeleted = this.#o.handler.onDeleted;
      if (onDeleted === undefined) return;
      try {
        await this.#withDeadline((signal) => onDeleted.call(this.#o.handler, requestId, signal));
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
    let outcome: Outcome;
    let failure: Failure | undefined;
    try {
      await this.#withDeadline((signal) => this.#runHandler(request, signal));
      outcome = 'ok';
      this.#cancelRetry(id);
      this.#remember(id, request.revision);
    } catch (err) {
      failure = this.#stopped ? { kind: 'stopped', err } : classifyFailure(err);
      outcome = failure.kind;
      if (failure.kind === 'busy') this.#scheduleRetry(id, Math.max(0, failure.retryAt - this.#now()));
      else if (failure.kind === 'failed_permanently') this.#cancelRetry(id);
      else if (failure.kind !== 'stopped') this.#scheduleRetry(id);
      if (failure.kind !== 'busy') this.#o.metrics.failures.inc({ reason: outcome });
    }
    const seconds = (performance.now() - receivedAt) / 1000;
    this.#o.metrics.eventsHandled.inc({ outcome });
    this.#o.metrics.latency.observe({ outcome }, seconds);
    const line = { ...fields, outcome, durationMs: Math.round(seconds * 10_000) / 10 };
    switch (failure?.kind) {
      case undefined:
        this.#log.info(line, 'request handled');
        break;
      case 'busy':
        this.#log.info({ ...line, retryInMs: Math.max(0, failure.retryAt - this.#now()), reason: failure.err instanceof Error ? failure.err.message : String(failure.err) }, 'an effect of this request is claimed elsewhere; will look again');
        break;
      case 'retry_scheduled':
      case 'timed_out':
        this.#log.warn({ ...line, err: failure.err, attempt: this.#retries.get(id)?.backoff.attempts }, 'request handling failed; will retry');
        break;
      case 'failed_permanently':
      case 'stopped':
        this.#log.error({ ...line, err: failure.err }, 'request handling failed');
        break;
    }
  }

  /**
   * Runs `fn` with a signal aborted at the event deadline (or when the plugin stops), and stops
   * waiting for it then: its calls are aborted, and its claims stay in doubt until it settles.
   */
  async #withDeadline<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const signal = AbortSignal.any([this.#o.signal, deadline.signal]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new EventTimeout(this.#o.eventTimeoutMs);
        deadline.abort(err);
        reject(err);
      }, this.#o.eventTimeoutMs);
      timer.unref();
    });
    const run = fn(signal);
    // The run may settle after the deadline; its outcome is then nobody's to report.
    run.catch(() => undefined);
    try {
      return await Promise.race([run, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #runHandler(request: AccessRequest__Output, signal: AbortSignal): Promise<void> {
    const conflictBackoff = new Backoff({ initialMs: 5, maxMs: 200 });
    for (let run = 0; ; run++) {
      const data = await this.#o.data.read(request.id, signal);
      try {
        await this.#o.handler.onRequest(request, data);
        return;
      } catch (err) {
        if (!(err instanceof CasConflict) || run >= MAX_CONFLICT_RERUNS || signal.aborted) throw err;
        this.#log.debug({ requestId: request.id, run }, 'plugin data changed concurrently; re-running');
        await sleep(conflictBackoff.next(), signal);
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

  /** Schedules a retry of the request after `delayMs`, or after the next failure backoff when not given. */
  #scheduleRetry(id: string, delayMs?: number): void {
    let entry = this.#retries.get(id);
    if (entry === undefined) {
      entry = { timer: undefined, backoff: new Backoff({ initialMs: this.#o.retryInitialMs ?? 1000, maxMs: this.#o.retryMaxMs ?? 300_000 }) };
      this.#retries.set(id, entry);
    }
    if (entry.timer !== undefined) return;
    // A little jitter, so replicas waiting for the same claim do not all look at once.
    const delay = delayMs === undefined ? entry.backoff.next() : delayMs + Math.round(Math.random() * 250);
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
      if (GatehouseError.is(err, 'NOT_FOUND')) {
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
