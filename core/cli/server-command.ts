import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { AppError } from '../domain/app-error.ts';
import { createServer } from '../server/create-server.ts';
import { loadServerConfig } from '../server/server-config.ts';
import { UsageError } from './cli-error.ts';
import type { CliEnv } from './parse-command.ts';
import { parseArgs } from 'node:util';

const USAGE = `Usage: gatehouse server start [--data-dir DIR] [--listen HOST:PORT] [--enroll-listen HOST:PORT]
                              [--metrics-listen HOST:PORT] [--web-listen HOST:PORT] [--config FILE]
                              [--storage URL] [--log-level LEVEL]

Starts the access-request server. Defaults: data in ./data (CA, SQLite file, admin identity),
API on 127.0.0.1:3025 (mutual TLS), invite redemption on the next port.
--storage: sqlite:PATH (default) or postgres://USER@HOST:PORT/DB for several replicas.
--metrics-listen: serve Prometheus /metrics and /healthz over plain HTTP there (off by default).
--web-listen: serve the web console over HTTPS there (off by default; sign in with gatehouse web login).`;

export async function runServerCommand(argv: string[], env: CliEnv): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'start') {
    if (sub === undefined || sub === 'help' || sub === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    throw new UsageError(`unknown command "server ${sub}"\n\n${USAGE}`);
  }
  let values;
  try {
    values = parseArgs({
      args: rest,
      options: {
        'data-dir': { type: 'string' },
        listen: { type: 'string' },
        'enroll-listen': { type: 'string' },
        'metrics-listen': { type: 'string' },
        'web-listen': { type: 'string' },
        config: { type: 'string', short: 'c' },
        storage: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadServerConfig({
    ...(values.config ? { configFile: values.config } : {}),
    ...(values['data-dir'] ? { dataDir: path.resolve(env.cwd, values['data-dir']) } : {}),
    ...(values.listen ? { listen: values.listen } : {}),
    ...(values['enroll-listen'] ? { enrollListen: values['enroll-listen'] } : {}),
    ...(values['metrics-listen'] ? { metricsListen: values['metrics-listen'] } : {}),
    ...(values['web-listen'] ? { webListen: values['web-listen'] } : {}),
    ...(values.storage ? { storage: values.storage } : {}),
    ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
  });
  const log = pino({ level: config.logLevel, base: { service: 'gatehouse' } });
  const firstStart = !existsSync(config.adminIdentityPath);
  // Set once the shutdown below is wired: the store failing for good stops the server, and the
  // command then fails, so the process exits non-zero and its supervisor starts it again.
  let onFatal: ((err: AppError) => void) | undefined;
  const server = await createServer({ config, log, onFatal: (err) => onFatal?.(err) });

  const rel = path.relative(env.cwd, config.adminIdentityPath) || config.adminIdentityPath;
  const id = rel.includes(' ') ? JSON.stringify(rel) : rel;
  const cli = 'gatehouse';
  process.stderr.write(
    `\nGatehouse is running: API ${server.addr} (mTLS), invites ${server.enrollAddr}${server.metricsAddr ? `, metrics http://${server.metricsAddr}/metrics` : ''}, data in ${config.dataDir}\n` +
      `${firstStart ? 'First start: created the cluster CA and ' : ''}admin identity: ${config.adminIdentityPath}\n\n` +
      `Next steps, in another terminal (in a checkout, \`gatehouse\` is \`./dev gatehouse\`; ./data/admin-identity.pem is picked up from this directory):\n` +
      `  ${cli} roles apply -f examples/roles.yaml        # add roles (Teleport v4 role YAML)\n` +
      `  ${cli} users add alice --roles sres              # add a user; prints a one-time invite\n` +
      `  ${cli} login --addr ${server.addr} --token ...   # (alice) redeem it: ~/.gatehouse/identity.pem\n` +
      `  ${cli} request create --roles prodaccess --reason "INC-42"\n` +
      `  ${cli} request ls   |   ${cli} request review ID --approve   |   ${cli} audit ls\n` +
      `Use --identity ${id} to act as admin from elsewhere.\n\n`,
  );

  let fatal: AppError | undefined;
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      server.stop().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    onFatal = (err) => {
      fatal = err;
      shutdown('store failure');
    };
  });
  if (fatal) throw fatal;
}
