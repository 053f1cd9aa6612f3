import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIdentityCache, parseCertIdentity, verifyClientCert } from '../../../core/auth/cert-identity.ts';
import { ACCESS_REQUESTS_OID, TRAITS_OID, USER_INCARNATION_OID } from '../../../core/auth/certificate-oids.ts';
import { loadOrCreateClusterCA, type ClusterCA } from '../../../core/auth/cluster-ca.ts';
import { decodeUtf8String, decodeUtf8StringSequence } from '../../../core/auth/der.ts';
import { issueClientCert } from '../../../core/auth/issue-client-cert.ts';
import { issueServerCert } from '../../../core/auth/issue-server-cert.ts';
import { EC_P256_SHA256, x509 } from '../../../core/auth/x509.ts';
import { makeTempDir } from './temp-dir.ts';

const NOW = Date.UTC(2031, 5, 1, 12, 0, 0);
const HOUR = 3600_000;

let ca: ClusterCA;
let otherCa: ClusterCA;
let publicKey: CryptoKey;

beforeAll(async () => {
  ca = await loadOrCreateClusterCA(await makeTempDir(), 'prod', { nowMs: NOW - 1000 });
  otherCa = await loadOrCreateClusterCA(await makeTempDir(), 'prod', { nowMs: NOW - 1000 });
  publicKey = (await crypto.subtle.generateKey(EC_P256_SHA256, true, ['sign', 'verify'])).publicKey;
});

function der(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

describe('issueClientCert + parseCertIdentity', () => {
  it('round-trips user, incarnation, roles, request ids, traits and expiry', async () => {
    const issued = await issueClientCert(ca, {
      publicKey,
      user: 'alice@example.com',
      incarnation: '5f0c8a4e-0d51-4b8e-9d3f-1f6c2b7a9e10',
      roles: ['requester', 'dba', 'access-plugin', 'dba'],
      accessRequestIds: ['0b8e-2', '0b8e-1'],
      traits: { logins: ['root', 'alice'], groups: [] },
      ttlMs: 12 * HOUR + 999,
      nowMs: NOW,
    });
    expect(issued.expiresMs).toBe(NOW + 12 * HOUR);

    const identity = parseCertIdentity(der(issued.certPem));
    expect(identity).toMatchObject({
      user: 'alice@example.com',
      incarnation: '5f0c8a4e-0d51-4b8e-9d3f-1f6c2b7a9e10',
      roles: ['access-plugin', 'dba', 'requester'],
      accessRequestIds: ['0b8e-1', '0b8e-2'],
      traits: { groups: [], logins: ['alice', 'root'] },
      notBeforeMs: NOW - 60_000,
      expiresMs: NOW + 12 * HOUR,
    });
    expect(identity.serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(identity.fingerprint).toBe(new X509Certificate(issued.certPem).fingerprint256.replaceAll(':', '').toLowerCase());
    expect(Object.isFrozen(identity) && Object.isFrozen(identity.roles)).toBe(true);
  });

  it('writes the subject, EKU and the documented extension encoding', async () => {
    const { certPem } = await issueClientCert(ca, { publicKey, user: 'bob', incarnation: '', roles: ['b', 'a'], accessRequestIds: ['r1'], ttlMs: HOUR, nowMs: NOW });
    const node = new X509Certificate(certPem);
    expect(node.subject).toBe('CN=bob\nO=a\nO=b');
    expect(node.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(node.ca).toBe(false);
    const cert = new x509.X509Certificate(certPem);
    const ext = cert.getExtension(ACCESS_REQUESTS_OID);
    expect(ext?.critical).toBe(false);
    expect(decodeUtf8StringSequence(new Uint8Array(ext?.value ?? new ArrayBuffer(0)))).toEqual(['r1']);
    expect(cert.getExtension(TRAITS_OID)).toBeNull();
    // Present even when empty (a user from before incarnations): its absence marks an older certificate.
    const incarnation = cert.getExtension(USER_INCARNATION_OID);
    expect(incarnation?.critical).toBe(false);
    expect(decodeUtf8String(new Uint8Array(incarnation?.value ?? new ArrayBuffer(0)))).toBe('');
    expect(parseCertIdentity(der(certPem)).incarnation).toBe('');
    expect(cert.serialNumber).toHaveLength(32);
  });

  it('keeps names with DN-special characters exact', async () => {
    const user = 'o\'brien, "x" + <y>; \\z #é';
    const roles = [' leading space', 'a=b', 'CN=admin'];
    const { certPem } = await issueClientCert(ca, { publicKey, user, incarnation: '', roles, accessRequestIds: [], ttlMs: HOUR, nowMs: NOW });
    const identity = parseCertIdentity(der(certPem));
    expect(identity.user).toBe(user);
    expect(identity.roles).toEqual([...roles].sort());
    expect(identity.accessRequestIds).toEqual([]);
    expect(identity.traits).toEqual({});
  });

  it('rejects bad input with invalid_argument naming the field', async () => {
    const base = { publicKey, user: 'u', incarnation: '', roles: ['r'], accessRequestIds: [], ttlMs: HOUR, nowMs: NOW };
    await expect(issueClientCert(ca, { ...base, user: '' })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('user') });
    await expect(issueClientCert(ca, { ...base, roles: ['ok', 'bad\nrole'] })).rejects.toMatchObject({ message: expect.stringContaining('roles[1]') });
    await expect(issueClientCert(ca, { ...base, ttlMs: 0 })).rejects.toMatchObject({ message: expect.stringContaining('ttl_ms') });
    await expect(issueClientCert(ca, { ...base, incarnation: 'a\u0000b' })).rejects.toMatchObject({ message: expect.stringContaining('incarnation') });
    const pair = await crypto.subtle.generateKey(EC_P256_SHA256, true, ['sign', 'verify']);
    await expect(issueClientCert(ca, { ...base, publicKey: pair.privateKey })).rejects.toMatchObject({ message: expect.stringContaining('public_key') });
  });

  it('rejects garbage as unauthenticated', () => {
    expect(() => parseCertIdentity(Buffer.from('not a certificate'))).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
  });
});

describe('verifyClientCert', () => {
  it('accepts a certificate of this CA inside its validity', async () => {
    const { certPem } = await issueClientCert(ca, { publicKey, user: 'alice', incarnation: '', roles: ['r'], accessRequestIds: [], ttlMs: HOUR, nowMs: NOW });
    expect(verifyClientCert(der(certPem), ca, NOW + 1000).user).toBe('alice');
  });

  it('rejects a certificate from another CA, even with the same subject names', async () => {
    const { certPem } = await issueClientCert(otherCa, { publicKey, user: 'alice', incarnation: '', roles: ['admin'], accessRequestIds: [], ttlMs: HOUR, nowMs: NOW });
    expect(() => verifyClientCert(der(certPem), ca, NOW)).toThrow(expect.objectContaining({ code: 'unauthenticated', message: expect.stringContaining('not issued by') }));
  });

  it('rejects an expired and a not-yet-valid certificate', async () => {
    const { certPem } = await issueClientCert(ca, { publicKey, user: 'alice', incarnation: '', roles: ['r'], accessRequestIds: [], ttlMs: HOUR, nowMs: NOW });
    expect(() => verifyClientCert(der(certPem), ca, NOW + HOUR + 1000)).toThrow(expect.objectContaining({ code: 'unauthenticated', message: expect.stringContaining('expired') }));
    expect(() => verifyClientCert(der(certPem), ca, NOW - 2 * 60_000)).toThrow(expect.objectContaining({ message: expect.stringContaining('not valid before') }));
  });

  it('rejects a server certificate (no clientAuth) and the CA certificate itself', async () => {
    const server = await issueServerCert(ca, { hosts: [], ttlMs: HOUR, nowMs: NOW });
    expect(() => verifyClientCert(der(server.certPem), ca, NOW)).toThrow(expect.objectContaining({ message: expect.stringContaining('clientAuth') }));
    expect(() => verifyClientCert(der(ca.certPem), ca, NOW)).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
  });
});

describe('createIdentityCache', () => {
  it('returns the same identity object for the same certificate and evicts the least recently used', async () => {
    const cache = createIdentityCache({ maxEntries: 2 });
    const certs = await Promise.all(
      ['a', 'b', 'c'].map(async (user) => der((await issueClientCert(ca, { publicKey, user, incarnation: '', roles: [], accessRequestIds: [], ttlMs: HOUR, nowMs: NOW })).certPem)),
    );
    const [a, b, c] = certs as [Buffer, Buffer, Buffer];
    const first = cache.get(a);
    expect(cache.get(Buffer.from(a))).toBe(first);
    cache.get(b);
    cache.get(a); // a is now the most recently used
    cache.get(c); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get(a)).toBe(first);
    const bAgain = cache.get(b); // re-parsed, evicts c
    expect(bAgain.user).toBe('b');
    expect(cache.size).toBe(2);
    expect(() => createIdentityCache({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it('parses quickly enough for every call', async () => {
    const { certPem } = await issueClientCert(ca, { publicKey, user: 'alice', incarnation: '', roles: ['a', 'b', 'c'], accessRequestIds: ['r1', 'r2'], ttlMs: HOUR, nowMs: NOW });
    const bytes = der(certPem);
    const cache = createIdentityCache();
    const start = performance.now();
    for (let i = 0; i < 2000; i++) cache.get(bytes);
    const cachedMs = (performance.now() - start) / 2000;
    const start2 = performance.now();
    for (let i = 0; i < 500; i++) parseCertIdentity(bytes);
    const uncachedMs = (performance.now() - start2) / 500;
    // Generous bounds for slow CI machines; typical values are ~0.005 ms and ~0.05 ms.
    expect(cachedMs).toBeLessThan(0.5);
    expect(uncachedMs).toBeLessThan(2);
  });
});

describe('issueServerCert', () => {
  it('adds the default hosts to the SAN, with serverAuth', async () => {
    const server = await issueServerCert(ca, { hosts: ['gatehouse.example.com', '10.0.0.7', 'LOCALHOST'], ttlMs: HOUR, nowMs: NOW });
    const cert = new X509Certificate(server.certPem);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.subjectAltName?.split(', ').sort()).toEqual(
      ['DNS:gatehouse.cluster.local', 'DNS:gatehouse.example.com', 'DNS:localhost', 'IP Address:10.0.0.7', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'].sort(),
    );
    expect(cert.checkIssued(ca.nodeCert) && cert.verify(ca.nodeCert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(server.keyPem))).toBe(true);
    await expect(issueServerCert(ca, { hosts: ['bad host!'], ttlMs: HOUR })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('hosts') });
  });
});
