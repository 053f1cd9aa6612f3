/**
 * Object identifiers of Gatehouse's private certificate extensions.
 *
 * Arc `1.3.6.1.4.1.59999` sits under IANA's Private Enterprise Numbers (`1.3.6.1.4.1`).
 * 59999 is a placeholder chosen for Gatehouse and NOT registered with IANA: register a real
 * PEN before certificates leave a test lab, and change only the arc below. Nothing outside
 * Gatehouse reads these extensions, and both are non-critical, so other TLS stacks ignore them.
 *
 * - `<arc>.1.1` active access-request ids: DER `SEQUENCE OF UTF8String`, in ascending order,
 *   deduplicated (Teleport uses one subject attribute `1.3.9999.2.8` per id; an extension keeps
 *   the subject short and the ids out of the DN string parsers).
 * - `<arc>.1.2` traits: DER `UTF8String` holding a JSON object `{"name": ["value", ...]}`,
 *   present only when the identity has traits (Teleport puts the same JSON in PostalCode).
 * - `<arc>.1.3` user incarnation: DER `UTF8String`, the stored user's `incarnation` when the
 *   certificate was issued (possibly empty). Always present in certificates issued since store
 *   schema version 2; absent from older ones (core/auth/incarnation-mismatch.ts).
 */
export const GATEHOUSE_OID_ARC = '1.3.6.1.4.1.59999';

/** Extension with the active access-request ids. */
export const ACCESS_REQUESTS_OID = `${GATEHOUSE_OID_ARC}.1.1`;

/** Extension with the identity's traits as JSON. */
export const TRAITS_OID = `${GATEHOUSE_OID_ARC}.1.2`;

/** Extension with the incarnation of the user the certificate was issued to. */
export const USER_INCARNATION_OID = `${GATEHOUSE_OID_ARC}.1.3`;

/** Standard OIDs read by the certificate parser. */
export const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;
