import { createPublicKey } from 'node:crypto';
import { AppError } from '../domain/app-error.ts';
import { parsePemBlocks, toPem } from './pem.ts';
import { EC_P256_SHA256, x509 } from './x509.ts';

/** The client side of `gatehouse login`: a new key that never leaves the machine, and its CSR. */
export interface KeyAndCsr {
  /** PKCS#8 PEM of the new ECDSA P-256 private key. */
  keyPem: string;
  /** PKCS#10 PEM (`CERTIFICATE REQUEST`), subject `CN=<user>`, self-signed with ECDSA SHA-256. */
  csrPem: string;
  privateKey: CryptoKey;
}

/** What the server takes from a CSR. */
export interface ParsedCsr {
  /** The requester's public key, ready for `issueClientCert`. */
  publicKey: CryptoKey;
  /** The CSR's subject CN, or "" without one. Informational: the server decides the user name. */
  subjectCommonName: string;
}

/** Larger inputs are refused before parsing: a P-256 CSR is about 400 bytes of PEM. */
export const MAX_CSR_PEM_LENGTH = 16 * 1024;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const ACCEPTED_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

/** Generates an ECDSA P-256 key pair and a CSR for it with subject `CN=<user>`. */
export async function createKeyAndCsr(user: string): Promise<KeyAndCsr> {
  if (user.length === 0) throw new AppError('invalid_argument', 'user: must not be empty');
  const keys = await crypto.subtle.generateKey(EC_P256_SHA256, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ CN: [{ utf8String: user }] }]),
    keys,
    signingAlgorithm: EC_P256_SHA256,
  });
  return {
    keyPem: toPem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)),
    csrPem: toPem('CERTIFICATE REQUEST', csr.rawData),
    privateKey: keys.privateKey,
  };
}

/**
 * Parses and checks a CSR received from a client: exactly one PEM `CERTIFICATE REQUEST`
 * block, a valid self-signature (proof the sender holds the key) made with SHA-256 or
 * stronger, and an ECDSA P-256 key. RSA keys of 2048 to 8192 bits are also accepted, for
 * CSRs made with stock tools (`openssl req`); every other key type or size is refused.
 *
 * @throws AppError `invalid_argument` whose message starts with `csr_pem:` and says why.
 */
export async function parseCsr(csrPem: string): Promise<ParsedCsr> {
  if (typeof csrPem !== 'string' || csrPem.length === 0) throw bad('is empty');
  if (csrPem.length > MAX_CSR_PEM_LENGTH) throw bad(`is larger than ${MAX_CSR_PEM_LENGTH} bytes`);
  let blocks;
  try {
    blocks = parsePemBlocks(csrPem);
  } catch (err) {
    throw bad(`is not valid PEM (${err instanceof Error ? err.message : 'unparseable'})`, err);
  }
  const requests = blocks.filter((b) => CSR_LABELS.has(b.label));
  const [block] = requests;
  if (block === undefined || requests.length !== 1 || blocks.length !== 1) {
    throw bad(`must hold exactly one PEM block "CERTIFICATE REQUEST", found ${blocks.map((b) => `"${b.label}"`).join(', ') || 'none'}`);
  }

  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
  } catch (err) {
    throw bad('is not a PKCS#10 certificate request', err);
  }

  let spki: Uint8Array<ArrayBuffer>;
  let importAlgorithm: EcKeyImportParams | RsaHashedImportParams;
  try {
    // Inside the try: the x509 library parses the key's parameters only when asked, and
    // throws on malformed ones (a fuzzed CSR made this an INTERNAL error).
    spki = new Uint8Array(csr.publicKey.rawData);
    const nodeKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const details = nodeKey.asymmetricKeyDetails ?? {};
    if (nodeKey.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') {
      importAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    } else if (nodeKey.asymmetricKeyType === 'rsa') {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw bad(`has a ${bits}-bit RSA key; use ECDSA P-256 (or RSA of ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits)`);
      }
      importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    } else {
      const kind = nodeKey.asymmetricKeyType === 'ec' ? `EC ${details.namedCurve ?? 'unknown curve'}` : (nodeKey.asymmetricKeyType ?? 'unknown');
      throw bad(`has an unsupported ${kind} key; use ECDSA P-256`);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw bad('has an unreadable public key', err);
  }

  const hash = csr.signatureAlgorithm.hash?.name;
  if (hash === undefined || !ACCEPTED_HASHES.has(hash)) {
    throw bad(`is signed with ${hash ?? csr.signatureAlgorithm.name}; SHA-256 or stronger is required`);
  }
  let signatureOk = false;
  try {
    signatureOk = await csr.verify();
  } catch (err) {
    throw bad('has a signature that cannot be checked', err);
  }
  if (!signatureOk) throw bad('signature does not match its public key');

  const publicKey = await crypto.subtle.importKey('spki', spki, importAlgorithm, true, ['verify']);
  const commonNames = csr.subjectName.getField('CN');
  return { publicKey, subjectCommonName: commonNames[0] ?? '' };
}

function bad(reason: string, cause?: unknown): AppError {
  return new AppError('invalid_argument', `csr_pem: certificate request ${reason}`, cause === undefined ? {} : { cause });
}
