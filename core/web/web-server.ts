import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { AppError } from '../domain/app-error.ts';
import type { EventSink } from '../server/event-hub.ts';
import { hostOf, joinHostPort, portOf } from '../server/host-port.ts';
import type { WebConfig } from '../server/server-config.ts';
import { createWebApp } from './web-app.ts';
import type { WebDeps } from './web-deps.ts';
import { WebSessions } from './web-sessions.ts';

export interface StartWebConsoleOptions extends Pick<WebDeps, 'requests' | 'hub' | 'resolve' | 'parseIdentity' | 'allRoles' | 'log' | 'now'> {
  config: WebConfig;
  /** The server's own certificate and key, used unless the config names others. */
  serverCert: { certPem: string; keyPem: string };
  /** The cluster CA(s): `gatehouse web login` presents a certificate they issued. */
  caPems: readonly string[];
}

export interface RunningWebConsole {
  /** `host:port` it listens on (the real port when configured with :0). */
  addr: string;
  /** Ends open pages' streams and stops listening. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The web console's HTTPS listener (config `web_listen`). It asks for a client certificate but
 * does not require one: browsers sign in with a session cookie, and only `gatehouse web login`
 * presents the user's certificate, to get a sign-in link. The CA list sent with the request
 * names only the cluster CA, so a browser holding no such certificate is not prompted.
 */
export async function startWebConsole(options: StartWebConsoleOptions): Promise<RunningWebConsole> {
  const { config, log } = options;
  const webLog = log.child({ component: 'web' });
  let certPem = options.serverCert.certPem;
  let keyPem = options.serverCert.keyPem;
  if (config.certFile) {
    try {
      certPem = readFileSync(config.certFile, 'utf8');
      keyPem = readFileSync(config.keyFile, 'utf8');
    } catch (err) {
      throw new AppError('invalid_argument', `web: cannot read cert_file/key_file (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const sessions = new WebSessions({ now: options.now, idleMs: config.sessionIdleMs });
  const app = createWebApp({
    requests: options.requests,
    hub: options.hub,
    sessions,
    resolve: options.resolve,
    parseIdentity: options.parseIdentity,
    allRoles: options.allRoles,
    publicUrl: config.publicUrl,
    log: webLog,
    now: options.now,
  });
  // Sessions end with their user: a deleted (or re-created) user's browsers are signed out.
  const userSink: EventSink = {
    cursor: options.hub.position,
    deliver: (event) => {
      if (event.kind === 'user' && event.type === 'DELETE') sessions.endUser(event.name);
    },
  };
  options.hub.subscribe(userSink);
  const prune = setInterval(() => sessions.prune(), 60_000);
  prune.unref();

  const server = createHttpsServer(
    {
      cert: certPem,
      key: keyPem,
      requestCert: true,
      rejectUnauthorized: false,
      ca: [...options.caPems],
      minVersion: 'TLSv1.2',
      headersTimeout: 20_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
    },
    app,
  );
  // Live-update streams stay open; requestTimeout applies to receiving a request, not to a response.
  server.on('tlsClientError', (err) => webLog.debug({ err }, 'TLS handshake refused'));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err) => reject(new AppError('unavailable', `web console: cannot listen on ${config.listen}: ${err.message}`)));
    server.listen(portOf(config.listen), hostOf(config.listen), () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  const addr = joinHostPort(hostOf(config.listen), port);
  webLog.info({ addr }, 'web console listening');
  let stopped: Promise<void> | undefined;
  return {
    addr,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        clearInterval(prune);
        options.hub.remove(userSink);
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
