import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { createPluginLogger } from './create-plugin-logger.ts';
import { EXPIRY_WARNING_MS } from './load-credentials.ts';
import { loadPluginConfig, type PluginConfig } from './load-plugin-config.ts';
import type { PluginDefinition } from './plugin-definition.ts';
import { PluginError } from './plugin-error.ts';
import { PluginMetrics } from './plugin-metrics.ts';
import { ServerConnection } from './server-connection.ts';
import { createPluginContext, startPlugin, toPluginError } from './start-plugin.ts';

/** The process around the CLI, passed in so tests can run it in-process. */
export interface PluginCliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Registers a signal handler; returns its removal. @default process.on */
  onSignal?: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => () => void;
}

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

/**
 * The `gatehouse-<plugin>` command: `start -c FILE [--debug]`, `check -c FILE`, `configure`,
 * `version`. Resolves with the exit code; errors are printed as one line, never a stack trace.
 */
export async function runPluginCli<C>(definition: PluginDefinition<C>, io: PluginCliIo): Promise<number> {
  const command = `gatehouse-${definition.name}`;
  const usage = `Usage:
  ${command} start [-c FILE] [--debug]   run the plugin
  ${command} check [-c FILE] [--debug]   validate the config, the identity, the server and the ${definition.name} credentials
  ${command} configure                  print a commented sample config
  ${command} version
Default config file: /etc/${command}.toml
`;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(io.argv);
  } catch (err) {
    io.stderr(`${command}: ${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return EXIT_USAGE;
  }
  const { positionals, values } = parsed;
  const sub = positionals[0];
  const file = values.config ?? `/etc/${command}.toml`;
  const debug = values.debug === true;
  switch (sub) {
    case 'configure':
      io.stdout(definition.sampleConfig);
      return 0;
    case 'version':
      io.stdout(`${command} v${definition.version} node ${process.version}\n`);
      return 0;
    case 'help':
    case undefined:
      (sub === undefined ? io.stderr : io.stdout)(usage);
      return sub === undefined ? EXIT_USAGE : 0;
    case 'start':
      return start(definition, io, file, debug);
    case 'check':
      return check(definition, io, file, debug);
    default:
      io.stderr(`${command}: unknown command "${sub}"\n${usage}`);
      return EXIT_USAGE;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { config: { type: 'string', short: 'c' }, debug: { type: 'boolean', short: 'd' }, help: { type: 'boolean', short: 'h' } },
  });
}

function describe(err: unknown): string {
  if (err instanceof PluginError) return `${err.kind} error: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

async function start<C>(definition: PluginDefinition<C>, io: PluginCliIo, file: string, debug: boolean): Promise<number> {
  const command = `gatehouse-${definition.name}`;
  let config: PluginConfig<C>;
  try {
    config = loadPluginConfig({ file, pluginSchema: definition.pluginSchema, env: io.env });
  } catch (err) {
    io.stderr(`${command}: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  let log: Logger;
  try {
    log = createPluginLogger({ log: config.log, debug, base: { plugin: definition.name } });
  } catch (err) {
    io.stderr(`${command}: config error: cannot open log output: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  log.info({ config: file, version: definition.version }, 'starting');
  let plugin: Awaited<ReturnType<typeof startPlugin<C>>>;
  try {
    plugin = await startPlugin({ definition, config, log });
  } catch (err) {
    const e = toPluginError(err);
    log.error({ kind: e.kind, error: e.message }, 'terminating with fatal error');
    io.stderr(`${command}: ${describe(e)}\n`);
    return EXIT_FAILURE;
  }
  const onSignal = io.onSignal ?? ((signal, handler) => {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  // Every timer of the runtime is unref'd, and while the server is down no socket is open
  // either: this one handle keeps the process alive until a signal stops it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise<number>((resolve) => {
    let signals = 0;
    const shutdown = (signal: 'SIGTERM' | 'SIGINT') => () => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, 'second signal: exiting without draining');
        clearInterval(keepAlive);
        resolve(EXIT_FAILURE);
        return;
      }
      log.info({ signal }, 'shutting down gracefully');
      plugin.stop().then(
        () => {
          removeTerm();
          removeInt();
          clearInterval(keepAlive);
          resolve(0);
        },
        (err: unknown) => {
          log.error({ error: describe(err) }, 'graceful shutdown failed');
          clearInterval(keepAlive);
          resolve(EXIT_FAILURE);
        },
      );
    };
    const removeTerm = onSignal('SIGTERM', shutdown('SIGTERM'));
    const removeInt = onSignal('SIGINT', shutdown('SIGINT'));
  });
}

async function check<C>(definition: PluginDefinition<C>, io: PluginCliIo, file: string, debug: boolean): Promise<number> {
  const command = `gatehouse-${definition.name}`;
  const ok = (what: string): void => io.stdout(`ok    ${what}\n`);
  const now = Date.now;
  let step = 'config';
  let connection: ServerConnection | undefined;
  const abort = new AbortController();
  try {
    const config = loadPluginConfig({ file, pluginSchema: definition.pluginSchema, env: io.env });
    ok(`config ${file}`);
    const log = debug ? createPluginLogger({ log: config.log, debug, base: { plugin: definition.name } }) : pino({ level: 'silent' });
    step = 'identity and server';
    connection = new ServerConnection({ addrs: config.gatehouse.addrs, credentials: config.gatehouse.credentials, log, connectTimeoutMs: 5000 });
    const pong = await connection.start();
    const expiresMs = pong.identityExpiresMs;
    const left = expiresMs - now();
    ok(`identity: user "${pong.user}", roles ${pong.roles.join(',')}, expires ${new Date(expiresMs).toISOString()}`);
    if (left < EXPIRY_WARNING_MS) io.stdout(`warn  identity expires in ${Math.max(0, Math.round(left / 60_000))} minutes; renew it soon\n`);
    ok(`server ${connection.addr}: cluster "${pong.clusterName}", version ${pong.serverVersion}`);
    step = definition.name;
    const ctx = createPluginContext(definition, config, log, connection, new PluginMetrics(definition.name, { defaultMetrics: false }), abort.signal, now);
    ok(`${definition.name}: ${await definition.check(ctx)}`);
    io.stdout('all checks passed\n');
    return 0;
  } catch (err) {
    io.stderr(`${command} check: ${step}: ${describe(toPluginError(err))}\n`);
    return EXIT_FAILURE;
  } finally {
    abort.abort();
    connection?.stop();
  }
}
