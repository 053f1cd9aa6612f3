import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EnrollServiceClient } from '../../proto/gen/gatehouse/v1/EnrollService.ts';
import type { GenerateUserCertsResponse__Output } from '../../proto/gen/gatehouse/v1/GenerateUserCertsResponse.ts';
import type { GetClusterCAResponse__Output } from '../../proto/gen/gatehouse/v1/GetClusterCAResponse.ts';
import { loadGatehouseProto } from '../../proto/load-proto.ts';
import { createKeyAndCsr } from '../auth/csr.ts';
import { writeIdentityFile } from '../auth/identity-file.ts';
import { caPinMatches, parseInviteToken } from '../auth/invite-token.ts';
import { GatehouseError } from '../client/client-error.ts';
import { SERVER_NAME } from '../client/gatehouse-client.ts';
import { UsageError } from './cli-error.ts';
import { withClient, profileDir } from './connect.ts';
import { formatTime, printJson } from './output.ts';
import { parseCommand, parseDurationFlag, type CliEnv } from './parse-command.ts';

/** `gatehouse auth sign --user NAME --out FILE [--ttl 2160h]` (admin): an identity file for someone else, e.g. a plugin. */
export async function runAuthCommand(argv: string[], env: CliEnv): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'sign') {
    if (sub === undefined || sub === 'help' || sub === '--help') {
      process.stdout.write('Usage: gatehouse auth sign --user NAME --out FILE [--ttl 2160h]\n');
      return;
    }
    throw new UsageError(`unknown command "auth ${sub}" (did you mean "auth sign"?)`);
  }
  const usage = 'Usage: gatehouse auth sign --user NAME --out FILE [--ttl 2160h]\n\nWrites an identity file (key, certificate, CA) for an existing user, e.g. a plugin.\nThe key is generated here; the server only signs a certificate request.';
  const { values, globals } = parseCommand(rest, { user: { type: 'string' }, out: { type: 'string', short: 'o' }, ttl: { type: 'string' } }, usage, env);
  const { user, out } = values;
  if (!user) throw new UsageError('gatehouse auth sign: --user is required');
  if (!out) throw new UsageError('gatehouse auth sign: --out is required');
  const ttlMs = parseDurationFlag('ttl', values.ttl ?? '12h');
  await withClient(globals, async (client) => {
    const { keyPem, csrPem } = await createKeyAndCsr(user);
    const certs = await client.generateUserCerts({ csrPem, user, ttlMs });
    await writeIdentityFile(out, { keyPem, certPem: certs.certPem, caPems: certs.caPems });
    if (globals.format === 'json') return printJson({ identity: out, user, roles: certs.roles, expires: new Date(certs.expiresMs).toISOString() });
    process.stdout.write(`Identity for "${user}" (roles ${certs.roles.join(', ')}) written to ${out}, valid until ${formatTime(certs.expiresMs)}.\n`);
  });
}

function enrollAddrOf(addr: string): string {
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new UsageError(`--addr: expected HOST:PORT, got ${JSON.stringify(addr)}`);
  return `${addr.slice(0, i)}:${port + 1}`;
}

function enrollCall<T>(client: EnrollServiceClient, invoke: (c: EnrollServiceClient, o: grpc.CallOptions, cb: grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    invoke(client, { deadline: Date.now() + 15_000 }, (err, value) => {
      if (err) reject(GatehouseError.from(err));
      else if (value === undefined) reject(new Error('empty response'));
      else resolve(value);
    });
  });
}

/**
 * `gatehouse login --addr HOST:PORT --token TOKEN`: redeems a one-time invite. The CA is fetched
 * from the enrollment port (API port + 1) and accepted only if it matches the pin inside the
 * token; then the key is generated here and only a CSR is sent.
 */
export async function runLoginCommand(argv: string[], env: CliEnv): Promise<void> {
  const usage = `Usage: gatehouse login --addr HOST:PORT --token TOKEN [--enroll-addr HOST:PORT] [--out FILE]

Redeems an invite from \`gatehouse users add\` and stores ~/.gatehouse/identity.pem.`;
  const { values, globals } = parseCommand(argv, { token: { type: 'string' }, 'enroll-addr': { type: 'string' }, out: { type: 'string' } }, usage, env);
  if (!values.token) throw new UsageError('gatehouse login: --token is required');
  if (!globals.addr) throw new UsageError('gatehouse login: --addr HOST:PORT is required');
  const token = parseInviteToken(values.token);
  const enrollAddr = values['enroll-addr'] ?? enrollAddrOf(globals.addr);
  const proto = loadGatehouseProto();
  const options = { 'grpc.ssl_target_name_override': SERVER_NAME, 'grpc.default_authority': SERVER_NAME };

  // Step 1: learn the CA without trusting anything yet; accept it only if it matches the pin.
  const discovery = new proto.gatehouse.v1.EnrollService(
    enrollAddr,
    grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
    options,
  );
  let ca: GetClusterCAResponse__Output;
  try {
    ca = await enrollCall<GetClusterCAResponse__Output>(discovery, (c, o, cb) => c.GetClusterCA({}, o, cb));
  } finally {
    discovery.close();
  }
  const caPem = ca.caPems.find((pem) => caPinMatches(token.caPin, new X509Certificate(pem).fingerprint256));
  if (!caPem) throw new Error(`the server at ${enrollAddr} presented a CA that does not match this invite; refusing to send the token (wrong address, or someone in between)`);

  // Step 2: a verified connection; only the CSR and the token travel.
  const { keyPem, csrPem } = await createKeyAndCsr('login');
  const verified = new proto.gatehouse.v1.EnrollService(enrollAddr, grpc.credentials.createSsl(Buffer.from(caPem)), options);
  let certs: GenerateUserCertsResponse__Output;
  try {
    certs = await enrollCall<GenerateUserCertsResponse__Output>(verified, (c, o, cb) => c.RedeemInvite({ token: values.token ?? '', csrPem }, o, cb));
  } finally {
    verified.close();
  }
  const out = values.out ?? path.join(profileDir(env), 'identity.pem');
  await writeIdentityFile(out, { keyPem, certPem: certs.certPem, caPems: certs.caPems });
  mkdirSync(profileDir(env), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(profileDir(env), 'config.json'), `${JSON.stringify({ addr: globals.addr }, null, 2)}\n`, { mode: 0o600 });
  if (globals.format === 'json') return printJson({ identity: out, cluster: ca.clusterName, roles: certs.roles, expires: new Date(certs.expiresMs).toISOString() });
  process.stdout.write(`Logged in to ${ca.clusterName} at ${globals.addr}.\n  identity: ${out}\n  roles:    ${certs.roles.join(', ')}\n  expires:  ${formatTime(certs.expiresMs)}\n`);
}
