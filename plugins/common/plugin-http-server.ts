import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HttpConfig } from './load-plugin-config.ts';
import type { RouteResponse, WebhookRoute } from './plugin-definition.ts';
import type { PluginMetrics } from './plugin-metrics.ts';
import { PluginError } from './plugin-error.ts';

export interface PluginHttpServerOptions {
  config: HttpConfig;
  log: Logger;
  metrics: PluginMetrics;
  /** `/readyz` answers 200 only while this is true. */
  isReady: () => boolean;
  /** The plugin's routes; undefined while the plugin is starting (they answer 503 until then). */
  routes: () => readonly WebhookRoute[] | undefined;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** Probes stay open so orchestrators need no credentials; metrics and webhooks need basic auth when configured. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);

/**
 * The plugin's HTTP server: `/healthz`, `/readyz`, `/metrics` and the plugin's webhook routes,
 * over HTTP or HTTPS, with optional basic auth.
 */
export class PluginHttpServer {
  readonly #o: PluginHttpServerOptions;
  readonly #log: Logger;
  #server: Server | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: PluginHttpServerOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'http' });
  }

  /** Listens; resolves with the base URL (the real port when `listen_addr` ends in `:0`). */
  async start(): Promise<string> {
    const { config } = this.#o;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.#handle(req, res);
    };
    let server: Server;
    if (config.tls) {
      let key: Buffer;
      let cert: Buffer;
      try {
        key = readFileSync(config.tls.keyFile);
        cert = readFileSync(config.tls.certFile);
      } catch (err) {
        throw new PluginError('config', `http: cannot read https_key_file/https_cert_file: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      server = createHttpsServer({ key, cert }, handler);
    } else {
      server = createHttpServer(handler);
    }
    this.#server = server;
    const { host, port } = splitHostPort(config.listenAddr);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new PluginError('config', `http: cannot listen on ${config.listenAddr}: ${err.message}`, { cause: err })));
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${config.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
    this.#log.info({ url }, 'HTTP server listening');
    return url;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    try {
      if (!OPEN_PATHS.has(path) && !this.#authorized(req)) {
        send(res, { status: 401, body: 'unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="gatehouse-plugin"' } });
        return;
      }
      if (req.method === 'GET' && path === '/healthz') return send(res, { status: 200, body: 'ok' });
      if (req.method === 'GET' && path === '/readyz') {
        return send(res, this.#o.isReady() ? { status: 200, body: 'ready' } : { status: 503, body: 'not ready' });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const text = await this.#o.metrics.registry.metrics();
        return send(res, { status: 200, body: text, headers: { 'Content-Type': this.#o.metrics.registry.contentType } });
      }
      const routes = this.#o.routes();
      if (routes === undefined) return send(res, { status: 503, body: 'starting', headers: { 'Retry-After': '5' } });
      const route = routes.find((r) => r.path === path && r.method === req.method);
      if (route === undefined) return send(res, { status: 404, body: 'not found' });
      const body = await readBody(req);
      if (body === undefined) return send(res, { status: 413, body: 'body too large' });
      send(res, await route.handle(req, body));
    } catch (err) {
      this.#log.error({ err, path }, 'HTTP handler failed');
      send(res, { status: 500, body: 'internal error' });
    }
  }

  #authorized(req: IncomingMessage): boolean {
    const auth = this.#o.config.basicAuth;
    if (auth === undefined) return true;
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const given = Buffer.from(header.slice('Basic '.length), 'base64');
    const wanted = Buffer.from(`${auth.user}:${auth.password.reveal()}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  /** Idempotent; waits for open connections to close (idle ones are closed at once). */
  stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return Promise.resolve();
    this.#stopped ??= new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    });
    return this.#stopped;
  }
}

function send(res: ServerResponse, response: RouteResponse): void {
  if (res.headersSent) return;
  const body = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const type = typeof response.body === 'object' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
  res.writeHead(response.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...response.headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(addr.slice(i + 1)) };
}
