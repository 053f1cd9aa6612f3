import { X509Certificate } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateClusterCA } from '../../../core/auth/cluster-ca.ts';
import { x509 } from '../../../core/auth/x509.ts';
import { makeTempDir } from './temp-dir.ts';

describe('loadOrCreateClusterCA', () => {
  it('creates the CA once and reloads it with the same fingerprint', async () => {
    const dir = join(await makeTempDir(), 'data');
    const first = await loadOrCreateClusterCA(dir, 'prod');
    const again = await loadOrCreateClusterCA(dir, 'prod');
    expect(again.fingerprintSha256).toBe(first.fingerprintSha256);
    expect(again.certPem).toBe(first.certPem);
    expect(first.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.fingerprintSha256).toBe(new X509Certificate(first.certPem).fingerprint256.replaceAll(':', '').toLowerCase());
    // No temp files are left behind.
    expect((await readdir(dir)).sort()).toEqual([CA_CERT_FILE, CA_KEY_FILE]);
  });

  it('writes the key with mode 0600 as PKCS#8 and a self-signed 10-year CA certificate', async () => {
    const dir = await makeTempDir();
    const nowMs = Date.UTC(2030, 0, 1);
    const ca = await loadOrCreateClusterCA(dir, 'prod', { nowMs });
    expect((await stat(join(dir, CA_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o077).toBe(0);
    expect(await readFile(join(dir, CA_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const cert = new X509Certificate(await readFile(join(dir, CA_CERT_FILE)));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=prod Gatehouse CA\nO=gatehouse');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.validFromDate.getTime()).toBe(nowMs - 60_000);
    expect(cert.validToDate.getTime()).toBe(nowMs + 3650 * 24 * 3600 * 1000);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const usages = ca.cert.getExtension(x509.KeyUsagesExtension);
    expect(usages?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.privateKey.extractable).toBe(false);
  });

  it('completes a CA whose creation crashed after the key was written', async () => {
    const dir = await makeTempDir();
    const first = await loadOrCreateClusterCA(dir, 'prod');
    const keyBefore = await readFile(join(dir, CA_KEY_FILE), 'utf8');
    await rm(join(dir, CA_CERT_FILE));
    const second = await loadOrCreateClusterCA(dir, 'prod');
    expect(await readFile(join(dir, CA_KEY_FILE), 'utf8')).toBe(keyBefore);
    expect(new X509Certificate(second.certPem).publicKey.equals(new X509Certificate(first.certPem).publicKey)).toBe(true);
  });

  it('ends with one CA when two starts race on an empty dir', async () => {
    const dir = await makeTempDir();
    const results = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateClusterCA(dir, 'prod')));
    expect(new Set(results.map((ca) => ca.fingerprintSha256)).size).toBe(1);
  });

  it('refuses a certificate that does not match the key, or another cluster', async () => {
    const dir = await makeTempDir();
    const other = await makeTempDir();
    await loadOrCreateClusterCA(dir, 'prod');
    const otherCa = await loadOrCreateClusterCA(other, 'prod');
    await expect(loadOrCreateClusterCA(dir, 'staging')).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('staging') });
    await writeFile(join(dir, CA_CERT_FILE), otherCa.certPem);
    await expect(loadOrCreateClusterCA(dir, 'prod')).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('does not match') });
  });

  it('rejects a broken key file and a bad cluster name', async () => {
    const dir = await makeTempDir();
    await writeFile(join(dir, CA_KEY_FILE), 'not a key');
    await expect(loadOrCreateClusterCA(dir, 'prod')).rejects.toMatchObject({ code: 'failed_precondition' });
    await expect(loadOrCreateClusterCA(dir, 'bad name\n')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
