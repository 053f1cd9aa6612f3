import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateClusterCA, type ClusterCA } from '../../../core/auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../../../core/auth/csr.ts';
import { decodeIdentityFile, encodeIdentityFile, readIdentityFile, writeIdentityFile, type IdentityMaterial } from '../../../core/auth/identity-file.ts';
import { issueClientCert } from '../../../core/auth/issue-client-cert.ts';
import { makeTempDir } from './temp-dir.ts';

let ca: ClusterCA;
let material: IdentityMaterial;

beforeAll(async () => {
  ca = await loadOrCreateClusterCA(await makeTempDir(), 'prod');
  const { keyPem, csrPem } = await createKeyAndCsr('access-plugin');
  const { publicKey } = await parseCsr(csrPem);
  const { certPem } = await issueClientCert(ca, { publicKey, user: 'access-plugin', incarnation: '', roles: ['access-plugin'], accessRequestIds: [], ttlMs: 3600_000, nowMs: Date.now() });
  material = { keyPem, certPem, caPems: [ca.certPem] };
});

describe('identity files', () => {
  it('encodes key, certificate, then CAs, and decodes them back with the identity', () => {
    const text = encodeIdentityFile(material);
    const labels = [...text.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]);
    expect(labels).toEqual(['PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE']);
    const decoded = decodeIdentityFile(text, 'test.pem');
    expect(decoded.keyPem).toBe(material.keyPem);
    expect(decoded.certPem).toBe(material.certPem);
    expect(decoded.caPems).toEqual([ca.certPem]);
    expect(decoded.identity).toMatchObject({ user: 'access-plugin', roles: ['access-plugin'] });
  });

  it('decides by PEM type, ignoring order and non-PEM lines (Teleport layout)', () => {
    const text = [
      material.certPem,
      'ssh-rsa-cert-v01@openssh.com AAAAB3NzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20 alice\n',
      material.keyPem,
      '@cert-authority prod ecdsa-sha2-nistp256 AAAA type=host\n',
      ca.certPem,
    ].join('');
    expect(decodeIdentityFile(text, 'teleport.pem').identity.user).toBe('access-plugin');
  });

  it('writes mode 0600 atomically, creating parent dirs, and reads it back', async () => {
    const path = join(await makeTempDir(), 'nested', 'dir', 'identity.pem');
    await writeIdentityFile(path, material);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe(encodeIdentityFile(material));
    await writeIdentityFile(path, material); // overwriting works
    expect((await readIdentityFile(path)).identity.user).toBe('access-plugin');
  });

  it('names the file when the key is missing', async () => {
    const path = join(await makeTempDir(), 'no-key.pem');
    await writeFile(path, material.certPem + ca.certPem);
    await expect(readIdentityFile(path)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: `identity file ${path}: no private key block (expected "-----BEGIN PRIVATE KEY-----")`,
    });
  });

  it.each([
    ['no certificate', () => material.keyPem, 'no certificate block'],
    ['no CA', () => material.keyPem + material.certPem, 'no CA certificate'],
    ['two keys', () => material.keyPem + material.keyPem + material.certPem + ca.certPem, '2 private key blocks'],
    ['empty', () => '', 'no private key block'],
    ['encrypted key', () => '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n', 'encrypted'],
    ['truncated block', () => material.keyPem + material.certPem.slice(0, 100), 'unterminated'],
    ['CA certificate as leaf', () => material.keyPem + ca.certPem + ca.certPem, 'does not belong to the certificate'],
  ])('rejects %s, naming the file', (_name, text, reason) => {
    expect(() => decodeIdentityFile(text(), 'bad.pem')).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(new RegExp(`^identity file bad\\.pem: .*${reason}`)) }));
  });

  it('reports a missing file as not_found', async () => {
    await expect(readIdentityFile(join(await makeTempDir(), 'absent.pem'))).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('absent.pem') });
  });

  it('rejects a key that does not belong to the certificate', async () => {
    const other = await createKeyAndCsr('x');
    expect(() => decodeIdentityFile(encodeIdentityFile({ ...material, keyPem: other.keyPem }), 'mixed.pem')).toThrow(
      expect.objectContaining({ message: 'identity file mixed.pem: the private key does not belong to the certificate' }),
    );
  });
});
