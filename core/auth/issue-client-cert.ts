import { AppError } from '../domain/app-error.ts';
import { ACCESS_REQUESTS_OID, TRAITS_OID, USER_INCARNATION_OID } from './certificate-oids.ts';
import type { ClusterCA } from './cluster-ca.ts';
import { encodeUtf8String, encodeUtf8StringSequence } from './der.ts';
import { toPem } from './pem.ts';
import { randomSerialHex } from './random-serial.ts';
import { EC_P256_SHA256, x509 } from './x509.ts';

/** Input of {@link issueClientCert}. */
export interface IssueClientCertOptions {
  /** The subject's public key (from `parseCsr` or a freshly generated pair). */
  publicKey: CryptoKey;
  /** Becomes the subject CN. */
  user: string;
  /** The stored user's incarnation, written to the {@link USER_INCARNATION_OID} extension; may be empty. */
  incarnation: string;
  /** One subject O attribute each; sorted and deduplicated. */
  roles: readonly string[];
  /** Active access requests, written to the {@link ACCESS_REQUESTS_OID} extension; sorted, deduplicated. */
  accessRequestIds: readonly string[];
  /** Written to the {@link TRAITS_OID} extension when non-empty. */
  traits?: Readonly<Record<string, readonly string[]>>;
  /** Lifetime from `nowMs`. */
  ttlMs: number;
  nowMs: number;
}

/** An issued client certificate. */
export interface ClientCertMaterial {
  certPem: string;
  /** The certificate's NotAfter (whole seconds, as X.509 stores it). */
  expiresMs: number;
}

const CLOCK_SKEW_MS = 60_000;
const MAX_NAME_LENGTH = 256;
// Control characters would survive DER but not logs, terminals or DN strings.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Issues a client certificate for `user`, signed by the cluster CA: subject `CN=<user>` plus
 * one `O=<role>` per role (sorted), NotBefore = now − 1 min, NotAfter = now + ttl (rounded
 * down to the second), EKU clientAuth, a random 16-byte positive serial, and the non-critical
 * extensions {@link ACCESS_REQUESTS_OID} (always present, possibly empty),
 * {@link USER_INCARNATION_OID} (always present, possibly empty) and {@link TRAITS_OID} (only
 * with traits). Names are stored as UTF8String, byte for byte.
 *
 * @throws AppError `invalid_argument` naming the field: empty or over-long names, control
 *   characters, a private key passed as `public_key`, or a non-positive TTL.
 */
export async function issueClientCert(ca: ClusterCA, options: IssueClientCertOptions): Promise<ClientCertMaterial> {
  const user = checkName('user', options.user);
  const incarnation = options.incarnation === '' ? '' : checkName('incarnation', options.incarnation);
  const roles = sortedUnique(options.roles.map((role, i) => checkName(`roles[${i}]`, role)));
  const requestIds = sortedUnique(options.accessRequestIds.map((id, i) => checkName(`access_request_ids[${i}]`, id)));
  const traitsJson = encodeTraits(options.traits ?? {});
  if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs <= 0) {
    throw new AppError('invalid_argument', `ttl_ms: must be a positive integer, got ${options.ttlMs}`);
  }
  if (!Number.isSafeInteger(options.nowMs) || options.nowMs <= 0) {
    throw new AppError('invalid_argument', `now_ms: must be a positive integer, got ${options.nowMs}`);
  }
  if (options.publicKey.type !== 'public') {
    throw new AppError('invalid_argument', `public_key: expected a public key, got a ${options.publicKey.type} key`);
  }

  const expiresMs = Math.floor((options.nowMs + options.ttlMs) / 1000) * 1000;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    new x509.Extension(ACCESS_REQUESTS_OID, false, encodeUtf8StringSequence(requestIds)),
    new x509.Extension(USER_INCARNATION_OID, false, encodeUtf8String(incarnation)),
  ];
  if (traitsJson !== undefined) extensions.push(new x509.Extension(TRAITS_OID, false, encodeUtf8String(traitsJson)));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new x509.Name([{ CN: [{ utf8String: user }] }, ...roles.map((role) => ({ O: [{ utf8String: role }] }))]),
    issuer: ca.cert.subjectName,
    notBefore: new Date(options.nowMs - CLOCK_SKEW_MS),
    notAfter: new Date(expiresMs),
    signingAlgorithm: EC_P256_SHA256,
    publicKey: options.publicKey,
    signingKey: ca.privateKey,
    extensions,
  });
  return { certPem: toPem('CERTIFICATE', cert.rawData), expiresMs };
}

function checkName(field: string, value: string): string {
  if (value.length === 0) throw new AppError('invalid_argument', `${field}: must not be empty`);
  if (value.length > MAX_NAME_LENGTH) throw new AppError('invalid_argument', `${field}: longer than ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(value)) throw new AppError('invalid_argument', `${field}: contains control characters`);
  return value;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Canonical JSON (keys sorted, values sorted and deduplicated), or undefined for no traits. */
function encodeTraits(traits: Readonly<Record<string, readonly string[]>>): string | undefined {
  const keys = Object.keys(traits).sort();
  if (keys.length === 0) return undefined;
  const entries = keys.map((key): [string, string[]] => {
    checkName('traits', key);
    const values: unknown = traits[key];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new AppError('invalid_argument', `traits.${key}: must be a list of strings`);
    }
    return [key, sortedUnique(values as string[])];
  });
  // fromEntries defines own properties, so a trait named "__proto__" stays a trait.
  return JSON.stringify(Object.fromEntries(entries));
}
