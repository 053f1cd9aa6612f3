#!/usr/bin/env node
import { homedir } from 'node:os';
import { AppError } from '../domain/app-error.ts';
import { GatehouseError } from '../client/client-error.ts';
import { runAuditCommand } from './audit-command.ts';
import { runAuthCommand, runLoginCommand } from './auth-command.ts';
import { UsageError } from './cli-error.ts';
import { withClient } from './connect.ts';
import { printJson } from './output.ts';
import { GLOBAL_HELP, hoistGlobalFlags, parseCommand, type CliEnv } from './parse-command.ts';
import { runRequestCommand } from './request-command.ts';
import { runRolesCommand } from './roles-command.ts';
import { runServerCommand } from './server-command.ts';
import { runUsersCommand } from './users-command.ts';
import { runWebCommand } from './web-command.ts';

const USAGE = `gatehouse: just-in-time access requests

Usage: gatehouse [global flags] <command> [flags]

Server:
  server start            run the access-request server (see: gatehouse server start --help)

Access requests:
  request create|ls|show|review|revoke|rm|assume

Administration:
  users add|update|ls|rm  users and one-time invites
  roles apply|ls|show|rm  roles (Teleport v4 role YAML)
  auth sign               write an identity file for a user or plugin
  audit ls                the audit log

Session:
  login                   redeem an invite: gatehouse login --addr HOST:PORT --token TOKEN
  status                  who am I, and is the server reachable
  web login               a one-time link that signs you in to the web console

${GLOBAL_HELP}

Run "gatehouse <command> --help" for a command's flags.`;

async function runStatus(argv: string[], env: CliEnv): Promise<void> {
  const { globals } = parseCommand(argv, {}, 'Usage: gatehouse status', env);
  await withClient(globals, async (client) => {
    const p = await client.ping();
    if (globals.format === 'json') return printJson(p);
    process.stdout.write(
      `Cluster:  ${p.clusterName} (server ${p.serverVersion}) at ${client.addr}\nUser:     ${p.user}\nRoles:    ${p.roles.join(', ')}\nExpires:  ${new Date(p.identityExpiresMs).toISOString()}\n`,
    );
  });
}

async function main(argv: string[]): Promise<number> {
  const env: CliEnv = {
    home: process.env.HOME ?? homedir(),
    cwd: process.cwd(),
    addr: process.env.GATEHOUSE_ADDR,
    identity: process.env.GATEHOUSE_IDENTITY,
    web: process.env.GATEHOUSE_WEB,
  };
  const [command, ...rest] = hoistGlobalFlags(argv);
  switch (command) {
    case 'server':
      await runServerCommand(rest, env);
      return 0;
    case 'request':
    case 'requests':
      await runRequestCommand(rest, env);
      return 0;
    case 'users':
    case 'user':
      await runUsersCommand(rest, env);
      return 0;
    case 'roles':
    case 'role':
      await runRolesCommand(rest, env);
      return 0;
    case 'auth':
      await runAuthCommand(rest, env);
      return 0;
    case 'login':
      await runLoginCommand(rest, env);
      return 0;
    case 'audit':
      await runAuditCommand(rest, env);
      return 0;
    case 'web':
      await runWebCommand(rest, env);
      return 0;
    case 'status':
    case 'ping':
      await runStatus(rest, env);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    case '--version':
    case 'version':
      process.stdout.write('gatehouse 0.1.0\n');
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof GatehouseError || err instanceof AppError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
