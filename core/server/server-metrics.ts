import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read from the running server when they are scraped. */
export interface MetricsSources {
  /** Open WatchEvents streams (and the server's own event caches). */
  watchers: () => number;
  /** Position of the newest event handed to watchers. */
  eventPosition: () => number;
}

/**
 * The server's Prometheus metrics, on a registry of its own: every RPC by method and status
 * code with its duration, the open watch streams, the event log's position, and Node's process
 * metrics (CPU, memory, event-loop delay, GC).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #rpcDuration: Histogram<'method' | 'code'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.#rpcDuration = new Histogram({
      name: 'gatehouse_rpc_duration_seconds',
      help: 'Finished RPCs by method and gRPC status code, with their duration (a WatchEvents stream counts when it ends)',
      labelNames: ['method', 'code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    new Gauge({
      name: 'gatehouse_watchers',
      help: 'Open event subscriptions: WatchEvents streams plus the server\'s own caches',
      registers,
      collect() {
        this.set(sources.watchers());
      },
    });
    new Gauge({
      name: 'gatehouse_event_log_position',
      help: 'Position of the newest event handed to watchers',
      registers,
      collect() {
        this.set(sources.eventPosition());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records one finished RPC (RpcRuntime.observe). */
  observeRpc(method: string, code: string, seconds: number): void {
    this.#rpcDuration.observe({ method, code }, seconds);
  }
}
