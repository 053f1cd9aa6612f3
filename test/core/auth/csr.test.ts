import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyAndCsr, parseCsr } from '../../../core/auth/csr.ts';
import { toPem } from '../../../core/auth/pem.ts';
import { x509 } from '../../../core/auth/x509.ts';

async function csrWith(algorithm: RsaHashedKeyGenParams | EcKeyGenParams, signing: Algorithm | EcdsaParams): Promise<string> {
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=mallory', keys, signingAlgorithm: signing });
  return toPem('CERTIFICATE REQUEST', csr.rawData);
}

describe('createKeyAndCsr + parseCsr', () => {
  it('round-trips: the parsed public key is the generated key', async () => {
    const { keyPem, csrPem, privateKey } = await createKeyAndCsr('alice');
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    expect(privateKey.type).toBe('private');

    const parsed = await parseCsr(csrPem);
    expect(parsed.subjectCommonName).toBe('alice');
    expect(parsed.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const fromCsr = Buffer.from(await crypto.subtle.exportKey('spki', parsed.publicKey));
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    expect(fromCsr.equals(fromKey)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'hello world'],
    ['a certificate instead', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    ['bad base64', '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n'],
    ['valid base64 but not DER', '-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQh\n-----END CERTIFICATE REQUEST-----\n'],
    ['unterminated', '-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQh\n'],
    ['huge', `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----\n`],
  ])('rejects %s with a clear invalid_argument naming csr_pem', async (_name, pem) => {
    await expect(parseCsr(pem)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/^csr_pem: certificate request /) });
  });

  it('rejects a CSR whose content was changed after signing', async () => {
    const { csrPem } = await createKeyAndCsr('alice');
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');
    const at = der.indexOf('alice');
    der[at] = 'e'.charCodeAt(0); // "elice"
    await expect(parseCsr(toPem('CERTIFICATE REQUEST', der))).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'csr_pem: certificate request signature does not match its public key',
    });
  });

  it('rejects a CSR whose key parameters are malformed (not an internal error)', async () => {
    const { csrPem } = await createKeyAndCsr('alice');
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');
    // The named curve P-256 (OID 1.2.840.10045.3.1.7) loses its OID tag (a fuzzed bit flip):
    // the key's parameters no longer parse.
    const at = der.indexOf(Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]));
    der[at] = 0x16;
    await expect(parseCsr(toPem('CERTIFICATE REQUEST', der))).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'csr_pem: certificate request has an unreadable public key',
    });
  });

  it('rejects two CSRs in one input', async () => {
    const { csrPem } = await createKeyAndCsr('alice');
    await expect(parseCsr(csrPem + csrPem)).rejects.toMatchObject({ message: expect.stringContaining('exactly one') });
  });

  it('rejects small RSA and other curves, accepts RSA 2048', async () => {
    const rsa = (modulusLength: number): RsaHashedKeyGenParams => ({ name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
    await expect(parseCsr(await csrWith(rsa(1024), rsa(1024)))).rejects.toMatchObject({ message: expect.stringContaining('1024-bit RSA') });
    const p384 = { name: 'ECDSA', namedCurve: 'P-384' };
    await expect(parseCsr(await csrWith(p384, { ...p384, hash: 'SHA-384' } as EcdsaParams))).rejects.toMatchObject({ message: expect.stringContaining('secp384r1') });
    const ok = await parseCsr(await csrWith(rsa(2048), rsa(2048)));
    expect(ok.publicKey.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
  });

  it('rejects a CSR signed with SHA-1', async () => {
    const p256 = { name: 'ECDSA', namedCurve: 'P-256' };
    await expect(parseCsr(await csrWith(p256, { name: 'ECDSA', hash: 'SHA-1' } as EcdsaParams))).rejects.toMatchObject({ message: expect.stringContaining('SHA-256 or stronger') });
  });
});
