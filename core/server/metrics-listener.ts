import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { hostOf, portOf } from './host-port.ts';

export interface MetricsListener {
  /** The port it listens on (the real one when configured with :0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Plain HTTP for Prometheus and probes: `GET /metrics` (the registry, text format) and
 * `GET /healthz` (200 while the process serves). No credentials: bind it to loopback or a
 * network only the scraper reaches. Anything else is 404, or 405 for another method.
 */
export async function startMetricsListener(listen: string, registry: Registry, log: Logger): Promise<MetricsListener> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz') return reply(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return reply(res, 405, 'method not allowed\n');
    }
    if (path === '/healthz') return reply(res, 200, 'ok\n');
    registry.metrics().then(
      (text) => reply(res, 200, text, registry.contentType),
      (err: unknown) => {
        log.error({ err }, 'collecting metrics failed');
        reply(res, 500, 'collecting metrics failed\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${listen} for metrics: ${err.message}`)));
    server.listen(portOf(listen), hostOf(listen), () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
