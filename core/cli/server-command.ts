import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { AppError } from '../domain/app-error.ts';
import { createServer } from '../server/create-server.ts';
import { loadServerConfig } from '../server/server-config.ts';
import { defineCommand, type CliEnv, type CommandGroup } from './command-spec.ts';

const start = defineCommand({
  name: 'start',
  summary: 'run the access-request server',
  description:
    'Defaults: data in ./data (CA, SQLite file, admin identity), API on 127.0.0.1:3025 (mutual TLS),\ninvite redemption on the next port. Stops on SIGTERM or SIGINT after draining.',
  clientFlags: false,
  flags: {
    'data-dir': { type: 'string', value: 'DIR', file: true, description: 'where the CA, the SQLite file and the admin identity live (default ./data)' },
    listen: { type: 'string', value: 'HOST:PORT', description: 'the API address, mutual TLS (default 127.0.0.1:3025)' },
    'enroll-listen': { type: 'string', value: 'HOST:PORT', description: 'the invite port for gatehouse login (default: the API port + 1)' },
    'metrics-listen': { type: 'string', value: 'HOST:PORT', description: 'serve Prometheus /metrics and /healthz over plain HTTP there (off by default)' },
    'web-listen': { type: 'string', value: 'HOST:PORT', description: 'serve the web console over HTTPS there (off by default; sign in with gatehouse web login)' },
    config: { type: 'string', short: 'c', value: 'FILE', file: true, description: 'a YAML config file (unknown keys are errors)' },
    storage: { type: 'string', value: 'URL', description: 'sqlite:PATH (default) or postgres://USER@HOST:PORT/DB for several replicas' },
    'log-level': { type: 'string', value: 'LEVEL', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], description: 'trace, debug, info (default), warn, error or fatal' },
  },
  examples: ['gatehouse server start', 'gatehouse server start --config /etc/gatehouse/server.yaml'],
  async run({ values, globals }) {
    await runServer(values, globals.env);
  },
});

/** `gatehouse server start`. */
export const serverGroup: CommandGroup = { name: 'server', summary: 'run the access-request server: start', commands: [start] };

interface ServerFlags {
  'data-dir'?: string;
  listen?: string;
  'enroll-listen'?: string;
  'metrics-listen'?: string;
  'web-listen'?: string;
  config?: string;
  storage?: string;
  'log-level'?: string;
}

async function runServer(values: ServerFlags, env: CliEnv): Promise<void> {
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
      `Next steps, in another terminal (in a checkout, \`gatehouse\` is \`./dev gatehouse\`; with no other identity configured, ./data/admin-identity.pem is used from this directory):\n` +
      `  ${cli} roles apply -f examples/roles.yaml        # add roles (Teleport v4 role YAML)\n` +
      `  ${cli} users add alice --roles sres              # add a user; prints a one-time invite\n` +
      `  ${cli} login --addr ${server.addr} --token ...   # (alice) redeem it: profile ~/.gatehouse/CLUSTER/alice.pem\n` +
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
