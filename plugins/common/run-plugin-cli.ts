import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { createPluginLogger } from './create-plugin-logger.ts';
import { EXPIRY_WARNING_MS } from './load-credentials.ts';
import { loadPluginConfig, type PluginConfig } from './load-plugin-config.ts';
import type { PluginDefinition } from './plugin-definition.ts';
import { PluginError } from './plugin-error.ts';
import { PluginMetrics } from './plugin-metrics.ts';
import { ServerConnection } from './server-connection.ts';
import { createPluginContext, missingPresets, startPlugin, toPluginError } from './start-plugin.ts';

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
/** How long `check` waits for the server. */
const CHECK_SERVER_DEADLINE_MS = 5000;

/**
 * The `gatehouse-<plugin>` command: `start -c FILE [--debug]`, `check -c FILE`, `configure`,
 * `version`. Resolves with the exit code; errors are printed as one line, never a stack trace.
 */
export async function runPluginCli<C>(definition: PluginDefinition<C>, io: PluginCliIo): Promise<number> {
  const command = `gatehouse-${definition.name}`;
  const usage = `Usage:
  ${command} start [-c FILE] [--debug]   run the plugin (waits for the server and ${definition.name} when they are not up yet)
  ${command} check [-c FILE] [--debug]   check the config, the identity, the server, the identity's roles and the ${definition.name} credentials; exit 1 naming the step that failed
  ${command} configure                  print a commented sample config
  ${command} version
  ${command} help                       this text (also -h, --help)

Options:
  -c, --config FILE   the plugin.toml (default /etc/${command}.toml)
  -d, --debug         log at debug level (overrides [log] severity)
  -h, --help          this text

Examples:
  ${command} configure > plugin.toml      # then fill in [gatehouse] and [${definition.name}]
  ${command} check -c plugin.toml
  ${command} start -c plugin.toml         # without Docker: npx ${command} start -c plugin.toml

Exit status:
  0  done (start: stopped by SIGTERM or SIGINT)
  1  a failure: a bad config, an identity that is missing, expired or refused, a service
     that refuses the credentials, or a failed check step
  2  usage error: unknown command or flag

Shell completion: gatehouse completion bash|zsh|fish covers ${command} too.
`;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(io.argv);
  } catch (err) {
    io.stderr(`${command}: ${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return EXIT_USAGE;
  }
  const { positionals, values } = parsed;
  const sub = values.help === true ? 'help' : positionals[0];
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
      return holdingProcessOpen(() => start(definition, io, file, debug));
    case 'check':
      return holdingProcessOpen(() => check(definition, io, file, debug));
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

/**
 * Runs a long command with one handle keeping the process alive. Every timer of the runtime is
 * unref'd, and while the server or the service is down no socket is open either: without this,
 * Node would end the process with status 13 ("unsettled top-level await") while a step waits
 * between attempts.
 */
async function holdingProcessOpen(command: () => Promise<number>): Promise<number> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    return await command();
  } finally {
    clearInterval(keepAlive);
  }
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
  return new Promise<number>((resolve) => {
    let signals = 0;
    let finished = false;
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      removeTerm();
      removeInt();
      resolve(code);
    };
    const shutdown = (signal: 'SIGTERM' | 'SIGINT') => () => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, 'second signal: exiting without draining');
        finish(EXIT_FAILURE);
        return;
      }
      log.info({ signal }, 'shutting down gracefully');
      plugin.stop().then(
        () => finish(0),
        (err: unknown) => {
          log.error({ error: describe(err) }, 'graceful shutdown failed');
          finish(EXIT_FAILURE);
        },
      );
    };
    const removeTerm = onSignal('SIGTERM', shutdown('SIGTERM'));
    const removeInt = onSignal('SIGINT', shutdown('SIGINT'));
    void plugin.failed.then(async (e) => {
      log.error({ kind: e.kind, error: e.message }, 'terminating with fatal error');
      io.stderr(`${command}: ${describe(e)}\n`);
      await plugin.stop();
      finish(EXIT_FAILURE);
    });
  });
}

/**
 * `check`: one line per step (config, identity, server, access, service); the first failure is
 * one line on stderr naming its step, and exit 1, whether the other end was unreachable or
 * refused.
 */
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
    step = 'identity';
    connection = new ServerConnection({ addrs: config.gatehouse.addrs, credentials: config.gatehouse.credentials, log });
    const credentials = await connection.loadIdentity();
    const left = credentials.expiresMs - now();
    ok(`identity: user "${credentials.user}", roles ${credentials.roles.join(',')}, expires ${new Date(credentials.expiresMs).toISOString()} (${credentials.source})`);
    if (left < EXPIRY_WARNING_MS) io.stdout(`warn  identity expires in ${Math.max(0, Math.round(left / 60_000))} minutes; renew it soon\n`);
    step = 'server';
    const pong = await connection.connect(credentials, { deadlineMs: CHECK_SERVER_DEADLINE_MS, signal: abort.signal });
    ok(`server ${connection.addr}: cluster "${pong.clusterName}", version ${pong.serverVersion}, user "${pong.user}"`);
    step = 'access';
    const required = definition.presets(config.plugin);
    const missing = missingPresets(required, pong.roles);
    if (missing.length > 0) {
      throw new PluginError('access', `user "${pong.user}" (roles ${pong.roles.join(',') || 'none'}) lacks the preset${missing.length > 1 ? 's' : ''} ${missing.join(', ')} this plugin needs with this config; give ${missing.length > 1 ? 'them' : 'it'} with gatehouse users update ${pong.user} --roles ${[...new Set([...pong.roles, ...missing])].join(',')}`);
    }
    ok(`access: roles ${pong.roles.join(',')} include ${pong.roles.includes('admin') ? 'admin (more than a plugin needs)' : required.join(', ')}`);
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
