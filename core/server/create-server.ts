import * as grpc from '@grpc/grpc-js';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadGatehousePackageDefinition, loadGatehouseProto } from '../../proto/load-proto.ts';
import type { Event as ProtoEvent } from '../../proto/gen/gatehouse/v1/Event.ts';
import { loadOrCreateClusterCA } from '../auth/cluster-ca.ts';
import { createIdentityCache } from '../auth/cert-identity.ts';
import { issueClientCert } from '../auth/issue-client-cert.ts';
import { issueServerCert } from '../auth/issue-server-cert.ts';
import { parseCsr } from '../auth/csr.ts';
import { createAccessRequests } from '../api/access-requests.ts';
import { createAuthenticator } from '../api/authenticate.ts';
import type { ApiDeps } from '../api/api-deps.ts';
import { createCertHandlers, createEnrollHandlers } from '../api/cert-handlers.ts';
import { toProtoEvent } from '../api/convert.ts';
import { createMiscHandlers } from '../api/misc-handlers.ts';
import { createPluginDataHandlers } from '../api/plugin-data-handlers.ts';
import { createRequestHandlers } from '../api/request-handlers.ts';
import { tolerantDefinition, type RpcRuntime } from '../api/rpc.ts';
import { compileWireSchemas } from '../api/wire-schema.ts';
import { createUserRoleHandlers } from '../api/user-role-handlers.ts';
import { installGracefulCloseGuard } from '../api/http2-graceful-close.ts';
import { WatchGuard } from '../api/watch-guard.ts';
import { createWatchHandler } from '../api/watch-handler.ts';
import type { AppError } from '../domain/app-error.ts';
import { createStore } from '../store/create-store.ts';
import { startWebConsole } from '../web/web-server.ts';
import type { Store } from '../store/store.ts';
import { bootstrapIdentities } from './bootstrap.ts';
import { EventHub } from './event-hub.ts';
import { ExpiryService } from './expiry-service.ts';
import { hostOf, joinHostPort } from './host-port.ts';
import { logRejectedHandshakes } from './log-rejected-handshakes.ts';
import { startMetricsListener } from './metrics-listener.ts';
import { RoleRegistry } from './role-registry.ts';
import { ServerMetrics } from './server-metrics.ts';
import { UserDirectory } from './user-directory.ts';
import type { ServerConfig } from './server-config.ts';
import { SERVER_VERSION } from './version.ts';

export interface RunningServer {
  /** `host:port` the API listens on (the real port when configured with :0). */
  addr: string;
  enrollAddr: string;
  /** `host:port` of /metrics and /healthz; "" when off (config `metrics_listen`). */
  metricsAddr: string;
  /** `host:port` of the web console (HTTPS); "" when off (config `web_listen`). */
  webAddr: string;
  adminIdentityPath: string;
  caPem: string;
  store: Store;
  /** Runs one expiry sweep now (tests, CLI). */
  sweepExpired(): Promise<number>;
  /** Drains streams, stops listening, closes the store. Idempotent. */
  stop(): Promise<void>;
}

export interface CreateServerOptions {
  config: ServerConfig;
  log: Logger;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
  /**
   * Called once if the store stops for good (SQLite: a sync to disk failed): every call fails
   * UNAVAILABLE from then on and only a restart recovers. `gatehouse server start` stops and
   * exits non-zero, so that a supervisor (systemd, Docker's restart policy) starts it again.
   */
  onFatal?: (err: AppError) => void;
}

function bind(server: grpc.Server, addr: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(addr, creds, (err, port) => (err ? reject(new Error(`cannot listen on ${addr}: ${err.message}`)) : resolve(port)));
  });
}

/** Composition root: store, CA, live roles, event hub, expiry, gRPC listeners, bootstrap identities. */
export async function createServer(options: CreateServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.log;
  const now = options.now ?? Date.now;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const metrics = config.metricsListen ? new ServerMetrics() : undefined;
  const store = await createStore(config.storage, {
    log: log.child({ component: 'store' }),
    now,
    ...(metrics ? { observe: metrics.observeStore } : {}),
    onFatal: (err) => {
      log.fatal({ err }, 'the store stopped for good; every call fails UNAVAILABLE until the server is restarted');
      options.onFatal?.(err);
    },
  });
  const stops: Array<() => Promise<void> | void> = [() => store.close()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log.error({ err }, 'error while stopping');
      }
    }
  };

  try {
    const ca = await loadOrCreateClusterCA(config.dataDir, config.clusterName);
    const listeners = [config.listen, config.enrollListen, ...(config.web.listen ? [config.web.listen] : [])];
    const hosts = [...new Set([...listeners.map(hostOf), ...config.publicAddrs])];
    const serverCert = await issueServerCert(ca, { hosts, ttlMs: 365 * 24 * 3600_000 });

    const proto = loadGatehouseProto();
    const wireSchemas = compileWireSchemas(loadGatehousePackageDefinition());
    const accessDefinition = tolerantDefinition(proto.gatehouse.v1.AccessService.service, wireSchemas);
    const encodeEvent = accessDefinition.WatchEvents.responseSerialize as (event: ProtoEvent) => Buffer;
    // Watch events are encoded once by the hub and the same bytes written to every watcher.
    const serviceDefinition: grpc.ServiceDefinition = {
      ...accessDefinition,
      WatchEvents: { ...accessDefinition.WatchEvents, responseSerialize: (bytes: Buffer) => bytes },
    };

    const hub = new EventHub({ store, log, encode: (event) => encodeEvent(toProtoEvent(event)) });
    await hub.start();
    stops.push(() => hub.stop());

    const roles = new RoleRegistry(store, log);
    await roles.reload();
    roles.follow(hub);

    const users = new UserDirectory(store);
    users.follow(hub);

    const identities = createIdentityCache({ maxEntries: 10_000 });
    const deps: ApiDeps = {
      store,
      hub,
      getRole: (name) => roles.get(name),
      allRoles: () => roles.all(),
      rolesChanged: () => roles.reload(),
      issueClientCert: (input) => issueClientCert(ca, { ...input, nowMs: now() }),
      parseCsr: async (csrPem) => (await parseCsr(csrPem)).publicKey,
      caPems: [ca.certPem],
      caFingerprint: ca.fingerprintSha256,
      clusterName: config.clusterName,
      version: SERVER_VERSION,
      limits: config.limits,
      log,
      now,
    };
    const rpcLog = log.child({ component: 'rpc' });
    metrics?.watch({ watchers: () => hub.sinkCount, eventPosition: () => hub.position });
    const auth = createAuthenticator({ store, getUser: (name) => users.get(name), getRole: deps.getRole, parseIdentity: (der) => identities.get(der), now });
    const rt: RpcRuntime = {
      authenticate: auth.authenticate,
      log: rpcLog,
      ...(metrics ? { observe: metrics.observeRpc } : {}),
    };

    // Open watches end when their caller loses the access (after the directory and registry
    // above, which the guard's re-checks read).
    const guard = new WatchGuard({ resolve: auth.resolve, reloadRoles: () => roles.reload(), now, log });
    guard.follow(hub);

    const bootstrap = { config, store, roles, ca, log, now };
    await bootstrapIdentities(bootstrap);
    // Bootstrap identities (plugins in docker-compose) are renewed while the server runs, not
    // only at start: hourly, each is reissued once past two thirds of its lifetime.
    const renewal = setInterval(() => {
      bootstrapIdentities(bootstrap).catch((err: unknown) => log.error({ err }, 'renewing bootstrap identities failed'));
    }, 3600_000);
    renewal.unref();
    stops.push(() => clearInterval(renewal));

    installGracefulCloseGuard();
    const server = new grpc.Server({
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
      'grpc.max_receive_message_length': 4 * 1024 * 1024,
    });
    // One authorized implementation for the gRPC API and the web console.
    const requests = createAccessRequests(deps);
    server.addService(serviceDefinition, {
      ...createRequestHandlers(deps, rt, requests),
      ...createPluginDataHandlers(deps, rt),
      ...createUserRoleHandlers(deps, rt),
      ...createCertHandlers(deps, rt),
      ...createMiscHandlers(deps, rt, requests),
      WatchEvents: createWatchHandler(deps, rt, encodeEvent, guard),
    } as grpc.UntypedServiceImplementation);
    const ca_ = Buffer.from(ca.certPem);
    const pair = [{ private_key: Buffer.from(serverCert.keyPem), cert_chain: Buffer.from(serverCert.certPem) }];
    const port = await bind(server, config.listen, grpc.ServerCredentials.createSsl(ca_, pair, true));
    const handshakes = logRejectedHandshakes(server, { log, now });
    stops.push(() => handshakes.stop());
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          hub.closeSinks();
          const force = setTimeout(() => server.forceShutdown(), 5000);
          force.unref();
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        }),
    );

    const enroll = new grpc.Server();
    enroll.addService(tolerantDefinition(proto.gatehouse.v1.EnrollService.service, wireSchemas), createEnrollHandlers(deps, rt) as grpc.UntypedServiceImplementation);
    const enrollPort = await bind(enroll, config.enrollListen, grpc.ServerCredentials.createSsl(null, pair, false));
    stops.push(() => new Promise<void>((resolve) => enroll.tryShutdown(() => resolve())));

    const expiry = new ExpiryService({ store, log, now, eventRetentionMs: config.limits.eventRetentionMs });
    expiry.start();
    stops.push(() => expiry.stop());

    let metricsAddr = '';
    if (metrics) {
      const listener = await startMetricsListener(config.metricsListen, metrics.registry, log);
      stops.push(() => listener.close());
      metricsAddr = joinHostPort(hostOf(config.metricsListen), listener.port);
    }

    let webAddr = '';
    if (config.web.listen) {
      const web = await startWebConsole({
        config: config.web,
        serverCert,
        caPems: [ca.certPem],
        requests,
        hub,
        resolve: auth.resolve,
        parseIdentity: (der) => identities.get(der),
        allRoles: () => roles.all(),
        log,
        now,
      });
      stops.push(() => web.stop());
      webAddr = web.addr;
    }

    // Open watch streams end when the server shuts down; stop() closes them first (children first).
    const addr = joinHostPort(hostOf(config.listen), port);
    const enrollAddr = `${hostOf(config.enrollListen)}:${enrollPort}`;
    log.info({ addr, enrollAddr, ...(metricsAddr ? { metricsAddr } : {}), ...(webAddr ? { webAddr } : {}), storage: config.storage.startsWith('postgres') ? 'postgres' : config.storage, cluster: config.clusterName }, 'gatehouse server listening');
    let stopped: Promise<void> | undefined;
    return {
      addr,
      enrollAddr,
      metricsAddr,
      webAddr,
      adminIdentityPath: config.adminIdentityPath,
      caPem: ca.certPem,
      store,
      sweepExpired: () => expiry.sweep(),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
