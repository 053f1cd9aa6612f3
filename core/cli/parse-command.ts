import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { parseDuration } from '../domain/duration.ts';
import { UsageError } from './cli-error.ts';
import type { OutputFormat } from './output.ts';

/** Flags every client command accepts. */
export const GLOBAL_FLAGS = {
  addr: { type: 'string' },
  identity: { type: 'string', short: 'i' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const GLOBAL_HELP = `Global flags:
  --addr HOST:PORT     server address (env GATEHOUSE_ADDR, ~/.gatehouse/config.json, default 127.0.0.1:3025)
  --identity FILE      identity file (env GATEHOUSE_IDENTITY, ~/.gatehouse/identity.pem, ./data/admin-identity.pem)
  --format table|json  output format (default table)`;

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
    if (name !== 'addr' && name !== 'identity' && name !== 'format') break;
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

/** What main() read from the environment, passed down so nothing else reads process.env. */
export interface CliEnv {
  home: string;
  cwd: string;
  addr: string | undefined;
  identity: string | undefined;
  /** GATEHOUSE_WEB: the web console's URL (`gatehouse web login`). */
  web?: string | undefined;
}

export interface GlobalOptions {
  addr: string | undefined;
  identity: string | undefined;
  format: OutputFormat;
  env: CliEnv;
}

export interface ParsedCommand<T extends ParseArgsOptionsConfig> {
  values: ReturnType<typeof parseArgs<{ options: T & typeof GLOBAL_FLAGS; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
  globals: GlobalOptions;
}

/**
 * Parses one command's flags (plus the global ones). `--help` prints `usage` and exits 0;
 * unknown flags and missing values are UsageErrors naming the flag.
 */
export function parseCommand<T extends ParseArgsOptionsConfig>(argv: string[], options: T, usage: string, env: CliEnv): ParsedCommand<T> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...GLOBAL_FLAGS }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
  }
  const v: Record<string, unknown> = parsed.values;
  const str = (key: string): string | undefined => (typeof v[key] === 'string' ? v[key] : undefined);
  if (v.help === true) {
    process.stdout.write(`${usage}\n\n${GLOBAL_HELP}\n`);
    process.exit(0);
  }
  const format = str('format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not ${JSON.stringify(format)}`);
  return {
    values: parsed.values,
    positionals: parsed.positionals,
    globals: { addr: str('addr'), identity: str('identity'), format, env },
  };
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
