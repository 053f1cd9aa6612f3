import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { AppError } from '../domain/app-error.ts';
import { ACCESS_REQUESTS_OID, OID, TRAITS_OID, USER_INCARNATION_OID } from './certificate-oids.ts';
import type { ClusterCA } from './cluster-ca.ts';
import {
  decodeDerString,
  decodeUtf8String,
  decodeUtf8StringSequence,
  DER_TAG,
  derValueEquals,
  encodeOidContent,
  readDerChildren,
  readDerRoot,
  type DerElement,
} from './der.ts';

/** Who a client certificate says its holder is. Frozen: a cache hands the same object to many calls. */
export interface CertIdentity {
  /** Subject CN. */
  readonly user: string;
  /** Subject O attributes, sorted and deduplicated. */
  readonly roles: readonly string[];
  /** Active access-request ids from the Gatehouse extension, sorted; empty when absent. */
  readonly accessRequestIds: readonly string[];
  /** From the traits extension; empty when absent. */
  readonly traits: Readonly<Record<string, readonly string[]>>;
  /** The user's incarnation from its extension; undefined in certificates issued before it existed. */
  readonly incarnation: string | undefined;
  readonly notBeforeMs: number;
  /** NotAfter. */
  readonly expiresMs: number;
  /** Serial number, lowercase hex. */
  readonly serial: string;
  /** SHA-256 of the certificate DER, lowercase hex: a stable key for caches, locks and logs. */
  readonly fingerprint: string;
}

/** A bounded memo of {@link parseCertIdentity}, keyed by the certificate's SHA-256. */
export interface IdentityCache {
  /** The identity of `der`, parsed once per distinct certificate. @throws like parseCertIdentity. */
  get(der: Uint8Array): CertIdentity;
  readonly size: number;
  clear(): void;
}

/** Options of {@link createIdentityCache}. */
export interface IdentityCacheOptions {
  /** Most certificates kept; the least recently used goes first. @default 10000 */
  maxEntries?: number;
}

const OID_CN = encodeOidContent(OID.commonName);
const OID_O = encodeOidContent(OID.organization);
const OID_ACCESS_REQUESTS = encodeOidContent(ACCESS_REQUESTS_OID);
const OID_TRAITS = encodeOidContent(TRAITS_OID);
const OID_INCARNATION = encodeOidContent(USER_INCARNATION_OID);
const TAG_VERSION = 0xa0;
const TAG_EXTENSIONS = 0xa3;

/**
 * Reads the identity in a client certificate. Does NOT check who signed it or whether it is
 * still valid: the TLS handshake did that (see {@link verifyClientCert} for an explicit check).
 *
 * Fast path, because it runs on every call: Node's native `X509Certificate` checks the whole
 * structure and gives validity and serial; a direct DER walk of the TBSCertificate reads the
 * subject and the Gatehouse extensions. The subject is read from DER rather than from Node's
 * RFC 2253-escaped subject string, so no name can be mis-split.
 *
 * @throws AppError `unauthenticated` when the bytes are not a certificate, the subject has no
 *   single CN, or a Gatehouse extension is malformed.
 */
export function parseCertIdentity(der: Buffer | Uint8Array): CertIdentity {
  return parseWithFingerprint(der, sha256Hex(der));
}

/** Creates a bounded LRU memo of {@link parseCertIdentity} (a Map in access order). */
export function createIdentityCache(options: IdentityCacheOptions = {}): IdentityCache {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new AppError('invalid_argument', `max_entries: must be a positive integer, got ${maxEntries}`);
  }
  const entries = new Map<string, CertIdentity>();
  return {
    get(der) {
      const fingerprint = sha256Hex(der);
      const hit = entries.get(fingerprint);
      if (hit !== undefined) {
        // Re-insert so the Map's iteration order stays least-recently-used first.
        entries.delete(fingerprint);
        entries.set(fingerprint, hit);
        return hit;
      }
      const identity = parseWithFingerprint(der, fingerprint);
      entries.set(fingerprint, identity);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      return identity;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

/**
 * Checks a client certificate against the cluster CA, then returns its identity: issued and
 * signed by `ca`, `nowMs` within NotBefore..NotAfter (inclusive), EKU includes clientAuth,
 * and not itself a CA. The TLS handshake already checks the chain and validity; this is for
 * defence in depth (e.g. certificates that arrive outside TLS) and for tests.
 *
 * @throws AppError `unauthenticated` saying which check failed.
 */
export function verifyClientCert(der: Buffer | Uint8Array, ca: ClusterCA, nowMs: number): CertIdentity {
  const cert = parseNodeCert(der);
  if (!cert.checkIssued(ca.nodeCert) || !cert.verify(ca.nodeCert.publicKey)) {
    throw new AppError('unauthenticated', `client certificate was not issued by the ${ca.clusterName} cluster CA`);
  }
  const notBeforeMs = cert.validFromDate.getTime();
  const expiresMs = cert.validToDate.getTime();
  if (nowMs < notBeforeMs) {
    throw new AppError('unauthenticated', `client certificate is not valid before ${new Date(notBeforeMs).toISOString()}`);
  }
  if (nowMs > expiresMs) {
    throw new AppError('unauthenticated', `client certificate expired at ${new Date(expiresMs).toISOString()}`);
  }
  const extendedKeyUsage: readonly string[] | undefined = cert.keyUsage;
  if (extendedKeyUsage === undefined || !extendedKeyUsage.includes(OID.clientAuth)) {
    throw new AppError('unauthenticated', 'certificate is not a client certificate (no clientAuth extended key usage)');
  }
  if (cert.ca) throw new AppError('unauthenticated', 'a CA certificate cannot be used as a client certificate');
  return parseWithFingerprint(der, sha256Hex(der), cert);
}

function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

function parseNodeCert(der: Uint8Array): NodeX509Certificate {
  try {
    return new NodeX509Certificate(der);
  } catch (err) {
    throw new AppError('unauthenticated', 'client certificate is not a valid X.509 certificate', { cause: err });
  }
}

function parseWithFingerprint(der: Uint8Array, fingerprint: string, parsed?: NodeX509Certificate): CertIdentity {
  const cert = parsed ?? parseNodeCert(der);
  let fields: TbsFields;
  try {
    fields = readTbsFields(der);
  } catch (err) {
    throw new AppError('unauthenticated', `client certificate: ${err instanceof Error ? err.message : 'malformed'}`, { cause: err });
  }
  return Object.freeze({
    user: fields.user,
    roles: Object.freeze([...new Set(fields.roles)].sort()),
    accessRequestIds: Object.freeze([...new Set(fields.accessRequestIds)].sort()),
    traits: fields.traits,
    incarnation: fields.incarnation,
    notBeforeMs: cert.validFromDate.getTime(),
    expiresMs: cert.validToDate.getTime(),
    serial: cert.serialNumber.toLowerCase(),
    fingerprint,
  });
}

interface TbsFields {
  user: string;
  roles: string[];
  accessRequestIds: string[];
  traits: Readonly<Record<string, readonly string[]>>;
  incarnation: string | undefined;
}

/** Walks Certificate -> TBSCertificate -> subject and extensions (RFC 5280 §4.1). */
function readTbsFields(der: Uint8Array): TbsFields {
  const certificate = readDerRoot(der, DER_TAG.sequence);
  const [tbs] = readDerChildren(der, certificate);
  if (tbs === undefined || tbs.tag !== DER_TAG.sequence) throw new Error('missing TBSCertificate');
  const parts = readDerChildren(der, tbs);
  // version [0] is optional; then serial, signature, issuer, validity, subject, spki.
  const first = parts[0]?.tag === TAG_VERSION ? 1 : 0;
  const subject = parts[first + 4];
  if (subject === undefined || subject.tag !== DER_TAG.sequence) throw new Error('missing subject');

  let user: string | undefined;
  const roles: string[] = [];
  for (const rdn of readDerChildren(der, subject)) {
    if (rdn.tag !== DER_TAG.set) throw new Error('subject RDN is not a SET');
    for (const atv of readDerChildren(der, rdn)) {
      const [type, value] = pair(der, atv, 'subject attribute');
      if (derValueEquals(der, type, OID_CN)) {
        if (user !== undefined) throw new Error('subject has more than one CN');
        user = decodeDerString(der, value);
      } else if (derValueEquals(der, type, OID_O)) {
        roles.push(decodeDerString(der, value));
      }
    }
  }
  if (user === undefined || user.length === 0) throw new Error('subject has no CN (user name)');

  let accessRequestIds: string[] = [];
  let traits: Readonly<Record<string, readonly string[]>> = Object.freeze({});
  let incarnation: string | undefined;
  const extensionsWrapper = parts.slice(first + 6).find((el) => el.tag === TAG_EXTENSIONS);
  if (extensionsWrapper !== undefined) {
    const [extensions] = readDerChildren(der, extensionsWrapper);
    if (extensions === undefined || extensions.tag !== DER_TAG.sequence) throw new Error('extensions are not a SEQUENCE');
    let seenRequests = false;
    let seenTraits = false;
    for (const extension of readDerChildren(der, extensions)) {
      const children = readDerChildren(der, extension);
      const oid = children[0];
      const value = children[children.length - 1];
      if (extension.tag !== DER_TAG.sequence || oid?.tag !== DER_TAG.oid || value?.tag !== DER_TAG.octetString) {
        throw new Error('malformed extension');
      }
      const content = der.subarray(value.start, value.end);
      if (derValueEquals(der, oid, OID_ACCESS_REQUESTS)) {
        if (seenRequests) throw new Error('duplicate access-requests extension');
        seenRequests = true;
        accessRequestIds = decodeUtf8StringSequence(content);
      } else if (derValueEquals(der, oid, OID_TRAITS)) {
        if (seenTraits) throw new Error('duplicate traits extension');
        seenTraits = true;
        traits = decodeTraits(decodeUtf8String(content));
      } else if (derValueEquals(der, oid, OID_INCARNATION)) {
        if (incarnation !== undefined) throw new Error('duplicate user-incarnation extension');
        incarnation = decodeUtf8String(content);
      }
    }
  }
  return { user, roles, accessRequestIds, traits, incarnation };
}

function pair(der: Uint8Array, el: DerElement, what: string): [DerElement, DerElement] {
  const children = el.tag === DER_TAG.sequence ? readDerChildren(der, el) : [];
  const [type, value] = children;
  if (children.length !== 2 || type === undefined || value === undefined || type.tag !== DER_TAG.oid) {
    throw new Error(`malformed ${what}`);
  }
  return [type, value];
}

function decodeTraits(json: string): Readonly<Record<string, readonly string[]>> {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('traits extension is not a JSON object');
  const entries = Object.entries(parsed).map(([key, values]: [string, unknown]): [string, readonly string[]] => {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new Error(`trait ${key} is not a list of strings`);
    return [key, Object.freeze([...(values as string[])])];
  });
  return Object.freeze(Object.fromEntries(entries));
}
