import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyAndCsr } from '../../../core/auth/csr.ts';
import { SERVER_NAME, type ClientIdentity, type GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { loadGatehouseProto } from '../../../proto/load-proto.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

const REFUSED = { code: 'UNAUTHENTICATED', details: expect.stringMatching(/issued to an earlier user "[^"]+".*deleted/) };

describe('certificates are bound to the user they were issued to, not only to the name', () => {
  let t: TestServer;
  let bob: GatehouseClient;
  const connect = (identity: ClientIdentity) => t.connect(identity);
  /** An identity for `name` signed by the admin (`gatehouse auth sign`). */
  const sign = async (name: string, accessRequestIds: string[] = []): Promise<ClientIdentity> => {
    const { keyPem, csrPem } = await createKeyAndCsr(name);
    const certs = await t.admin.generateUserCerts({ csrPem, user: name, ttlMs: 3600_000, accessRequestIds });
    return { keyPem, certPem: certs.certPem, caPems: certs.caPems };
  };
  /** The user renews their own certificate, optionally assuming approved requests. */
  const renew = async (client: GatehouseClient, name: string, accessRequestIds: string[] = []): Promise<ClientIdentity> => {
    const { keyPem, csrPem } = await createKeyAndCsr(name);
    const certs = await client.generateUserCerts({ csrPem, accessRequestIds });
    return { keyPem, certPem: certs.certPem, caPems: certs.caPems };
  };
  const recreate = async (name: string, roles: string[]): Promise<void> => {
    await t.admin.deleteUser(name);
    await t.admin.upsertUser({ user: { name, roles }, createOnly: true });
  };

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    bob = await t.userClient('bob', ['access-reviewer']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a certificate issued before the user was deleted, after a user of that name is created again', async () => {
    await t.admin.upsertUser({ user: { name: 'carol', roles: ['sres'] } });
    const old = connect(await sign('carol'));
    expect((await old.ping()).user).toBe('carol');
    await recreate('carol', ['sres']);
    await expect(old.ping()).rejects.toMatchObject(REFUSED);
    await expect(old.listAccessRequests({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // Nor can it get itself a fresh certificate for the new user.
    await expect(renew(old, 'carol')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // A certificate issued to the new user works.
    const fresh = connect(await sign('carol'));
    expect((await fresh.ping()).user).toBe('carol');
    expect((await fresh.createAccessRequest({ roles: ['prodaccess'], reason: 'new carol' })).user).toBe('carol');
  });

  it('keeps a certificate working across updates of the user (roles, traits)', async () => {
    await t.admin.upsertUser({ user: { name: 'dora', roles: ['sres'] } });
    const dora = connect(await sign('dora'));
    await t.admin.upsertUser({ user: { name: 'dora', roles: ['sres', 'access-reviewer'], traits: { email: { values: ['d@example.com'] } } } });
    expect((await dora.ping()).roles).toEqual(['access-reviewer', 'sres']);
  });

  it('refuses a certificate the user renewed before the delete, and one that assumed a request', async () => {
    await t.admin.upsertUser({ user: { name: 'erin', roles: ['sres'] } });
    const first = connect(await sign('erin'));
    const renewed = connect(await renew(first, 'erin'));
    expect((await renewed.ping()).user).toBe('erin');
    const r = await first.createAccessRequest({ roles: ['prodaccess'], reason: 'elevate' });
    await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
    const elevated = connect(await renew(first, 'erin', [r.id]));
    expect((await elevated.ping()).roles).toContain('prodaccess');

    await recreate('erin', ['sres']);
    for (const c of [first, renewed, elevated]) await expect(c.ping()).rejects.toMatchObject(REFUSED);
    // The old request belongs to the name: the new user may assume it only with its own certificate.
    const fresh = connect(await sign('erin'));
    expect((await fresh.ping()).user).toBe('erin');
  });

  it('refuses an invite made for the deleted user', async () => {
    const invited = await t.admin.upsertUser({ user: { name: 'frank', roles: ['sres'] }, inviteTtlMs: 3600_000 });
    await recreate('frank', ['sres']);
    const err = await redeem(invited.inviteToken).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: expect.stringMatching(/deleted/) });
    // An invite for the new user works.
    const again = await t.admin.upsertUser({ user: { name: 'frank', roles: ['sres'] }, inviteTtlMs: 3600_000 });
    const certs = await redeem(again.inviteToken);
    const { keyPem } = certs;
    expect((await connect({ keyPem, certPem: certs.certPem, caPems: certs.caPems }).ping()).user).toBe('frank');
  });

  /** RedeemInvite on the enrollment listener, as `gatehouse login` does. */
  async function redeem(token: string): Promise<{ keyPem: string; certPem: string; caPems: string[] }> {
    const proto = loadGatehouseProto();
    const enroll = new proto.gatehouse.v1.EnrollService(t.server.enrollAddr, grpc.credentials.createSsl(Buffer.from(t.adminIdentity.caPems.join('\n'))), {
      'grpc.ssl_target_name_override': SERVER_NAME,
      'grpc.default_authority': SERVER_NAME,
    });
    try {
      const { keyPem, csrPem } = await createKeyAndCsr('login');
      const res = await new Promise<{ certPem: string; caPems: string[] }>((resolve, reject) => {
        enroll.RedeemInvite({ token, csrPem }, { deadline: Date.now() + 10_000 }, (err, value) => (err || !value ? reject(err ?? new Error('empty')) : resolve(value)));
      });
      return { keyPem, certPem: res.certPem, caPems: res.caPems };
    } finally {
      enroll.close();
    }
  }
});
