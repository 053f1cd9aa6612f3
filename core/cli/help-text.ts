import { isGroup, type CommandGroup, type CommandNode, type CommandSpec, type FlagSpecs } from './command-spec.ts';
import { EXIT_HELP } from './exit-codes.ts';
import { GLOBAL_FLAGS, HELP_FLAG, usageLine } from './parse-command.ts';

function flagLines(flags: FlagSpecs): string[] {
  const heads = Object.entries(flags).map(([name, spec]) => {
    const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
    return `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value}`;
  });
  const width = Math.max(...heads.map((h) => h.length));
  return Object.values(flags).map((spec, i) => `  ${(heads[i] ?? '').padEnd(width)}  ${spec.description}`);
}

function nodeLines(nodes: readonly CommandNode[]): string[] {
  const width = Math.max(...nodes.map((n) => n.name.length));
  return nodes.map((n) => `  ${n.name.padEnd(width)}  ${n.summary}`);
}

/** The `--help` of one command: what it does, its synopsis, each argument and flag, examples. */
export function commandHelp(command: CommandSpec, commandPath: string): string {
  const parts = [`${command.summary}${command.description ? `\n\n${command.description}` : ''}`, `Usage: ${usageLine(command, commandPath)}`];
  const args = command.args ?? [];
  if (args.length > 0) {
    const width = Math.max(...args.map((a) => a.name.length));
    parts.push(`Arguments:\n${args.map((a) => `  ${a.name.padEnd(width)}  ${a.description}${a.optional ? ' (optional)' : ''}`).join('\n')}`);
  }
  parts.push(`Flags:\n${flagLines({ ...command.flags, ...HELP_FLAG }).join('\n')}`);
  if (command.clientFlags !== false) parts.push(`Global flags:\n${flagLines(GLOBAL_FLAGS).join('\n')}`);
  if (command.aliases?.length) parts.push(`Aliases: ${command.aliases.join(', ')}`);
  parts.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

/** The `--help` of a group: its commands, and how to get each one's help. */
export function groupHelp(group: CommandGroup, groupPath: string): string {
  const examples = group.commands.flatMap((c) => c.examples.slice(0, 1));
  return (
    `${group.summary}\n\nUsage: ${groupPath} <command> [flags]\n\nCommands:\n${nodeLines(group.commands).join('\n')}\n\n` +
    `Examples:\n${examples.map((e) => `  ${e}`).join('\n')}\n\nRun "${groupPath} <command> --help" for a command's flags.\n`
  );
}

/** `gatehouse --help`: every command, how identities are chosen, the exit statuses. */
export function rootHelp(nodes: readonly CommandNode[]): string {
  const groups = nodes.filter((n) => !n.name.startsWith('_'));
  return `gatehouse: just-in-time access requests

Usage: gatehouse <command> [flags]

Commands:
${nodeLines(groups).join('\n')}

Global flags (before or after the command):
${flagLines(GLOBAL_FLAGS).join('\n')}

Which identity a command acts with, first match wins:
  --identity FILE, --profile NAME, GATEHOUSE_IDENTITY, GATEHOUSE_PROFILE, the profile chosen
  with \`gatehouse profile use\`; else the one identity there is: a profile from
  \`gatehouse login\` (~/.gatehouse/CLUSTER/USER.pem), or ./data/admin-identity.pem, the admin
  identity of a server started in this directory. With several and none chosen, the command
  stops and lists them. \`gatehouse status\` says which is in use.

${EXIT_HELP}

Run "gatehouse <command> --help" for a command's flags and examples; shell completion:
gatehouse completion bash|zsh|fish.
`;
}

/** Help for whatever `path` names. */
export function helpFor(node: CommandNode, path: string): string {
  return isGroup(node) ? groupHelp(node, path) : commandHelp(node, path);
}
