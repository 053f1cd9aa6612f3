/**
 * End to end over real mTLS: a grpc-js server with the issued server certificate that
 * requires client certificates of the cluster CA, and clients built from identity files.
 */
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityCache } from '../../../core/auth/cert-identity.ts';
import { loadOrCreateClusterCA, type ClusterCA } from '../../../core/auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../../../core/auth/csr.ts';
import { readIdentityFile, writeIdentityFile, type IdentityMaterial } from '../../../core/auth/identity-file.ts';
import { issueClientCert } from '../../../core/auth/issue-client-cert.ts';
import { issueServerCert } from '../../../core/auth/issue-server-cert.ts';
import { clientCredentialsMaterial, GATEHOUSE_SERVER_NAME, serverCredentialsMaterial } from '../../../core/auth/tls-material.ts';
import { makeTempDir } from './temp-dir.ts';

interface WhoAmIRequest {
  hello: string;
}
interface WhoAmIResponse {
  user: string;
  roles: string[];
  accessRequestIds: string[];
}

const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = <T>(bytes: Buffer): T => JSON.parse(bytes.toString('utf8')) as T;

const whoAmIService = {
  whoAmI: {
    path: '/gatehouse.test.v1.Test/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: (bytes: Buffer) => deserialize<WhoAmIRequest>(bytes),
    responseSerialize: serialize,
    responseDeserialize: (bytes: Buffer) => deserialize<WhoAmIResponse>(bytes),
  },
} satisfies grpc.ServiceDefinition;

/** Calls WhoAmI with the service's own (de)serializers; a plain grpc.Client needs no generated type. */
function whoAmI(client: grpc.Client): Promise<WhoAmIResponse> {
  const method = whoAmIService.whoAmI;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, { hello: 'x' }, { deadline: Date.now() + 10_000 }, (err, response) => {
      if (err !== null) reject(err);
      else if (response === undefined) reject(new Error('no response'));
      else resolve(response);
    });
  });
}

const HOUR = 3600_000;
let ca: ClusterCA;
let otherCa: ClusterCA;
let server: grpc.Server;
let port: number;
let handlerCalls = 0;
const clients: grpc.Client[] = [];
const identities = createIdentityCache({ maxEntries: 100 });

async function makeIdentity(signer: ClusterCA, user: string, roles: string[], options: { nowMs?: number; ttlMs?: number } = {}): Promise<IdentityMaterial> {
  const { keyPem, csrPem } = await createKeyAndCsr(user);
  const { publicKey } = await parseCsr(csrPem);
  const { certPem } = await issueClientCert(signer, {
    publicKey,
    user,
    incarnation: '',
    roles,
    accessRequestIds: ['req-1'],
    ttlMs: options.ttlMs ?? HOUR,
    nowMs: options.nowMs ?? Date.now(),
  });
  return { keyPem, certPem, caPems: [signer.certPem] };
}

const BY_NAME: grpc.ChannelOptions = { 'grpc.ssl_target_name_override': GATEHOUSE_SERVER_NAME };

function call(identity: IdentityMaterial | undefined, channelOptions: grpc.ChannelOptions = BY_NAME, trustCaPem = ca.certPem): Promise<WhoAmIResponse> {
  const creds =
    identity === undefined
      ? grpc.credentials.createSsl(Buffer.from(trustCaPem))
      : (() => {
          const m = clientCredentialsMaterial({ ...identity, caPems: [trustCaPem] });
          return grpc.credentials.createSsl(m.rootCerts, m.privateKey, m.certChain);
        })();
  const client = new grpc.Client(`127.0.0.1:${port}`, creds, channelOptions);
  clients.push(client);
  return whoAmI(client);
}

beforeAll(async () => {
  ca = await loadOrCreateClusterCA(join(await makeTempDir(), 'data'), 'prod');
  otherCa = await loadOrCreateClusterCA(join(await makeTempDir(), 'data'), 'prod');
  const serverCert = await issueServerCert(ca, { hosts: [], ttlMs: HOUR });
  const material = serverCredentialsMaterial({ keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] });

  server = new grpc.Server();
  server.addService(whoAmIService, {
    whoAmI: (callObj: grpc.ServerUnaryCall<WhoAmIRequest, WhoAmIResponse>, callback: grpc.sendUnaryData<WhoAmIResponse>) => {
      handlerCalls++;
      const raw = callObj.getAuthContext().sslPeerCertificate?.raw;
      if (raw === undefined) {
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'no client certificate' });
        return;
      }
      const identity = identities.get(raw);
      callback(null, { user: identity.user, roles: [...identity.roles], accessRequestIds: [...identity.accessRequestIds] });
    },
  });
  port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(material.rootCerts, material.keyCertPairs, material.checkClientCertificate), (err, boundPort) =>
      err === null ? resolve(boundPort) : reject(err),
    );
  });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

describe('gRPC over mTLS with Gatehouse certificates', () => {
  it('lets a client with an identity file in, and the handler sees its identity', async () => {
    const path = join(await makeTempDir(), 'alice', 'identity.pem');
    await writeIdentityFile(path, await makeIdentity(ca, 'alice', ['requester', 'dba']));
    const identity = await readIdentityFile(path);
    const m = clientCredentialsMaterial(identity);
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(m.rootCerts, m.privateKey, m.certChain), m.channelOptions);
    clients.push(client);
    const response = await whoAmI(client);
    expect(response).toEqual({ user: 'alice', roles: ['dba', 'requester'], accessRequestIds: ['req-1'] });
  });

  it('also verifies the server by its IP address SAN (127.0.0.1) without a name override', async () => {
    const response = await call(await makeIdentity(ca, 'bob', ['reviewer']), {});
    expect(response.user).toBe('bob');
  });

  it('refuses a client without a certificate', async () => {
    const before = handlerCalls;
    await expect(call(undefined)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handlerCalls).toBe(before);
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const before = handlerCalls;
    const forged = await makeIdentity(otherCa, 'alice', ['admin']);
    await expect(call(forged)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handlerCalls).toBe(before);
  });

  it('refuses an expired client certificate', async () => {
    const before = handlerCalls;
    const expired = await makeIdentity(ca, 'alice', ['requester'], { nowMs: Date.now() - 2 * HOUR, ttlMs: HOUR });
    await expect(call(expired)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handlerCalls).toBe(before);
  });

  it('lets the client refuse a server it does not trust', async () => {
    const before = handlerCalls;
    const identity = await makeIdentity(ca, 'alice', ['requester']);
    await expect(call(identity, {}, otherCa.certPem)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handlerCalls).toBe(before);
  });
});
