import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateClusterCA } from '../../../core/auth/cluster-ca.ts';
import { createKeyAndCsr } from '../../../core/auth/csr.ts';
import type { ClientIdentity } from '../../../core/client/gatehouse-client.ts';
import { SQLITE_MIGRATIONS } from '../../../core/store/sqlite/sqlite-migrations.ts';
import { issueLegacyClientCert } from '../../support/legacy-client-cert.ts';
import { v1DatabaseSql } from '../../support/schema-v1.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

const HOUR = 3600_000;

/**
 * A server upgraded from store schema version 1, whose users and certificates predate the
 * incarnation: certificates issued to the users of that time keep working until they expire;
 * one issued to an earlier user of the name (deleted and created again before the upgrade), and
 * every old one after a delete and re-create following the upgrade, are refused.
 */
describe('upgrade from certificates without a user incarnation', () => {
  let dataDir: string;
  let t: TestServer;
  let olgaLegacy: ClientIdentity;
  let peteLegacy: ClientIdentity;
  const connect = (identity: ClientIdentity) => t.connect(identity);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-upgrade-'));
    const now = Date.now();
    const ca = await loadOrCreateClusterCA(dataDir, 'gatehouse');
    const db = new DatabaseSync(path.join(dataDir, 'gatehouse.db'));
    try {
      db.exec(v1DatabaseSql({
        migrations: SQLITE_MIGRATIONS,
        strict: true,
        users: [
          { name: 'olga', roles: ['sres'], createdMs: now - 2 * HOUR },
          // Deleted and created again ten minutes ago, before the upgrade.
          { name: 'pete', roles: ['sres'], createdMs: now - 10 * 60_000 },
        ],
      }));
    } finally {
      db.close();
    }
    olgaLegacy = await issueLegacyClientCert(ca, { user: 'olga', roles: ['sres'], issuedMs: now - HOUR, ttlMs: 12 * HOUR });
    // Issued to the pete of before: an hour ago, before the current pete was created.
    peteLegacy = await issueLegacyClientCert(ca, { user: 'pete', roles: ['sres'], issuedMs: now - HOUR, ttlMs: 12 * HOUR });
    t = await startTestServer({ dataDir });
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the certificates of existing users working, and their renewals', async () => {
    const olga = connect(olgaLegacy);
    expect(await olga.ping()).toMatchObject({ user: 'olga', roles: ['sres'] });
    const { keyPem, csrPem } = await createKeyAndCsr('olga');
    const renewed = await olga.generateUserCerts({ csrPem });
    expect((await connect({ keyPem, certPem: renewed.certPem, caPems: renewed.caPems }).ping()).user).toBe('olga');
    expect((await olga.ping()).user).toBe('olga');
  });

  it('refuses a certificate issued before the user was created (a deletion before the upgrade)', async () => {
    await expect(connect(peteLegacy).ping()).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: expect.stringContaining('issued to an earlier user "pete"'),
    });
    const { keyPem, csrPem } = await createKeyAndCsr('pete');
    const fresh = await t.admin.generateUserCerts({ csrPem, user: 'pete' });
    expect((await connect({ keyPem, certPem: fresh.certPem, caPems: fresh.caPems }).ping()).user).toBe('pete');
  });

  it('refuses the old certificates, renewed or not, once the user is deleted and created again', async () => {
    const olga = connect(olgaLegacy);
    const { keyPem, csrPem } = await createKeyAndCsr('olga');
    const renewedCerts = await olga.generateUserCerts({ csrPem });
    const renewed = connect({ keyPem, certPem: renewedCerts.certPem, caPems: renewedCerts.caPems });
    expect((await renewed.ping()).user).toBe('olga');

    await t.admin.deleteUser('olga');
    await t.admin.upsertUser({ user: { name: 'olga', roles: ['sres'] }, createOnly: true });
    for (const c of [olga, renewed]) {
      await expect(c.ping()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', details: expect.stringContaining('earlier user "olga"') });
    }
    const next = await createKeyAndCsr('olga');
    const fresh = await t.admin.generateUserCerts({ csrPem: next.csrPem, user: 'olga' });
    expect((await connect({ keyPem: next.keyPem, certPem: fresh.certPem, caPems: fresh.caPems }).ping()).user).toBe('olga');
  });
});
