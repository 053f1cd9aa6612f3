import { UsageError } from './cli-error.ts';
import { findNode, isGroup, type CliEnv, type CommandNode } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { commandHelp, groupHelp, helpFor, rootHelp } from './help-text.ts';
import { nearest } from './nearest.ts';
import { hoistGlobalFlags, parseCommandLine } from './parse-command.ts';

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** `unknown command "users lss"; did you mean "users ls"?`, naming the help to read. */
function unknown(word: string, among: readonly CommandNode[], group?: string): UsageError {
  if (word.startsWith('-')) return new UsageError(`unknown flag ${word} before a command (see gatehouse${group ? ` ${group}` : ''} --help)`);
  const guess = nearest(word, among.flatMap((n) => [n.name, ...(n.aliases ?? [])]));
  const prefix = group ? `${group} ` : '';
  return new UsageError(`unknown command "${prefix}${word}"${guess ? `; did you mean "${prefix}${guess}"?` : ''} (see gatehouse${group ? ` ${group}` : ''} --help)`);
}

/** `gatehouse help request create`: the help of whatever the words name. */
function helpOf(words: readonly string[], nodes: readonly CommandNode[]): string {
  const [first, second] = words;
  if (first === undefined) return rootHelp(nodes);
  const node = findNode(nodes, first);
  if (!node) throw unknown(first, nodes);
  if (!isGroup(node) || second === undefined) return helpFor(node, `gatehouse ${node.name}`);
  const leaf = findNode(node.commands, second);
  if (!leaf) throw unknown(second, node.commands, node.name);
  return commandHelp(leaf, `gatehouse ${node.name} ${leaf.name}`);
}

/**
 * Runs one command line of `gatehouse` over the command tree `nodes`: finds the command, answers
 * `--help` (and `gatehouse help ...`) on stdout with status 0, parses the arguments and runs it.
 * Resolves with the exit status; usage errors are thrown as UsageError (status 2).
 */
export async function runCli(argv: readonly string[], env: CliEnv, nodes: readonly CommandNode[]): Promise<number> {
  const [first, ...rest] = hoistGlobalFlags(argv);
  if (first === undefined) {
    process.stderr.write(rootHelp(nodes));
    return EXIT.usage;
  }
  if (HELP_WORDS.has(first)) {
    process.stdout.write(helpOf(rest.filter((w) => !w.startsWith('-')), nodes));
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') return runCli(['version'], env, nodes);
  const node = findNode(nodes, first);
  if (!node) throw unknown(first, nodes);
  let path = `gatehouse ${node.name}`;
  let leaf = node;
  let args = rest;
  if (isGroup(node)) {
    const [sub, ...subRest] = rest;
    if (sub === undefined || sub.startsWith('-')) {
      if (sub !== undefined && HELP_WORDS.has(sub)) {
        process.stdout.write(groupHelp(node, path));
        return EXIT.ok;
      }
      process.stderr.write(groupHelp(node, path));
      return EXIT.usage;
    }
    if (HELP_WORDS.has(sub)) {
      process.stdout.write(helpOf([node.name, ...subRest.filter((w) => !w.startsWith('-'))], nodes));
      return EXIT.ok;
    }
    const found = findNode(node.commands, sub);
    if (!found) throw unknown(sub, node.commands, node.name);
    leaf = found;
    path = `${path} ${found.name}`;
    args = subRest;
  }
  if (isGroup(leaf)) throw new UsageError(`${path}: not a command`);
  const parsed = parseCommandLine(args, leaf, path, env);
  if (parsed.help) {
    process.stdout.write(commandHelp(leaf, path));
    return EXIT.ok;
  }
  return (await leaf.run(parsed)) ?? EXIT.ok;
}
