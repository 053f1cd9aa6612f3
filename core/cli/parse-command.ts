import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { parseDuration } from '../domain/duration.ts';
import { UsageError } from './cli-error.ts';
import type { CliEnv, CommandContext, CommandSpec, FlagSpecs, FlagValues, GlobalOptions } from './command-spec.ts';
import { nearest } from './nearest.ts';

/** Flags every command that talks to the server accepts, before or after the command. */
export const GLOBAL_FLAGS = {
  addr: {
    type: 'string',
    value: 'HOST[:PORT]',
    description: "server address; port 3025 when left out (env GATEHOUSE_ADDR; default: the profile's address, else 127.0.0.1:3025)",
  },
  identity: { type: 'string', short: 'i', value: 'FILE', file: true, description: 'act with this identity file (env GATEHOUSE_IDENTITY)' },
  profile: { type: 'string', value: 'NAME', description: 'act as this login profile, USER or CLUSTER/USER (env GATEHOUSE_PROFILE; list: gatehouse profile ls)' },
  format: { type: 'string', value: 'table|json', choices: ['table', 'json'], description: 'output: a table for people, JSON (snake_case keys) for scripts (default table)' },
} as const satisfies FlagSpecs;

/** `-h, --help`, which every command and group answers. */
export const HELP_FLAG = { help: { type: 'boolean', short: 'h', description: 'show this help' } } as const satisfies FlagSpecs;

/**
 * Moves global flags written before the command (`gatehouse --identity F request ls`, as with
 * kubectl or tsh) to after it, where every command's parser reads them. Stops at the first
 * argument that is not a global flag taking a value; `--help` before a command stays put.
 */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  for (;;) {
    const arg = argv[i];
    if (arg === undefined) break;
    const name = arg === '-i' ? 'identity' : arg.startsWith('--') ? arg.slice(2).split('=')[0] : undefined;
    if (name === undefined || !Object.hasOwn(GLOBAL_FLAGS, name)) break;
    if (arg.includes('=')) {
      leading.push(arg);
      i += 1;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${arg} needs a value, then a command (see gatehouse --help)`);
    leading.push(arg, value);
    i += 2;
  }
  return [...argv.slice(i), ...leading];
}

function toParseArgsOptions(flags: FlagSpecs): ParseArgsOptionsConfig {
  const out: ParseArgsOptionsConfig = {};
  for (const [name, spec] of Object.entries(flags)) out[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  return out;
}

/** Every flag `command` takes, its own first, then `--help` and (for client commands) the global ones. */
export function flagsOf(command: CommandSpec): FlagSpecs {
  return { ...command.flags, ...HELP_FLAG, ...(command.clientFlags === false ? {} : GLOBAL_FLAGS) };
}

/** Node's parseArgs messages, said the way the rest of the CLI speaks, naming the command. */
function explainParseError(err: unknown, flags: FlagSpecs, commandPath: string): UsageError {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'(-[^']*)'/.exec(message)?.[1] ?? '';
  const see = `(see ${commandPath} --help)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = nearest(quoted.replace(/^-+/, '').split('=')[0] ?? '', Object.keys(flags));
    return new UsageError(`unknown flag ${quoted} for ${commandPath}${guess ? `; did you mean --${guess}?` : ''} ${see}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--([a-z-]+)/.exec(message)?.[1];
    const spec = flag === undefined ? undefined : flags[flag];
    if (spec?.type === 'boolean') return new UsageError(`--${flag} takes no value ${see}`);
    if (spec) return new UsageError(`--${flag} needs a value: --${flag} ${spec.value ?? 'VALUE'} ${see}`);
  }
  return new UsageError(`${message} ${see}`);
}

/** The result of parsing a command line: help wanted, or what to run with. */
export type Parsed<F extends FlagSpecs> = { help: true } | ({ help: false } & CommandContext<F>);

/**
 * Parses one command's arguments: its flags, `--help`, the global flags when it talks to the
 * server, and its positional arguments, exactly as many as it takes.
 *
 * @throws UsageError naming the unknown flag (and the nearest known one), a flag without its
 *   value, a missing or an unexpected argument, or a bad `--format`.
 */
export function parseCommandLine<F extends FlagSpecs>(argv: readonly string[], command: CommandSpec<F>, commandPath: string, env: CliEnv): Parsed<F> {
  const flags = flagsOf(command as CommandSpec);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: toParseArgsOptions(flags), allowPositionals: true, strict: true });
  } catch (err) {
    throw explainParseError(err, flags, commandPath);
  }
  const v: Record<string, unknown> = parsed.values;
  if (v.help === true) return { help: true };
  const args = command.args ?? [];
  const required = args.filter((a) => !a.optional).length;
  const [missing] = args.slice(parsed.positionals.length).filter((a) => !a.optional);
  if (parsed.positionals.length < required && missing) {
    throw new UsageError(`${commandPath}: missing ${missing.name} (${usageLine(command as CommandSpec, commandPath)})`);
  }
  const extra = parsed.positionals[args.length];
  if (extra !== undefined) {
    const takes = args.length === 0 ? 'takes no arguments' : `takes ${args.map((a) => a.name).join(' ')}`;
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)}: ${commandPath} ${takes} (quote a value with spaces; see ${commandPath} --help)`);
  }
  const str = (key: string): string | undefined => (typeof v[key] === 'string' ? v[key] : undefined);
  const format = str('format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not ${JSON.stringify(format)}`);
  const globals: GlobalOptions = { addr: str('addr'), identity: str('identity'), profile: str('profile'), format, env };
  // parseArgs checked every value against the specs' types, which FlagValues<F> mirrors.
  return { help: false, values: parsed.values as FlagValues<F>, args: parsed.positionals, globals };
}

/** `gatehouse request review ID [flags]`: the synopsis of a command. */
export function usageLine(command: CommandSpec, commandPath: string): string {
  const args = (command.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name));
  return [commandPath, ...args, '[flags]'].join(' ');
}

/** Parses `8h`, `30m`, `7d`, `2160h`; names the flag on error. */
export function parseDurationFlag(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new UsageError(`--${flag}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * A point in time given as how long ago (`24h`, `7d`) or as an ISO 8601 date or time
 * (`2026-12-01`, `2026-12-01T09:00Z`); names the flag on error.
 */
export function parseTimeFlag(flag: string, value: string, nowMs: number): number {
  if (/^\d+[a-z]/.test(value)) return nowMs - parseDurationFlag(flag, value);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--${flag}: expected a duration ago (24h, 7d) or an ISO date or time (2026-12-01T09:00Z), not ${JSON.stringify(value)}`);
  return ms;
}

/** Splits `a,b, c` into a list, dropping empties. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
