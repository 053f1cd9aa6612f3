import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { parseDuration } from '../../core/domain/duration.ts';
import { PluginError } from './plugin-error.ts';
import { resolveSecret, type Secret } from './secret.ts';

/** Helpers a plugin uses to build the schema of its own sections. */
export interface SchemaHelpers {
  /** A non-empty string resolved as a secret (`env:NAME`, a file path, or the value itself). */
  secret(): z.ZodType<Secret, string>;
  /** A duration like `"30s"`, `"5m"` or `"1h30m"`, in ms, at least `minMs`. */
  duration(minMs: number): z.ZodType<number, string>;
}

/** Where the plugin's server connection comes from. */
export type ServerCredentials =
  | { readonly kind: 'identity'; readonly identityFile: string }
  | { readonly kind: 'tls'; readonly keyFile: string; readonly certFile: string; readonly caFile: string };

export interface GatehouseConfig {
  /** Server addresses (`host:port`), tried in turn. */
  readonly addrs: readonly string[];
  readonly credentials: ServerCredentials;
  /** Base URL of the web console; messages link to `<url>/web/requests/<id>` when set. */
  readonly webConsoleUrl: string | undefined;
}

export interface HttpConfig {
  readonly listenAddr: string;
  readonly tls: { readonly keyFile: string; readonly certFile: string } | undefined;
  readonly basicAuth: { readonly user: string; readonly password: Secret } | undefined;
}

/** How the runtime handles events (`[runtime]`). */
export interface RuntimeConfig {
  /** How long one request event may take before its calls are aborted and it is retried. */
  readonly eventTimeoutMs: number;
  /** After this long another process's claim on an effect is taken to be abandoned (request-plugin-data.ts). */
  readonly claimTakeoverMs: number;
}

/** Defaults of `[runtime]`: a minute per event, and a window half as long again for clock skew. */
export const DEFAULT_RUNTIME: RuntimeConfig = Object.freeze({ eventTimeoutMs: 60_000, claimTakeoverMs: 90_000 });

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogConfig {
  /** `stderr`, `stdout`, or a file path. */
  readonly output: { readonly kind: 'stderr' } | { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly path: string };
  readonly level: LogLevel;
}

/** The validated, frozen configuration of a plugin; `plugin` is the plugin's own part. */
export interface PluginConfig<C> {
  readonly file: string;
  readonly gatehouse: GatehouseConfig;
  readonly http: HttpConfig | undefined;
  readonly log: LogConfig;
  readonly runtime: RuntimeConfig;
  readonly plugin: C;
}

export interface LoadPluginConfigOptions<C> {
  /** Path of `plugin.toml`; named in every error. */
  file: string;
  /**
   * The schema of the plugin's own top-level sections (e.g. `[slack]`, `[role_to_recipients]`),
   * a strict object; it may transform into the plugin's config type.
   */
  pluginSchema: (helpers: SchemaHelpers) => z.ZodType<C>;
  env: Readonly<Record<string, string | undefined>>;
  /** @default fs.readFileSync */
  readFile?: (path: string) => Buffer;
}

const COMMON_SECTIONS = ['gatehouse', 'teleport', 'http', 'log', 'runtime'] as const;
const MAX_CONFIG_BYTES = 1024 * 1024;
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'expected HOST:PORT');
const nonEmpty = z.string().min(1, 'must not be empty');

const SEVERITIES: Readonly<Record<string, LogLevel>> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  err: 'error',
  error: 'error',
};

/**
 * Reads `plugin.toml`, validates it strictly (unknown keys and wrong types are errors naming the
 * key path and the file) and returns the frozen config. `[teleport]` is accepted as an alias of
 * `[gatehouse]`, so a Teleport plugin config loads unchanged.
 * @throws PluginError `config` with every problem, one per line.
 */
export function loadPluginConfig<C>(options: LoadPluginConfigOptions<C>): PluginConfig<C> {
  const { file } = options;
  const read = options.readFile ?? readFileSync;
  let text: string;
  try {
    const bytes = read(file);
    if (bytes.length > MAX_CONFIG_BYTES) throw new PluginError('config', `${file}: larger than 1 MiB`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof PluginError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PluginError('config', `cannot read config file ${file}${code ? ` (${code})` : ''}`, { cause: err });
  }
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    throw new PluginError('config', `${file}: malformed TOML${where}: ${reason}`, { cause: err });
  }

  const helpers: SchemaHelpers = {
    secret: () =>
      nonEmpty.transform((value, ctx) => {
        try {
          return resolveSecret(value, { env: options.env, readFile: read });
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
          return z.NEVER;
        }
      }),
    duration: (minMs) =>
      z.string().transform((value, ctx) => {
        let ms: number;
        try {
          ms = parseDuration(value.trim());
        } catch {
          ms = Number.NaN;
        }
        if (!(ms >= minMs)) {
          ctx.addIssue({ code: 'custom', message: `expected a duration like "30s", "5m" or "1h30m" (at least ${minMs} ms), got ${JSON.stringify(value.slice(0, 40))}` });
          return z.NEVER;
        }
        return ms;
      }),
  };

  const common: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((COMMON_SECTIONS as readonly string[]).includes(key)) common[key] = value;
    else own[key] = value;
  }
  const problems: string[] = [];
  const commonResult = commonSchema(helpers).safeParse(common);
  if (!commonResult.success) problems.push(...formatIssues(commonResult.error.issues));
  const pluginResult = options.pluginSchema(helpers).safeParse(own);
  if (!pluginResult.success) problems.push(...formatIssues(pluginResult.error.issues));
  if (!commonResult.success || !pluginResult.success) {
    throw new PluginError('config', `${file}: invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }

  const parsed = commonResult.data;
  const section = parsed.gatehouse ?? parsed.teleport;
  const sectionName = parsed.gatehouse ? 'gatehouse' : 'teleport';
  if (parsed.gatehouse && parsed.teleport) throw new PluginError('config', `${file}: [gatehouse] and [teleport] are the same section; give only one`);
  if (section === undefined) throw new PluginError('config', `${file}: missing section [gatehouse] (or [teleport]) with addr and identity`);
  const credentials = readCredentials(file, sectionName, section);
  const addrValue = section.addr ?? section.auth_server;
  const addrs = addrValue === undefined ? ['localhost:3025'] : typeof addrValue === 'string' ? [addrValue] : addrValue;

  const http = parsed.http;
  const config: PluginConfig<C> = {
    file,
    gatehouse: Object.freeze({ addrs: Object.freeze([...addrs]), credentials: Object.freeze(credentials), webConsoleUrl: section.web_console_url?.replace(/\/+$/, '') }),
    http:
      http === undefined
        ? undefined
        : Object.freeze({
            listenAddr: http.listen_addr ?? '0.0.0.0:8081',
            tls: http.https_key_file !== undefined && http.https_cert_file !== undefined ? { keyFile: http.https_key_file, certFile: http.https_cert_file } : undefined,
            basicAuth: http.basic_auth === undefined ? undefined : { user: http.basic_auth.user, password: http.basic_auth.password },
          }),
    log: Object.freeze({ output: parseLogOutput(parsed.log?.output ?? 'stderr'), level: parsed.log?.severity ?? 'info' }),
    runtime: Object.freeze({
      eventTimeoutMs: parsed.runtime?.event_timeout ?? DEFAULT_RUNTIME.eventTimeoutMs,
      claimTakeoverMs: parsed.runtime?.claim_takeover ?? DEFAULT_RUNTIME.claimTakeoverMs,
    }),
    plugin: pluginResult.data,
  };
  return Object.freeze(config);
}

function commonSchema(h: SchemaHelpers) {
  const server = z
    .object({
      addr: z.union([hostPort, z.array(hostPort).min(1, 'must list at least one address')], { error: 'expected "HOST:PORT" or a list of them' }).optional(),
      /** Deprecated Teleport spelling of `addr`. */
      auth_server: hostPort.optional(),
      identity: nonEmpty.optional(),
      client_key: nonEmpty.optional(),
      client_crt: nonEmpty.optional(),
      root_cas: nonEmpty.optional(),
      web_console_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    })
    .strict();
  return z
    .object({
      gatehouse: server.optional(),
      teleport: server.optional(),
      http: z
        .object({
          listen_addr: hostPort.optional(),
          https_key_file: nonEmpty.optional(),
          https_cert_file: nonEmpty.optional(),
          basic_auth: z.object({ user: nonEmpty, password: h.secret() }).strict().optional(),
        })
        .strict()
        .superRefine((v, ctx) => {
          if ((v.https_key_file === undefined) !== (v.https_cert_file === undefined)) {
            ctx.addIssue({ code: 'custom', message: 'https_key_file and https_cert_file must be given together', path: [v.https_key_file === undefined ? 'https_key_file' : 'https_cert_file'] });
          }
        })
        .optional(),
      runtime: z
        .object({
          event_timeout: h.duration(100).optional(),
          claim_takeover: h.duration(100).optional(),
        })
        .strict()
        .superRefine((v, ctx) => {
          const timeout = v.event_timeout ?? DEFAULT_RUNTIME.eventTimeoutMs;
          const takeover = v.claim_takeover ?? DEFAULT_RUNTIME.claimTakeoverMs;
          // A claim may be taken over only once its owner cannot still be performing it.
          if (takeover <= timeout) ctx.addIssue({ code: 'custom', path: ['claim_takeover'], message: `must be longer than event_timeout (${timeout} ms), or a slow effect could be taken over while it runs` });
        })
        .optional(),
      log: z
        .object({
          output: z.string().optional(),
          severity: z
            .string()
            .transform((s, ctx) => {
              const level = SEVERITIES[s.trim().toLowerCase()];
              if (level === undefined) {
                ctx.addIssue({ code: 'custom', message: `unsupported severity "${s}" (expected debug, info, warn or error)` });
                return z.NEVER;
              }
              return level;
            })
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict();
}

type ServerSection = { identity?: string | undefined; client_key?: string | undefined; client_crt?: string | undefined; root_cas?: string | undefined };

function readCredentials(file: string, section: string, s: ServerSection): ServerCredentials {
  const tls = { client_key: s.client_key, client_crt: s.client_crt, root_cas: s.root_cas };
  const given = Object.entries(tls).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (s.identity !== undefined) {
    if (given.length > 0) throw new PluginError('config', `${file}: ${section}.identity is mutually exclusive with ${given.map((k) => `${section}.${k}`).join(', ')}`);
    return { kind: 'identity', identityFile: s.identity };
  }
  if (tls.client_key !== undefined && tls.client_crt !== undefined && tls.root_cas !== undefined) {
    return { kind: 'tls', keyFile: tls.client_key, certFile: tls.client_crt, caFile: tls.root_cas };
  }
  if (given.length > 0) {
    const missing = Object.keys(tls).filter((k) => !given.includes(k));
    throw new PluginError('config', `${file}: ${given.map((k) => `${section}.${k}`).join(', ')} given but ${missing.map((k) => `${section}.${k}`).join(', ')} missing`);
  }
  throw new PluginError('config', `${file}: ${section}.identity is required (or client_key, client_crt and root_cas)`);
}

function parseLogOutput(output: string): LogConfig['output'] {
  switch (output.trim().toLowerCase()) {
    case 'stderr':
    case 'error':
    case '2':
      return { kind: 'stderr' };
    case '':
    case 'stdout':
    case 'out':
    case '1':
      return { kind: 'stdout' };
    default:
      return { kind: 'file', path: output };
  }
}

/** One line per issue: `key.path: message`; unknown keys are named one by one. */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${[...base, key].join('.')}: unknown key`);
      continue;
    }
    const where = base.length > 0 ? base.join('.') : '(top level)';
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    lines.push(`${where}: ${missing ? `required, expected ${issue.expected}` : issue.message}`);
  }
  return lines;
}
