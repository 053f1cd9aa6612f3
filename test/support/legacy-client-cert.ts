import type { ClusterCA } from '../../core/auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../../core/auth/csr.ts';
import { ACCESS_REQUESTS_OID } from '../../core/auth/certificate-oids.ts';
import { encodeUtf8StringSequence } from '../../core/auth/der.ts';
import { toPem } from '../../core/auth/pem.ts';
import { randomSerialHex } from '../../core/auth/random-serial.ts';
import { EC_P256_SHA256, x509 } from '../../core/auth/x509.ts';
import type { ClientIdentity } from '../../core/client/gatehouse-client.ts';

/**
 * A client identity as servers issued it before store schema version 2: the same subject, key
 * usages, back-dated NotBefore and access-requests extension, but no user-incarnation extension.
 * The production issuer cannot leave it out, so upgrade tests make their old certificates here.
 */
export async function issueLegacyClientCert(ca: ClusterCA, options: { user: string; roles: string[]; issuedMs: number; ttlMs: number }): Promise<ClientIdentity> {
  const { keyPem, csrPem } = await createKeyAndCsr(options.user);
  const { publicKey } = await parseCsr(csrPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new x509.Name([{ CN: [{ utf8String: options.user }] }, ...[...options.roles].sort().map((role) => ({ O: [{ utf8String: role }] }))]),
    issuer: ca.cert.subjectName,
    notBefore: new Date(options.issuedMs - 60_000),
    notAfter: new Date(options.issuedMs + options.ttlMs),
    signingAlgorithm: EC_P256_SHA256,
    publicKey,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
      new x509.Extension(ACCESS_REQUESTS_OID, false, encodeUtf8StringSequence([])),
    ],
  });
  return { keyPem, certPem: toPem('CERTIFICATE', cert.rawData), caPems: [ca.certPem] };
}
