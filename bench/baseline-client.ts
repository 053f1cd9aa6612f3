/**
 * Client side of the bare grpc-js baseline (bench/baseline-server.ts): starts it in its own
 * process with the same mutual TLS as Gatehouse, and calls it with raw bytes.
 */
import * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateClusterCA } from '../core/auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../core/auth/csr.ts';
import { issueClientCert } from '../core/auth/issue-client-cert.ts';
import { issueServerCert } from '../core/auth/issue-server-cert.ts';
import { freePort, startReadyChild } from '../test/support/server-process.ts';

/** Messages as raw bytes: no encoding on either side. */
export const id = (b: Buffer): Buffer => b;
/** Spread clients over several connections (grpc-js would otherwise share one). */
export const CONNECTION_OPTIONS = (i: number): grpc.ChannelOptions => ({ 'grpc.use_local_subchannel_pool': 1, 'bench.connection': i });

export interface Baseline {
  pid: number;
  echo(payload: Buffer, client: grpc.Client): Promise<void>;
  publish(payload: Buffer): Promise<void>;
  client(i: number): grpc.Client;
  stop(): void;
}

export async function startBaseline(dir: string): Promise<Baseline> {
  const ca = await loadOrCreateClusterCA(dir, 'bench');
  const server = await issueServerCert(ca, { hosts: ['127.0.0.1', 'localhost'], ttlMs: 3600_000 });
  const { keyPem, csrPem } = await createKeyAndCsr('bench');
  const client = await issueClientCert(ca, { publicKey: (await parseCsr(csrPem)).publicKey, user: 'bench', incarnation: '', roles: [], accessRequestIds: [], ttlMs: 3600_000, nowMs: Date.now() });
  writeFileSync(path.join(dir, 'server.key'), server.keyPem);
  writeFileSync(path.join(dir, 'server.crt'), server.certPem);
  const port = await freePort();
  const child = await startReadyChild('bench/baseline-server.ts', [String(port), dir]);
  const creds = grpc.credentials.createSsl(Buffer.from(ca.certPem), Buffer.from(keyPem), Buffer.from(client.certPem));
  const clients = new Map<number, grpc.Client>();
  const get = (i: number): grpc.Client => {
    let c = clients.get(i);
    if (!c) {
      c = new grpc.Client(`127.0.0.1:${port}`, creds, { ...CONNECTION_OPTIONS(i), 'grpc.ssl_target_name_override': 'localhost' });
      clients.set(i, c);
    }
    return c;
  };
  const unary = (c: grpc.Client, name: string, payload: Buffer): Promise<void> =>
    new Promise((resolve, reject) => c.makeUnaryRequest(`/bench.Baseline/${name}`, id, id, payload, (err) => (err ? reject(err) : resolve())));
  return {
    pid: child.pid ?? 0,
    echo: (payload, c) => unary(c, 'Echo', payload),
    publish: (payload) => unary(get(0), 'Publish', payload),
    client: get,
    stop: () => {
      for (const c of clients.values()) c.close();
      child.kill('SIGTERM');
    },
  };
}
