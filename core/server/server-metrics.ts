import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreObserver } from '../store/store.ts';

/** What the metrics read from the running server when they are scraped. */
export interface MetricsSources {
  /** Open WatchEvents streams (and the server's own event caches). */
  watchers: () => number;
  /** Position of the newest event handed to watchers. */
  eventPosition: () => number;
}

/**
 * The server's Prometheus metrics, on a registry of its own: every RPC by method and status
 * code with its duration, how long the store's commits and syncs to disk take, the open watch
 * streams, the event log's position, and Node's process metrics (CPU, memory, event-loop
 * delay, GC). Made before the store, so the store can report from its first write; the gauges
 * read their sources once `watch()` has given them.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #rpcDuration: Histogram<'method' | 'code'>;
  readonly #storeDuration: Histogram<'stage'>;
  readonly #commitWrites: Histogram;
  #sources: MetricsSources | undefined;

  constructor() {
    const registers = [this.registry];
    this.#rpcDuration = new Histogram({
      name: 'gatehouse_rpc_duration_seconds',
      help: 'Finished RPCs by method and gRPC status code, with their duration (a WatchEvents stream counts when it ends)',
      labelNames: ['method', 'code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.#storeDuration = new Histogram({
      name: 'gatehouse_store_duration_seconds',
      help: 'Durable writes by stage: commit (one transaction) and sync (one fdatasync of the SQLite WAL)',
      labelNames: ['stage'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.#commitWrites = new Histogram({
      name: 'gatehouse_store_commit_writes',
      help: 'Writes per commit (SQLite commits concurrent writes together)',
      buckets: [1, 2, 4, 8, 16, 32],
      registers,
    });
    const sources = (): MetricsSources | undefined => this.#sources;
    new Gauge({
      name: 'gatehouse_watchers',
      help: "Open event subscriptions: WatchEvents streams plus the server's own caches",
      registers,
      collect() {
        this.set(sources()?.watchers() ?? 0);
      },
    });
    new Gauge({
      name: 'gatehouse_event_log_position',
      help: 'Position of the newest event handed to watchers',
      registers,
      collect() {
        this.set(sources()?.eventPosition() ?? 0);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Gives the gauges what they read. */
  watch(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** Records one finished RPC (RpcRuntime.observe). */
  readonly observeRpc = (method: string, code: string, seconds: number): void => {
    this.#rpcDuration.observe({ method, code }, seconds);
  };

  /** Records one commit or sync of the store (the store's observer). */
  readonly observeStore: StoreObserver = (stage, seconds, writes) => {
    this.#storeDuration.observe({ stage }, seconds);
    if (stage === 'commit') this.#commitWrites.observe(writes);
  };
}
