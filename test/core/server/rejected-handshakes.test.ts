import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateClusterCA, type ClusterCA } from '../../../core/auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../../../core/auth/csr.ts';
import { issueClientCert } from '../../../core/auth/issue-client-cert.ts';
import { issueServerCert } from '../../../core/auth/issue-server-cert.ts';
import { logRejectedHandshakes } from '../../../core/server/log-rejected-handshakes.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

interface LogLine {
  component?: string;
  msg: string;
  peer?: string;
  reason?: string;
  code?: string;
  suppressed?: number;
}

/** A client certificate for `user` signed by `ca`, valid from `nowMs` for `ttlMs`. */
async function certFrom(ca: ClusterCA, nowMs: number, ttlMs: number): Promise<{ key: string; cert: string }> {
  const { keyPem, csrPem } = await createKeyAndCsr('alice');
  const { publicKey } = await parseCsr(csrPem);
  const issued = await issueClientCert(ca, { publicKey, user: 'alice', roles: [], accessRequestIds: [], incarnation: '', ttlMs, nowMs });
  return { key: keyPem, cert: issued.certPem };
}

describe('the server logs the TLS handshakes it rejects, rate-limited per address', () => {
  let t: TestServer;
  let ca: ClusterCA;
  let otherDir: string;
  const lines: LogLine[] = [];
  /** Moves the server's clock (the rate limiter's window), not the TLS stack's. */
  let skewMs = 0;

  beforeAll(async () => {
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
    t = await startTestServer({ log, now: () => Date.now() + skewMs });
    ca = await loadOrCreateClusterCA(t.dataDir, 'gatehouse');
    otherDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-other-ca-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(otherDir, { recursive: true, force: true });
  });

  /** One raw TLS handshake from `from` (a loopback address of its own); resolves once closed. */
  function handshake(from: string, credentials: tls.ConnectionOptions = {}, port = Number(t.addr.split(':').at(-1))): Promise<void> {
    return new Promise((resolve) => {
      const tcp = net.connect({ host: '127.0.0.1', port, localAddress: from });
      const socket = tls.connect({ socket: tcp, ALPNProtocols: ['h2'], rejectUnauthorized: false, ...credentials });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
      // A refused client learns of it on its first read; a timer ends the wait regardless.
      setTimeout(() => socket.destroy(), 3000).unref();
    });
  }

  const rejected = (): LogLine[] => lines.filter((l) => l.component === 'tls');
  async function untilRejected(n: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (rejected().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} tls log lines, got: ${JSON.stringify(rejected())}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('names the peer and the reason: no certificate, unknown CA, expired certificate', async () => {
    const other = await loadOrCreateClusterCA(otherDir, 'evil');
    await handshake('127.0.0.2');
    await handshake('127.0.0.3', await certFrom(other, Date.now(), 3600_000));
    await handshake('127.0.0.4', await certFrom(ca, Date.now() - 3600_000, 60_000));
    await untilRejected(3);
    expect(rejected()).toEqual([
      expect.objectContaining({ msg: 'rejected a TLS handshake', peer: expect.stringMatching(/^127\.0\.0\.2:\d+$/), reason: 'no client certificate' }),
      expect.objectContaining({ peer: expect.stringMatching(/^127\.0\.0\.3:\d+$/), reason: expect.stringContaining('unknown CA') }),
      expect.objectContaining({ peer: expect.stringMatching(/^127\.0\.0\.4:\d+$/), reason: 'client certificate expired', code: 'CERT_HAS_EXPIRED' }),
    ]);
    // A good client is not logged.
    await t.admin.ping();
    expect(rejected()).toHaveLength(3);
  });

  it('writes one line per address per minute, then the count it held back', async () => {
    for (let i = 0; i < 4; i++) await handshake('127.0.0.5');
    await handshake('127.0.0.6');
    await untilRejected(5);
    // Give any extra line from 127.0.0.5 the time to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(rejected().filter((l) => l.peer?.startsWith('127.0.0.5:'))).toHaveLength(1);
    skewMs += 61_000;
    await handshake('127.0.0.5');
    await untilRejected(6);
    expect(rejected().at(-1)).toMatchObject({ peer: expect.stringMatching(/^127\.0\.0\.5:/), reason: 'no client certificate', suppressed: 3 });
  });

  it('reports what it held back when the window ends, and counts addresses past the cap', async () => {
    const own: LogLine[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => own.push(JSON.parse(line) as LogLine) });
    const server = new grpc.Server();
    const pair = await issueServerCert(ca, { hosts: ['127.0.0.1'], ttlMs: 3600_000 });
    const creds = grpc.ServerCredentials.createSsl(Buffer.from(ca.certPem), [{ private_key: Buffer.from(pair.keyPem), cert_chain: Buffer.from(pair.certPem) }], true);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
    const logger = logRejectedHandshakes(server, { log, now: Date.now, windowMs: 2000, maxPeers: 1 });
    try {
      for (let i = 0; i < 3; i++) await handshake('127.0.0.7', {}, port);
      await handshake('127.0.0.8', {}, port);
      const deadline = Date.now() + 10_000;
      while (own.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(own).toEqual([
        expect.objectContaining({ msg: 'rejected a TLS handshake', peer: expect.stringMatching(/^127\.0\.0\.7:/) }),
        expect.objectContaining({ msg: 'rejected more TLS handshakes from this address', peer: '127.0.0.7', suppressed: 2 }),
        expect.objectContaining({ msg: 'rejected TLS handshakes from too many addresses to log each', suppressed: 1 }),
      ]);
    } finally {
      logger.stop();
      server.forceShutdown();
    }
  });
});
