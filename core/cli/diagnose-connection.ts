import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { ClientIdentity } from '../client/gatehouse-client.ts';
import { SERVER_NAME } from '../client/gatehouse-client.ts';
import type { ServerAddr } from './server-addr.ts';

/** What a failed connection was, found by redoing its steps one by one. */
export type ConnectionDiagnosis =
  | { kind: 'refused' }
  | { kind: 'unknown-host' }
  | { kind: 'no-answer' }
  | { kind: 'not-tls' }
  /** The server's certificate is not signed by the identity's CA. */
  | { kind: 'foreign-ca'; serverCluster: string | undefined }
  /** The handshake completed, then the server closed the connection: it refused our certificate. */
  | { kind: 'cert-refused' }
  | { kind: 'ok' }
  | { kind: 'other'; message: string };

/** `gatehouse` from a CA subject `CN=gatehouse Gatehouse CA`. */
export function clusterOfCa(subjectOrPem: string): string | undefined {
  let subject = subjectOrPem;
  if (subjectOrPem.includes('BEGIN CERTIFICATE')) {
    try {
      subject = new X509Certificate(subjectOrPem).subject;
    } catch {
      return undefined; // not a certificate we can read: the cluster stays unnamed
    }
  }
  return /CN=(.+) Gatehouse CA/.exec(subject)?.[1];
}

/**
 * Connects to `addr` with `identity` over plain TLS, step by step (TCP, the server's
 * certificate, whether the server keeps the connection after the handshake), to say in one
 * line why a gRPC call could not connect. Only run after a call failed; never throws.
 */
export function diagnoseConnection(addr: ServerAddr, identity: ClientIdentity, timeoutMs = 4000): Promise<ConnectionDiagnosis> {
  return new Promise((resolve) => {
    let settled = false;
    let secure = false;
    const done = (d: ConnectionDiagnosis): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(d);
    };
    const socket = tls.connect({
      host: addr.host,
      port: addr.port,
      servername: SERVER_NAME,
      ca: identity.caPems.join('\n'),
      key: identity.keyPem,
      cert: identity.certPem,
      ALPNProtocols: ['h2'],
      // Verified by hand below, to tell a foreign CA apart from everything else.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => done({ kind: 'no-answer' }), timeoutMs);
    timer.unref();
    socket.on('secureConnect', () => {
      secure = true;
      if (!socket.authorized) {
        const issuer = socket.getPeerCertificate(false).issuer as { CN?: unknown } | undefined;
        done({ kind: 'foreign-ca', serverCluster: typeof issuer?.CN === 'string' ? clusterOfCa(`CN=${issuer.CN}`) : undefined });
      }
    });
    // A server that accepts the certificate opens HTTP/2 with its SETTINGS frame at once; one
    // that refused it closes the connection (TLS 1.3 checks the client certificate after the
    // client's side of the handshake is done, so the refusal comes after secureConnect).
    socket.on('data', () => done({ kind: 'ok' }));
    socket.on('close', () => done(secure ? { kind: 'cert-refused' } : { kind: 'not-tls' }));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED') return done({ kind: 'refused' });
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return done({ kind: 'unknown-host' });
      if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN'].includes(code)) return done({ kind: 'no-answer' });
      if (secure) return done({ kind: 'cert-refused' });
      if (code.startsWith('ERR_SSL') || code === 'ECONNRESET' || /wrong version number|packet length|unexpected eof|disconnected before secure/i.test(err.message)) return done({ kind: 'not-tls' });
      done({ kind: 'other', message: err.message });
    });
  });
}
