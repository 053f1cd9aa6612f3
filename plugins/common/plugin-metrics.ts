import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The runtime's Prometheus metrics, on a registry of its own (never the global one). */
export class PluginMetrics {
  readonly registry = new Registry();
  readonly eventsHandled: Counter<'outcome'>;
  readonly failures: Counter<'reason'>;
  readonly retries: Counter<'service'>;
  readonly latency: Histogram<'outcome'>;
  readonly ready: Gauge;

  constructor(plugin: string, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ plugin });
    this.eventsHandled = new Counter({ name: 'gatehouse_plugin_events_handled_total', help: 'Request events handled, by outcome', labelNames: ['outcome'], registers });
    this.failures = new Counter({ name: 'gatehouse_plugin_failures_total', help: 'Failed handling attempts and connection failures', labelNames: ['reason'], registers });
    this.retries = new Counter({ name: 'gatehouse_plugin_retries_total', help: 'Retried external calls, by service', labelNames: ['service'], registers });
    this.latency = new Histogram({
      name: 'gatehouse_plugin_event_duration_seconds',
      help: 'Time to handle one request event',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.ready = new Gauge({ name: 'gatehouse_plugin_ready', help: '1 when connected to the server and watching', registers });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
