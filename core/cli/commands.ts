import { auditGroup } from './audit-command.ts';
import { authGroup } from './auth-command.ts';
import { defineCommand, type CommandNode } from './command-spec.ts';
import { completionCommand } from './completion-command.ts';
import { loginCommand } from './login-command.ts';
import { profileGroup } from './profile-command.ts';
import { requestGroup } from './request-command.ts';
import { rolesGroup } from './roles-command.ts';
import { serverGroup } from './server-command.ts';
import { statusCommand } from './status-command.ts';
import { usersGroup } from './users-command.ts';
import { webGroup } from './web-command.ts';

/** The version `gatehouse version` prints. */
export const CLI_VERSION = '0.1.0';

const versionCommand = defineCommand({
  name: 'version',
  summary: 'print the version',
  clientFlags: false,
  flags: {},
  examples: ['gatehouse version'],
  async run() {
    process.stdout.write(`gatehouse ${CLI_VERSION}\n`);
  },
});

/**
 * Every command of `gatehouse`, in the order `--help` lists them. A new command group is one
 * file exporting a CommandGroup (see request-command.ts), added here; help, completion,
 * suggestions and argument checks come from its specs.
 */
export const COMMANDS: readonly CommandNode[] = [
  requestGroup,
  loginCommand,
  statusCommand,
  profileGroup,
  usersGroup,
  rolesGroup,
  authGroup,
  auditGroup,
  webGroup,
  serverGroup,
  completionCommand(() => COMMANDS),
  versionCommand,
];
