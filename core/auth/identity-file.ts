import { createPrivateKey, createPublicKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../domain/app-error.ts';
import { parseCertIdentity, type CertIdentity } from './cert-identity.ts';
import { parsePemBlocks, type PemBlock } from './pem.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/** The parts of an identity file, as PEM text. */
export interface IdentityMaterial {
  /** Private key: PKCS#8 (`PRIVATE KEY`) or SEC 1 (`EC PRIVATE KEY`) / PKCS#1 (`RSA PRIVATE KEY`). */
  keyPem: string;
  /** The client certificate. */
  certPem: string;
  /** CA certificates to trust for the server, at least one. */
  caPems: readonly string[];
}

/** A decoded identity file: its material and who the certificate says the holder is. */
export interface DecodedIdentityFile extends IdentityMaterial {
  identity: CertIdentity;
}

const KEY_LABELS = new Set(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY']);
const MAX_IDENTITY_FILE_BYTES = 1024 * 1024;

/**
 * Encodes an identity as one PEM text: the key, then the certificate, then each CA, every
 * block ending in a newline (the order Teleport's `tctl auth sign` uses, without SSH parts).
 */
export function encodeIdentityFile(material: IdentityMaterial): string {
  return [material.keyPem, material.certPem, ...material.caPems].map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
}

/** Encodes and writes an identity file atomically with mode 0600, creating parent dirs (0700). */
export async function writeIdentityFile(path: string, material: IdentityMaterial): Promise<void> {
  await writeFileAtomic(path, encodeIdentityFile(material), { mode: 0o600 });
}

/**
 * Reads and decodes an identity file (see {@link decodeIdentityFile}).
 * @throws AppError `not_found` when the file does not exist, `invalid_argument` naming the
 *   file for anything wrong inside it.
 */
export async function readIdentityFile(path: string): Promise<DecodedIdentityFile> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_IDENTITY_FILE_BYTES) throw new AppError('invalid_argument', `identity file ${path}: larger than 1 MiB`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `identity file ${path} does not exist`, { cause: err });
    throw new AppError('invalid_argument', `identity file ${path} cannot be read`, { cause: err });
  }
  return decodeIdentityFile(text, path);
}

/**
 * Decodes identity-file text, deciding by PEM type, not position: the one private-key block is
 * the key, the first `CERTIFICATE` is the client certificate, the other certificates are CAs.
 * Non-PEM lines (e.g. the SSH lines of a Teleport identity file) are ignored. Also checks that
 * the key belongs to the certificate. Does not check expiry: callers compare `identity.expiresMs`.
 *
 * @param source names the file in error messages (a path, or e.g. "identity from env").
 * @throws AppError `invalid_argument` naming `source` and the missing or bad block.
 */
export function decodeIdentityFile(text: string, source: string): DecodedIdentityFile {
  const fail = (reason: string, cause?: unknown): AppError =>
    new AppError('invalid_argument', `identity file ${source}: ${reason}`, cause === undefined ? {} : { cause });

  let blocks: PemBlock[];
  try {
    blocks = parsePemBlocks(text);
  } catch (err) {
    throw fail(err instanceof Error ? err.message : 'not PEM', err);
  }
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY')) throw fail('the private key is encrypted; Gatehouse needs an unencrypted key');
  const keys = blocks.filter((b) => KEY_LABELS.has(b.label));
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  const [key] = keys;
  const [leaf, ...cas] = certs;
  if (key === undefined) throw fail('no private key block (expected "-----BEGIN PRIVATE KEY-----")');
  if (keys.length > 1) throw fail(`${keys.length} private key blocks; expected one`);
  if (leaf === undefined) throw fail('no certificate block (expected "-----BEGIN CERTIFICATE-----")');
  if (cas.length === 0) throw fail('no CA certificate after the client certificate');

  let leafCert: NodeX509Certificate;
  try {
    leafCert = new NodeX509Certificate(leaf.der);
  } catch (err) {
    throw fail('the first certificate is not a valid X.509 certificate', err);
  }
  for (const [i, ca] of cas.entries()) {
    try {
      new NodeX509Certificate(ca.der);
    } catch (err) {
      throw fail(`CA certificate ${i + 1} is not a valid X.509 certificate`, err);
    }
  }
  let keyMatches: boolean;
  try {
    const privateKey = createPrivateKey(key.pem);
    keyMatches = createPublicKey(privateKey)
      .export({ type: 'spki', format: 'der' })
      .equals(leafCert.publicKey.export({ type: 'spki', format: 'der' }));
  } catch (err) {
    throw fail(`the ${key.label} block is not a readable private key`, err);
  }
  if (!keyMatches) throw fail('the private key does not belong to the certificate');

  let identity: CertIdentity;
  try {
    identity = parseCertIdentity(leaf.der);
  } catch (err) {
    throw fail(`the certificate carries no Gatehouse identity (${err instanceof Error ? err.message : 'unreadable'})`, err);
  }
  return { keyPem: key.pem, certPem: leaf.pem, caPems: cas.map((c) => c.pem), identity };
}
