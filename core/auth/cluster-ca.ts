import { createHash, createPrivateKey, createPublicKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../domain/app-error.ts';
import { parsePemBlocks, toPem } from './pem.ts';
import { randomSerialHex } from './random-serial.ts';
import { writeFileAtomic } from './write-file-atomic.ts';
import { EC_P256_SHA256, x509 } from './x509.ts';

/** The cluster's certificate authority, as loaded from the data dir. */
export interface ClusterCA {
  readonly clusterName: string;
  /** The CA certificate, PEM. */
  readonly certPem: string;
  readonly cert: x509.X509Certificate;
  /** The same certificate as Node's native object, for fast verification. */
  readonly nodeCert: NodeX509Certificate;
  /** The CA's signing key (ECDSA P-256, not extractable). */
  readonly privateKey: CryptoKey;
  /** SHA-256 of the certificate's DER, lowercase hex without separators (64 chars). */
  readonly fingerprintSha256: string;
}

/** Options of {@link loadOrCreateClusterCA}. */
export interface LoadOrCreateClusterCAOptions {
  /** Clock for a new certificate's validity. @default Date.now() */
  nowMs?: number;
}

/** File names inside the data dir. */
export const CA_KEY_FILE = 'ca.key';
export const CA_CERT_FILE = 'ca.crt';

const CA_VALIDITY_MS = 10 * 365 * 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 60_000;
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Loads the cluster CA from `dataDir`, creating it on first start: `ca.key` (PKCS#8 PEM, mode
 * 0600) and `ca.crt` (self-signed, 10 years, `CN=<clusterName> Gatehouse CA, O=gatehouse`,
 * basicConstraints CA:true pathlen 0, keyUsage keyCertSign+cRLSign).
 *
 * Crash safety: each file is written to a temp file and published atomically, key first, so
 * the only partial state is "key without certificate", which the next start completes with a
 * certificate for that key. Publishing uses `link()`, so two processes starting at once on an
 * empty dir end up with one CA, not a key from one and a certificate from the other.
 *
 * @throws AppError `invalid_argument` for a bad cluster name; `failed_precondition` when the
 *   files exist but are unreadable, do not match each other, are not a CA, or belong to
 *   another cluster name (renaming a cluster is not supported: it would invalidate every pin).
 */
export async function loadOrCreateClusterCA(dataDir: string, clusterName: string, options: LoadOrCreateClusterCAOptions = {}): Promise<ClusterCA> {
  if (!CLUSTER_NAME.test(clusterName)) {
    throw new AppError('invalid_argument', `cluster_name: ${JSON.stringify(clusterName)} must be 1-63 letters, digits, '.', '_' or '-'`);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keyPath = join(dataDir, CA_KEY_FILE);
  const certPath = join(dataDir, CA_CERT_FILE);
  const nowMs = options.nowMs ?? Date.now();

  let keyPem = await readOptional(keyPath);
  if (keyPem === undefined) {
    const keys = await crypto.subtle.generateKey(EC_P256_SHA256, true, ['sign', 'verify']);
    const pem = toPem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey));
    const published = await writeFileAtomic(keyPath, pem, { mode: 0o600, exclusive: true });
    keyPem = published ? pem : await readRequired(keyPath);
  }
  const { privateKey, publicKey, spkiDer } = await importCaKey(keyPem, keyPath);

  let certPem = await readOptional(certPath);
  if (certPem === undefined) {
    const pem = await createCaCertPem(clusterName, privateKey, publicKey, nowMs);
    const published = await writeFileAtomic(certPath, pem, { mode: 0o644, exclusive: true });
    certPem = published ? pem : await readRequired(certPath);
  }
  return checkCa(certPem, certPath, spkiDer, clusterName, privateKey);
}

/** The subject common name of a cluster's CA. */
export function caCommonName(clusterName: string): string {
  return `${clusterName} Gatehouse CA`;
}

async function createCaCertPem(clusterName: string, privateKey: CryptoKey, publicKey: CryptoKey, nowMs: number): Promise<string> {
  const name = new x509.Name([{ CN: [{ utf8String: caCommonName(clusterName) }] }, { O: [{ utf8String: 'gatehouse' }] }]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: name,
    issuer: name,
    notBefore: new Date(nowMs - CLOCK_SKEW_MS),
    notAfter: new Date(nowMs + CA_VALIDITY_MS),
    signingAlgorithm: EC_P256_SHA256,
    publicKey,
    signingKey: privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return toPem('CERTIFICATE', cert.rawData);
}

async function importCaKey(keyPem: string, keyPath: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; spkiDer: Buffer }> {
  try {
    const block = parsePemBlocks(keyPem).find((b) => b.label === 'PRIVATE KEY');
    if (block === undefined) throw new Error('no PRIVATE KEY block');
    const privateKey = await crypto.subtle.importKey('pkcs8', block.der, EC_P256_SHA256, false, ['sign']);
    const spkiDer = createPublicKey(createPrivateKey({ key: block.der, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    const publicKey = await crypto.subtle.importKey('spki', spkiDer, EC_P256_SHA256, true, ['verify']);
    return { privateKey, publicKey, spkiDer };
  } catch (err) {
    throw new AppError('failed_precondition', `CA key ${keyPath} is not a PKCS#8 ECDSA P-256 key`, { cause: err });
  }
}

function checkCa(certPem: string, certPath: string, spkiDer: Buffer, clusterName: string, privateKey: CryptoKey): ClusterCA {
  let cert: x509.X509Certificate;
  let nodeCert: NodeX509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
    nodeCert = new NodeX509Certificate(certPem);
  } catch (err) {
    throw new AppError('failed_precondition', `CA certificate ${certPath} is not a PEM certificate`, { cause: err });
  }
  const certSpki = nodeCert.publicKey.export({ type: 'spki', format: 'der' });
  if (!certSpki.equals(spkiDer)) {
    throw new AppError('failed_precondition', `CA certificate ${certPath} does not match the key ${CA_KEY_FILE} beside it`);
  }
  if (!nodeCert.ca) throw new AppError('failed_precondition', `CA certificate ${certPath} is not a CA certificate`);
  const commonNames = cert.subjectName.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== caCommonName(clusterName)) {
    throw new AppError(
      'failed_precondition',
      `CA certificate ${certPath} belongs to ${JSON.stringify(commonNames.join(', '))}, not cluster ${JSON.stringify(clusterName)}`,
    );
  }
  const der = Buffer.from(cert.rawData);
  return Object.freeze({
    clusterName,
    certPem: toPem('CERTIFICATE', der),
    cert,
    nodeCert,
    privateKey,
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
  });
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('failed_precondition', `cannot read ${path}`, { cause: err });
  }
}

async function readRequired(path: string): Promise<string> {
  const text = await readOptional(path);
  if (text === undefined) throw new AppError('failed_precondition', `${path} vanished while the CA was being created`);
  return text;
}
