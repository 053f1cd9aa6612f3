import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readIdentityFile } from '../auth/identity-file.ts';
import { GatehouseClient } from '../client/gatehouse-client.ts';
import { UsageError } from './cli-error.ts';
import type { CliEnv, GlobalOptions } from './parse-command.ts';

export const DEFAULT_ADDR = '127.0.0.1:3025';

/** `~/.gatehouse`, where `gatehouse login` keeps the identity and the server address. */
export function profileDir(env: CliEnv): string {
  return path.join(env.home, '.gatehouse');
}

interface Profile {
  addr?: string;
}

export function readProfile(env: CliEnv): Profile {
  const file = path.join(profileDir(env), 'config.json');
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'addr' in parsed && typeof parsed.addr === 'string') return { addr: parsed.addr };
  } catch {
    // A broken profile is ignored: flags and env still work, and `login` rewrites it.
  }
  return {};
}

export function resolveAddr(globals: GlobalOptions): string {
  return globals.addr ?? globals.env.addr ?? readProfile(globals.env).addr ?? DEFAULT_ADDR;
}

/** The identity file to use, in order: --identity, GATEHOUSE_IDENTITY, ~/.gatehouse/identity.pem, ./data/admin-identity.pem. */
export function resolveIdentityPath(globals: GlobalOptions): string {
  const explicit = globals.identity ?? globals.env.identity;
  if (explicit) return explicit;
  const candidates = [path.join(profileDir(globals.env), 'identity.pem'), path.join(globals.env.cwd, 'data', 'admin-identity.pem')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new UsageError(
      'no identity file found: pass --identity FILE, set GATEHOUSE_IDENTITY, or run `gatehouse login --addr HOST:PORT --token TOKEN`',
    );
  }
  return found;
}

/** Opens a client from the global flags; refuses an expired identity with a clear message. */
export async function connect(globals: GlobalOptions): Promise<GatehouseClient> {
  const file = resolveIdentityPath(globals);
  const identity = await readIdentityFile(file);
  if (identity.identity.expiresMs <= Date.now()) {
    throw new UsageError(`identity file ${file} (user "${identity.identity.user}") expired at ${new Date(identity.identity.expiresMs).toISOString()}; get a new one`);
  }
  return new GatehouseClient({ addr: resolveAddr(globals), identity });
}

/** Runs `fn` with a connected client and closes it afterwards, whatever happens. */
export async function withClient<T>(globals: GlobalOptions, fn: (client: GatehouseClient) => Promise<T>): Promise<T> {
  const client = await connect(globals);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
