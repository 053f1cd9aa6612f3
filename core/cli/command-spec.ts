import type { OutputFormat } from './output.ts';

/** One flag of a command: how it parses, and what help and completion say of it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help (`--roles R1,R2`). @default VALUE */
  value?: string;
  /** One line for `--help`. */
  description: string;
  /** Values the shell completes (`--state pending`...). */
  choices?: readonly string[];
  /** The value is a file path (completed as one). */
  file?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed flags of a command, typed after its specs. */
export type FlagValues<F extends FlagSpecs> = { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string };

/** A positional argument. */
export interface ArgSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** What main() read from the environment, passed down so nothing else reads process.env. */
export interface CliEnv {
  home: string;
  cwd: string;
  /** GATEHOUSE_ADDR */
  addr: string | undefined;
  /** GATEHOUSE_IDENTITY */
  identity: string | undefined;
  /** GATEHOUSE_PROFILE */
  profile: string | undefined;
  /** GATEHOUSE_WEB: the web console's URL (`gatehouse web login`). */
  web?: string | undefined;
}

/** The global flags of every client command, after parsing. */
export interface GlobalOptions {
  addr: string | undefined;
  identity: string | undefined;
  profile: string | undefined;
  format: OutputFormat;
  env: CliEnv;
}

export interface CommandContext<F extends FlagSpecs> {
  values: FlagValues<F>;
  /** The positional arguments, as many as the command's `args` allow. */
  args: readonly string[];
  globals: GlobalOptions;
}

/** A command that runs (`request create`, `login`). */
export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  name: string;
  aliases?: readonly string[];
  /** One line, for the list of commands. */
  summary: string;
  /** More text for its own `--help`. */
  description?: string;
  args?: readonly ArgSpec[];
  flags: F;
  examples: readonly string[];
  /**
   * Whether the global flags (`--addr`, `--identity`, `--profile`, `--format`) apply: every
   * command that talks to the server as someone. @default true
   */
  clientFlags?: boolean;
  /** Runs the command; resolves with an exit status (default 0). */
  run(ctx: CommandContext<F>): Promise<number | void>;
}

/** A group of commands under one name (`request`, `users`); one file per group. */
export interface CommandGroup {
  name: string;
  aliases?: readonly string[];
  summary: string;
  commands: readonly CommandSpec[];
}

export type CommandNode = CommandGroup | CommandSpec;

/** Whether a node is a group of subcommands. */
export function isGroup(node: CommandNode): node is CommandGroup {
  return 'commands' in node;
}

/** Keeps a command's flag types for its `run`, and hands it back as a plain CommandSpec. */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): CommandSpec {
  return spec;
}

/** The node named `name` (or one of its aliases) among `nodes`. */
export function findNode<T extends CommandNode>(nodes: readonly T[], name: string): T | undefined {
  return nodes.find((n) => n.name === name || (n.aliases ?? []).includes(name));
}
