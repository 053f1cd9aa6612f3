import { isIP } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import type { ClusterCA } from './cluster-ca.ts';
import { toPem } from './pem.ts';
import { randomSerialHex } from './random-serial.ts';
import { GATEHOUSE_SERVER_NAME } from './tls-material.ts';
import { EC_P256_SHA256, x509 } from './x509.ts';

/** Hosts added to every server certificate, whatever the caller asks for. */
export const DEFAULT_SERVER_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1', GATEHOUSE_SERVER_NAME];

/** Input of {@link issueServerCert}. */
export interface IssueServerCertOptions {
  /** Extra DNS names and IP addresses for the SAN; {@link DEFAULT_SERVER_HOSTS} are always added. */
  hosts: readonly string[];
  /** Validity from now. */
  ttlMs: number;
  /** @default Date.now() */
  nowMs?: number;
}

/** A server key and certificate, both PEM. */
export interface ServerCertMaterial {
  /** PKCS#8 PEM of a fresh ECDSA P-256 key. */
  keyPem: string;
  certPem: string;
  expiresMs: number;
}

const CLOCK_SKEW_MS = 60_000;
const DNS_NAME = /^(?=.{1,253}$)(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Issues the server's TLS certificate: a new ECDSA P-256 key, signed by the cluster CA, with
 * EKU serverAuth and a SAN of the given hosts plus the defaults (DNS names and IPs told apart
 * with `net.isIP`). Subject `CN=gatehouse.cluster.local, O=gatehouse`. NotBefore is now − 1 min.
 *
 * @throws AppError `invalid_argument` naming `hosts` for a host that is neither an IP nor a
 *   DNS name, and naming `ttl_ms` for a non-positive TTL.
 */
export async function issueServerCert(ca: ClusterCA, options: IssueServerCertOptions): Promise<ServerCertMaterial> {
  if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs <= 0) {
    throw new AppError('invalid_argument', `ttl_ms: must be a positive integer, got ${options.ttlMs}`);
  }
  const nowMs = options.nowMs ?? Date.now();
  const names: x509.JsonGeneralName[] = [];
  const seen = new Set<string>();
  for (const raw of [...DEFAULT_SERVER_HOSTS, ...options.hosts]) {
    const host = raw.trim().toLowerCase();
    if (seen.has(host)) continue;
    seen.add(host);
    if (isIP(host) !== 0) names.push({ type: 'ip', value: host });
    else if (DNS_NAME.test(host)) names.push({ type: 'dns', value: host });
    else throw new AppError('invalid_argument', `hosts: ${JSON.stringify(raw)} is neither an IP address nor a DNS name`);
  }

  const keys = await crypto.subtle.generateKey(EC_P256_SHA256, true, ['sign', 'verify']);
  // X.509 times have whole seconds; report the expiry the certificate really carries.
  const expiresMs = Math.floor((nowMs + options.ttlMs) / 1000) * 1000;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new x509.Name([{ CN: [{ utf8String: GATEHOUSE_SERVER_NAME }] }, { O: [{ utf8String: 'gatehouse' }] }]),
    issuer: ca.cert.subjectName,
    notBefore: new Date(nowMs - CLOCK_SKEW_MS),
    notAfter: new Date(expiresMs),
    signingAlgorithm: EC_P256_SHA256,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  return {
    keyPem: toPem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)),
    certPem: toPem('CERTIFICATE', cert.rawData),
    expiresMs,
  };
}
