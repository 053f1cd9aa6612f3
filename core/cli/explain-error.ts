import { GatehouseError } from '../client/client-error.ts';
import type { ClientIdentity } from '../client/gatehouse-client.ts';
import { CliError } from './cli-error.ts';
import { clusterOfCa, diagnoseConnection } from './diagnose-connection.ts';
import { EXIT } from './exit-codes.ts';
import type { ChosenIdentity } from './resolve-identity.ts';
import { DEFAULT_PORT, withPort, type ServerAddr } from './server-addr.ts';

/** Who made a failed call, and where to: what the explanation names. */
export interface CallContext {
  addr: ServerAddr;
  /** Where the address came from (`--addr`, `the profile gatehouse/alice`, `the default`). */
  addrSource: string;
  identity: ChosenIdentity;
  material: ClientIdentity;
  user: string;
  /** `./data/admin-identity.pem` when a server's admin identity is here and was not used. */
  adminHere: string | undefined;
}

/** How a user gets a fresh identity, for every message about a refused or expired one. */
export function renewHint(user: string): string {
  return `get a new one: \`gatehouse login\` with a new invite (an admin runs \`gatehouse users update ${user} --invite\`), or ask an admin for \`gatehouse auth sign --user ${user} --out FILE\``;
}

/** grpc-js wraps the cause in its own words: keep the cause, drop the rest. */
export function cleanDetails(details: string): string {
  return details
    .replace(/\s*Resolution note:.*$/s, '')
    .replace(/^No connection established\. Last error: (Error: )?/, '')
    .replace(/\.$/, '');
}

/**
 * Turns a failed call into one line that says what happened and what to do, with an exit
 * status: a server that is not reachable, the invite port given as the API address, a server
 * of another cluster, a certificate the server refuses, a permission the identity lacks.
 * Server answers other than those keep their status name and message (`NOT_FOUND: ...`).
 */
export async function explainCallError(err: unknown, ctx: CallContext): Promise<CliError> {
  if (!(err instanceof GatehouseError)) return err instanceof CliError ? err : new CliError(err instanceof Error ? err.message : String(err), EXIT.failure, { cause: err });
  const at = `${ctx.addr.text} (${ctx.addrSource})`;
  const who = `"${ctx.user}" (${ctx.identity.source})`;
  if (err.code === 'UNIMPLEMENTED' && err.details.includes('gatehouse.v1.AccessService/')) {
    const api = withPort(ctx.addr, ctx.addr.port - 1).text;
    return new CliError(`${ctx.addr.text} is the invite port of a Gatehouse server (for gatehouse login), not its API: the API is on the port before it, --addr ${api}`, EXIT.unreachable, { cause: err });
  }
  if (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED') {
    const d = await diagnoseConnection(ctx.addr, ctx.material);
    const ours = clusterOfCa(ctx.material.caPems[0] ?? '');
    switch (d.kind) {
      case 'refused':
        return new CliError(`cannot reach the Gatehouse server at ${at}: connection refused. Is it running? Check --addr`, EXIT.unreachable, { cause: err });
      case 'unknown-host':
        return new CliError(`cannot reach the Gatehouse server at ${at}: unknown host "${ctx.addr.host}". Check --addr`, EXIT.unreachable, { cause: err });
      case 'no-answer':
        return new CliError(`no answer from ${at}: is the server running, and is the address reachable from here? Check --addr`, EXIT.unreachable, { cause: err });
      case 'not-tls':
        return new CliError(`${at} does not answer as a Gatehouse API (no TLS there: the metrics port?). Check --addr; the API is on port ${DEFAULT_PORT} unless configured otherwise`, EXIT.unreachable, { cause: err });
      case 'foreign-ca': {
        const theirs = d.serverCluster && d.serverCluster !== ours ? ` (cluster "${d.serverCluster}")` : '';
        return new CliError(
          `the server at ${at} is of another cluster${theirs}: its certificate is not signed by the CA of the identity ${ctx.identity.path}${ours ? ` (cluster "${ours}")` : ''}. Use an identity of that cluster (--profile, --identity), or check --addr`,
          EXIT.failure,
          { cause: err },
        );
      }
      case 'cert-refused':
        return new CliError(
          `the server at ${at} refused the certificate of ${who}: it is of another cluster, expired, or no longer valid; ${renewHint(ctx.user)}`,
          EXIT.failure,
          { cause: err },
        );
      case 'ok':
      case 'other':
        return new CliError(`cannot reach the Gatehouse server at ${at}: ${cleanDetails(err.details)}`, EXIT.unreachable, { cause: err });
    }
  }
  if (err.code === 'PERMISSION_DENIED') {
    const admin = ctx.adminHere ? `; to act as the admin of the server in this directory: --identity ${ctx.adminHere}` : '';
    return new CliError(`permission denied to ${who}: ${err.details}${admin}`, EXIT.failure, { cause: err });
  }
  if (err.code === 'UNAUTHENTICATED') {
    return new CliError(`the server refused the identity of ${who}: ${err.details}; ${renewHint(ctx.user)}`, EXIT.failure, { cause: err });
  }
  return new CliError(`${err.code}: ${cleanDetails(err.details)}`, EXIT.failure, { cause: err });
}
