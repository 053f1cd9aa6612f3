import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { EnrollServiceClient } from '../../proto/gen/gatehouse/v1/EnrollService.ts';
import type { GenerateUserCertsResponse__Output } from '../../proto/gen/gatehouse/v1/GenerateUserCertsResponse.ts';
import type { GetClusterCAResponse__Output } from '../../proto/gen/gatehouse/v1/GetClusterCAResponse.ts';
import { loadGatehouseProto } from '../../proto/load-proto.ts';
import { createKeyAndCsr } from '../auth/csr.ts';
import { decodeIdentityFile, encodeIdentityFile, writeIdentityFile } from '../auth/identity-file.ts';
import { caPinMatches, parseInviteToken } from '../auth/invite-token.ts';
import { GatehouseError } from '../client/client-error.ts';
import { SERVER_NAME } from '../client/gatehouse-client.ts';
import { CliError, UsageError } from './cli-error.ts';
import { defineCommand, type GlobalOptions } from './command-spec.ts';
import { cleanDetails } from './explain-error.ts';
import { EXIT } from './exit-codes.ts';
import { formatTime, printJson } from './output.ts';
import { listProfiles, saveProfile, type Profile } from './profiles.ts';
import { resolveIdentity } from './resolve-identity.ts';
import { parseServerAddr, withPort, type ServerAddr } from './server-addr.ts';

const CALL_DEADLINE_MS = 15_000;
const CHANNEL_OPTIONS = { 'grpc.ssl_target_name_override': SERVER_NAME, 'grpc.default_authority': SERVER_NAME };
const INSECURE = grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });

function enrollCall<T>(client: EnrollServiceClient, invoke: (c: EnrollServiceClient, o: grpc.CallOptions, cb: grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    invoke(client, { deadline: Date.now() + CALL_DEADLINE_MS }, (err, value) => {
      if (err) reject(GatehouseError.from(err));
      else if (value === undefined) reject(new GatehouseError('INTERNAL', 'empty response'));
      else resolve(value);
    });
  });
}

/** Asks `addr` for the cluster CA without trusting anything yet (the token's pin decides). */
async function fetchClusterCa(addr: ServerAddr): Promise<GetClusterCAResponse__Output> {
  const client = new (loadGatehouseProto().gatehouse.v1.EnrollService)(addr.text, INSECURE, CHANNEL_OPTIONS);
  try {
    return await enrollCall<GetClusterCAResponse__Output>(client, (c, o, cb) => c.GetClusterCA({}, o, cb));
  } finally {
    client.close();
  }
}

/** Why the invite port did not answer, in one line, with what to do. */
async function explainUnreachable(err: unknown, addr: ServerAddr, enroll: ServerAddr, enrollGiven: boolean): Promise<CliError> {
  if (!(err instanceof GatehouseError)) return new CliError(err instanceof Error ? err.message : String(err));
  // The invite port given as --addr: the invites are then looked for one port further on.
  if (!enrollGiven && (await fetchClusterCa(addr).then(() => true, () => false))) {
    return new CliError(`${addr.text} is the invite port; give the API address instead: gatehouse login --addr ${withPort(addr, addr.port - 1).text} --token ...`, EXIT.usage, { cause: err });
  }
  const details = cleanDetails(err.details);
  const where = enrollGiven ? `the invite port ${enroll.text} (--enroll-addr)` : `the invite port ${enroll.text} (the port after the API's, ${addr.text})`;
  if (/ECONNREFUSED/.test(details)) {
    return new CliError(`cannot reach ${where}: connection refused. Is the server running? Check --addr (the API address, e.g. 127.0.0.1:3025)${enrollGiven ? '' : ', or give --enroll-addr'}`, EXIT.unreachable, { cause: err });
  }
  return new CliError(`cannot redeem the invite at ${where}: ${details}. Check --addr${enrollGiven ? ' and --enroll-addr' : ''}`, EXIT.unreachable, { cause: err });
}

/** What plain commands (no flag naming an identity) act with once `profile` exists. */
function whatCommandsUse(globals: GlobalOptions, profile: Profile): string {
  const short = listProfiles(globals.env).filter((p) => p.user === profile.user).length > 1 ? profile.name : profile.user;
  const choose = `act as ${profile.user} with --profile ${short} (one command), export GATEHOUSE_PROFILE=${short} (this shell), or gatehouse profile use ${short}`;
  try {
    const chosen = resolveIdentity({ ...globals, identity: undefined, profile: undefined });
    if (chosen.path === profile.path) return `Commands without --profile or --identity act as ${profile.user} (${chosen.source}).`;
    return `Commands without --profile or --identity still act with ${chosen.source}; ${choose}.`;
  } catch {
    return `Other identities are here too (gatehouse profile ls): ${choose}.`;
  }
}

/**
 * `gatehouse login --addr HOST:PORT --token TOKEN`: redeems a one-time invite. The CA is fetched
 * from the invite port (API port + 1) and accepted only if it matches the pin inside the
 * token; then the key is generated here and only a CSR is sent. The identity becomes the
 * profile CLUSTER/USER in ~/.gatehouse, beside any other user's.
 */
export const loginCommand = defineCommand({
  name: 'login',
  summary: 'redeem an invite: store your identity as a profile in ~/.gatehouse',
  description:
    'Each login is kept as its own profile (~/.gatehouse/CLUSTER/USER.pem): a second user logging in\non the same machine never replaces the first one\'s identity. With one profile, commands use it;\nwith several, choose with --profile, GATEHOUSE_PROFILE or `gatehouse profile use`.',
  clientFlags: false,
  flags: {
    addr: { type: 'string', value: 'HOST[:PORT]', description: "the server's API address, as the invite says (port 3025 when left out; env GATEHOUSE_ADDR)" },
    token: { type: 'string', value: 'TOKEN', description: 'the one-time invite token (gh1....) from `gatehouse users add`' },
    'enroll-addr': { type: 'string', value: 'HOST:PORT', description: 'the invite port, when it is not the port after the API\'s' },
    out: { type: 'string', short: 'o', value: 'FILE', file: true, description: 'write the identity to FILE instead of a profile' },
    format: { type: 'string', value: 'table|json', choices: ['table', 'json'], description: 'output format (default table)' },
  },
  examples: ['gatehouse login --addr 127.0.0.1:3025 --token gh1.abc...', 'gatehouse login --addr gatehouse.example.com --token gh1.abc... --out ~/alice.pem'],
  async run({ values, globals }) {
    if (!values.token) throw new UsageError('gatehouse login: --token is required (an admin gets one from gatehouse users add)');
    const addrText = values.addr ?? globals.env.addr;
    if (!addrText) throw new UsageError('gatehouse login: --addr HOST:PORT is required (the address in the invite)');
    const addr = parseServerAddr(addrText, values.addr ? '--addr' : 'GATEHOUSE_ADDR');
    const token = parseInviteToken(values.token);
    const enrollGiven = values['enroll-addr'] !== undefined;
    const enroll = enrollGiven ? parseServerAddr(values['enroll-addr'] ?? '', '--enroll-addr') : withPort(addr, addr.port + 1);

    // Step 1: learn the CA without trusting anything yet; accept it only if it matches the pin.
    let ca: GetClusterCAResponse__Output;
    try {
      ca = await fetchClusterCa(enroll);
    } catch (err) {
      throw await explainUnreachable(err, addr, enroll, enrollGiven);
    }
    const caPem = ca.caPems.find((pem) => caPinMatches(token.caPin, new X509Certificate(pem).fingerprint256));
    if (!caPem) throw new CliError(`the server at ${enroll.text} presented a CA that does not match this invite; refusing to send the token (wrong address, or someone in between)`);

    // Step 2: a verified connection; only the CSR and the token travel.
    const { keyPem, csrPem } = await createKeyAndCsr('login');
    const verified = new (loadGatehouseProto().gatehouse.v1.EnrollService)(enroll.text, grpc.credentials.createSsl(Buffer.from(caPem)), CHANNEL_OPTIONS);
    let certs: GenerateUserCertsResponse__Output;
    try {
      certs = await enrollCall<GenerateUserCertsResponse__Output>(verified, (c, o, cb) => c.RedeemInvite({ token: values.token ?? '', csrPem }, o, cb));
    } catch (err) {
      throw new CliError(`the invite was refused: ${err instanceof GatehouseError ? cleanDetails(err.details) : String(err)}; ask an admin for a new one (gatehouse users update NAME --invite)`, EXIT.failure, { cause: err });
    } finally {
      verified.close();
    }
    const material = { keyPem, certPem: certs.certPem, caPems: certs.caPems };
    const { user } = decodeIdentityFile(encodeIdentityFile(material), 'the new identity').identity;
    const summary = { cluster: ca.clusterName, user, addr: addr.text, roles: certs.roles, expires: new Date(certs.expiresMs).toISOString() };

    if (values.out) {
      const out = path.resolve(globals.env.cwd, values.out);
      await writeIdentityFile(out, material);
      if (globals.format === 'json') return printJson({ ...summary, identity: out, profile: null });
      process.stdout.write(`Logged in to cluster "${ca.clusterName}" at ${addr.text} as ${user}.\n  identity: ${out}\n  roles:    ${certs.roles.join(', ')}\n  expires:  ${formatTime(certs.expiresMs)}\nUse it with --identity ${out} (or GATEHOUSE_IDENTITY=${out}).\n`);
      return;
    }
    const profile = await saveProfile(globals.env, ca.clusterName, user, addr.text, material);
    if (globals.format === 'json') return printJson({ ...summary, identity: profile.path, profile: profile.name });
    process.stdout.write(
      `Logged in to cluster "${ca.clusterName}" at ${addr.text} as ${user}.\n  profile:  ${profile.name} (${profile.path})\n  roles:    ${certs.roles.join(', ')}\n  expires:  ${formatTime(certs.expiresMs)}\n${whatCommandsUse(globals, profile)}\n`,
    );
  },
});
