import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import { parseDuration } from '../domain/duration.ts';

const duration = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    return z.NEVER;
  }
});

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected HOST:PORT');

/** The raw snake_case shape of the server's YAML config file. */
const fileSchema = z
  .object({
    cluster_name: z.string().min(1).max(64).optional(),
    data_dir: z.string().min(1).optional(),
    listen: hostPort.optional(),
    enroll_listen: hostPort.optional(),
    /** Prometheus `/metrics` and `/healthz` over plain HTTP; off when unset. */
    metrics_listen: hostPort.optional(),
    /** The web console over HTTPS (core/web); off when unset. */
    web_listen: hostPort.optional(),
    web: z
      .object({
        /** The address browsers use, e.g. https://gatehouse.example.com; default: the address the CLI reached. */
        public_url: z.string().regex(/^https:\/\/[^/?#\s]+$/, 'expected https://HOST[:PORT] without a path').optional(),
        /** A certificate and key (PEM files) for a public name; default: the server's own certificate. */
        cert_file: z.string().min(1).optional(),
        key_file: z.string().min(1).optional(),
        /** A session ends after this long without a request. @default 30m */
        session_idle: duration.optional(),
      })
      .strict()
      .optional(),
    /** `sqlite:PATH` (default `sqlite:<data_dir>/gatehouse.db`) or `postgres://…`. */
    storage: z.string().min(1).optional(),
    /** Extra DNS names / IPs for the server certificate. */
    public_addrs: z.array(z.string().min(1)).optional(),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional() }).strict().optional(),
    limits: z
      .object({
        max_user_cert_ttl: duration.optional(),
        max_signed_cert_ttl: duration.optional(),
        login_cert_ttl: duration.optional(),
        max_invite_ttl: duration.optional(),
        max_watcher_backlog: z.number().int().min(10).max(1_000_000).optional(),
        event_retention: duration.optional(),
      })
      .strict()
      .optional(),
    bootstrap: z
      .object({
        /** YAML file of roles applied at start (upsert). */
        roles_file: z.string().optional(),
        /** Identities issued at start when missing or expiring within a third of their TTL. */
        identities: z
          .array(
            z
              .object({
                user: z.string().min(1),
                roles: z.array(z.string().min(1)).min(1),
                out: z.string().min(1),
                ttl: duration.optional(),
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface BootstrapIdentity {
  user: string;
  roles: string[];
  out: string;
  ttlMs: number;
}

/** The validated, complete server configuration. */
export interface ServerConfig {
  clusterName: string;
  dataDir: string;
  listen: string;
  enrollListen: string;
  /** "" when the metrics listener is off. */
  metricsListen: string;
  web: WebConfig;
  storage: string;
  publicAddrs: string[];
  logLevel: string;
  limits: {
    maxUserCertTtlMs: number;
    maxSignedCertTtlMs: number;
    loginCertTtlMs: number;
    maxInviteTtlMs: number;
    maxWatcherBacklog: number;
    eventRetentionMs: number;
  };
  rolesFile: string;
  identities: BootstrapIdentity[];
  /** The admin identity file written on start. */
  adminIdentityPath: string;
}

/** The web console's settings (config keys `web_listen` and `web`). */
export interface WebConfig {
  /** `host:port` of the console's HTTPS listener; "" when off. */
  listen: string;
  /** `https://host[:port]` for links; "" = the Host the CLI reached. */
  publicUrl: string;
  /** "" = the server's own certificate (then both are ""). */
  certFile: string;
  keyFile: string;
  sessionIdleMs: number;
}

export interface ServerOptions {
  configFile?: string;
  dataDir?: string;
  listen?: string;
  enrollListen?: string;
  metricsListen?: string;
  webListen?: string;
  storage?: string;
  logLevel?: string;
}

const HOUR = 3600_000;

/** Reads the optional YAML config file and applies flags on top. Errors name the file and key. */
export function loadServerConfig(options: ServerOptions): ServerConfig {
  let file: z.infer<typeof fileSchema> = {};
  if (options.configFile) {
    let text: string;
    try {
      text = readFileSync(options.configFile, 'utf8');
    } catch (err) {
      throw new AppError('invalid_argument', `${options.configFile}: cannot read config file (${err instanceof Error ? err.message : String(err)})`);
    }
    let raw: unknown;
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new AppError('invalid_argument', `${options.configFile}: invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || '(top level)';
      throw new AppError('invalid_argument', `${options.configFile}: ${where}: ${issue?.message ?? 'invalid'}`);
    }
    file = parsed.data;
  }
  const dataDir = path.resolve(options.dataDir ?? file.data_dir ?? 'data');
  const listen = options.listen ?? file.listen ?? '127.0.0.1:3025';
  const check = hostPort.safeParse(listen);
  if (!check.success) throw new AppError('invalid_argument', `--listen: expected HOST:PORT, got ${JSON.stringify(listen)}`);
  const enrollListen = options.enrollListen ?? file.enroll_listen ?? defaultEnrollListen(listen);
  const metricsListen = options.metricsListen ?? file.metrics_listen ?? '';
  if (metricsListen !== '' && !hostPort.safeParse(metricsListen).success) {
    throw new AppError('invalid_argument', `--metrics-listen: expected HOST:PORT, got ${JSON.stringify(metricsListen)}`);
  }
  const webListen = options.webListen ?? file.web_listen ?? '';
  if (webListen !== '' && !hostPort.safeParse(webListen).success) {
    throw new AppError('invalid_argument', `--web-listen: expected HOST:PORT, got ${JSON.stringify(webListen)}`);
  }
  const web = file.web ?? {};
  if ((web.cert_file === undefined) !== (web.key_file === undefined)) {
    throw new AppError('invalid_argument', `${options.configFile ?? 'config'}: web: cert_file and key_file go together`);
  }
  const l = file.limits ?? {};
  return {
    clusterName: file.cluster_name ?? 'gatehouse',
    dataDir,
    listen,
    enrollListen,
    metricsListen,
    web: {
      listen: webListen,
      publicUrl: web.public_url ?? '',
      certFile: web.cert_file ?? '',
      keyFile: web.key_file ?? '',
      sessionIdleMs: web.session_idle ?? 30 * 60_000,
    },
    storage: options.storage ?? file.storage ?? `sqlite:${path.join(dataDir, 'gatehouse.db')}`,
    publicAddrs: file.public_addrs ?? [],
    logLevel: options.logLevel ?? file.log?.level ?? 'info',
    limits: {
      maxUserCertTtlMs: l.max_user_cert_ttl ?? 30 * HOUR,
      maxSignedCertTtlMs: l.max_signed_cert_ttl ?? 366 * 24 * HOUR,
      loginCertTtlMs: l.login_cert_ttl ?? 30 * 24 * HOUR,
      maxInviteTtlMs: l.max_invite_ttl ?? 7 * 24 * HOUR,
      maxWatcherBacklog: l.max_watcher_backlog ?? 10_000,
      eventRetentionMs: l.event_retention ?? 7 * 24 * HOUR,
    },
    rolesFile: file.bootstrap?.roles_file ?? '',
    identities: (file.bootstrap?.identities ?? []).map((i) => ({ user: i.user, roles: i.roles, out: i.out, ttlMs: i.ttl ?? 90 * 24 * HOUR })),
    adminIdentityPath: path.join(dataDir, 'admin-identity.pem'),
  };
}

/** The enrollment listener defaults to the port after the API port, on the same host. */
function defaultEnrollListen(listen: string): string {
  const i = listen.lastIndexOf(':');
  const port = Number(listen.slice(i + 1));
  return `${listen.slice(0, i)}:${port === 0 ? 0 : port + 1}`;
}
