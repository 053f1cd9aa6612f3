import { readIdentityFile } from '../auth/identity-file.ts';
import { GatehouseClient } from '../client/gatehouse-client.ts';
import { CliError } from './cli-error.ts';
import type { GlobalOptions } from './command-spec.ts';
import { explainCallError, renewHint, type CallContext } from './explain-error.ts';
import { clusterOfCa } from './diagnose-connection.ts';
import { readClusterAddr, readConfig } from './profiles.ts';
import { dataDirAdminIdentity, resolveIdentity } from './resolve-identity.ts';
import { DEFAULT_ADDR, parseServerAddr, type ServerAddr } from './server-addr.ts';

/** The server address and where it came from: --addr, GATEHOUSE_ADDR, the one stored at login for the identity's cluster, an earlier version's login, the default. */
export function resolveAddr(globals: GlobalOptions, profileAddr?: string): { addr: ServerAddr; source: string } {
  if (globals.addr) return { addr: parseServerAddr(globals.addr, '--addr'), source: '--addr' };
  if (globals.env.addr) return { addr: parseServerAddr(globals.env.addr, 'GATEHOUSE_ADDR'), source: 'GATEHOUSE_ADDR' };
  if (profileAddr) return { addr: parseServerAddr(profileAddr, 'the address stored at login'), source: 'the address stored at login' };
  const legacy = readConfig(globals.env).addr;
  if (legacy) return { addr: parseServerAddr(legacy, '~/.gatehouse/config.json addr'), source: '~/.gatehouse/config.json' };
  return { addr: parseServerAddr(DEFAULT_ADDR, 'the default address'), source: 'the default address' };
}

/** A client, and what it was made from: the identity, its user, the address. */
export interface Session {
  client: GatehouseClient;
  context: CallContext;
}

/**
 * Opens a client as the identity the global flags choose (see resolveIdentity); refuses an
 * expired identity, saying how to get a new one.
 */
export async function openSession(globals: GlobalOptions): Promise<Session> {
  const identity = resolveIdentity(globals);
  if (identity.notice) process.stderr.write(`(${identity.notice})\n`);
  const file = await readIdentityFile(identity.path);
  const user = file.identity.user;
  if (file.identity.expiresMs <= Date.now()) {
    throw new CliError(`the identity of "${user}" (${identity.source}) expired at ${new Date(file.identity.expiresMs).toISOString()}; ${renewHint(user)}`);
  }
  // An identity that is no profile (from `request assume`, `auth sign`) still belongs to a
  // cluster, whose address a login may have stored.
  const { addr, source } = resolveAddr(globals, identity.profile?.addr ?? readClusterAddr(globals.env, clusterOfCa(file.caPems[0] ?? '')));
  const admin = dataDirAdminIdentity(globals.env.cwd);
  return {
    client: new GatehouseClient({ addr: addr.text, identity: file }),
    context: { addr, addrSource: source, identity, material: file, user, adminHere: admin && admin !== identity.path ? './data/admin-identity.pem' : undefined },
  };
}

/**
 * Runs `fn` with a connected client and closes it afterwards, whatever happens; a failed call
 * becomes a CliError that says in one line what went wrong and what to do.
 */
export async function withClient<T>(globals: GlobalOptions, fn: (client: GatehouseClient, session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(globals);
  try {
    return await fn(session.client, session);
  } catch (err) {
    throw await explainCallError(err, session.context);
  } finally {
    session.client.close();
  }
}
