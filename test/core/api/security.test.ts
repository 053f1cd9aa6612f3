import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateClusterCA } from '../../../core/auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../../../core/auth/csr.ts';
import { issueClientCert } from '../../../core/auth/issue-client-cert.ts';
import { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { loadGatehouseProto } from '../../../proto/load-proto.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

describe('security: every unauthorized path is refused', () => {
  let t: TestServer;
  let alice: GatehouseClient;
  let bob: GatehouseClient;
  let mallory: GatehouseClient;
  const otherDirs: string[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    alice = await t.userClient('alice', ['sres']);
    bob = await t.userClient('bob', ['access-reviewer']);
    mallory = await t.userClient('mallory', ['sres']);
  });
  afterAll(async () => {
    await t.close();
    for (const d of otherDirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a connection without a client certificate', async () => {
    const proto = loadGatehouseProto();
    const raw = new proto.gatehouse.v1.AccessService(t.addr, grpc.credentials.createSsl(Buffer.from(t.adminIdentity.caPems.join('\n'))), {
      'grpc.ssl_target_name_override': 'gatehouse.cluster.local',
    });
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) => raw.ping({}, { deadline: Date.now() + 5000 }, (e) => resolve(e)));
      expect(err).not.toBeNull();
      expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      raw.close();
    }
  });

  it('refuses a certificate from another CA', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-other-ca-'));
    otherDirs.push(dir);
    const other = await loadOrCreateClusterCA(dir, 'evil');
    const { keyPem, csrPem } = await createKeyAndCsr('admin');
    const { publicKey } = await parseCsr(csrPem);
    const cert = await issueClientCert(other, { publicKey, user: 'admin', incarnation: '', roles: ['admin'], accessRequestIds: [], ttlMs: 3600_000, nowMs: Date.now() });
    const c = new GatehouseClient({ addr: t.addr, identity: { keyPem, certPem: cert.certPem, caPems: t.adminIdentity.caPems }, timeoutMs: 5000 });
    try {
      await expect(c.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      c.close();
    }
  });

  it('refuses an expired certificate', async () => {
    const { keyPem, csrPem } = await createKeyAndCsr('alice');
    const certs = await t.admin.generateUserCerts({ csrPem, user: 'alice', ttlMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const c = new GatehouseClient({ addr: t.addr, identity: { keyPem, certPem: certs.certPem, caPems: certs.caPems }, timeoutMs: 5000 });
    try {
      await expect(c.ping()).rejects.toMatchObject({ code: expect.stringMatching(/UNAVAILABLE|UNAUTHENTICATED/) });
    } finally {
      c.close();
    }
  });

  it('refuses a valid certificate whose user lacks permission, naming the missing rule', async () => {
    await expect(alice.listUsers()).rejects.toMatchObject({ code: 'PERMISSION_DENIED', details: expect.stringMatching(/user/) });
    await expect(alice.applyRoles(SEED_ROLES_YAML)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const { csrPem } = await createKeyAndCsr('bob');
    await expect(alice.generateUserCerts({ csrPem, user: 'bob' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(alice.searchAuditEvents({})).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('refuses self-review, also through SetAccessRequestState', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'mine' });
    await expect(alice.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const adminReq = await t.admin.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: 'for alice' });
    expect(adminReq.user).toBe('alice');
    // An admin who holds an access role can't approve their own request either.
    await t.admin.upsertUser({ user: { name: 'root2', roles: ['admin', 'sres'] } });
    const root2 = await t.userClient('root2', ['admin', 'sres']);
    const own = await root2.createAccessRequest({ roles: ['prodaccess'], reason: 'self' });
    await expect(root2.setAccessRequestState({ requestId: own.id, state: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('refuses a review by someone not allowed to review', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'needs review' });
    await expect(mallory.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(mallory.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'bob' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: expect.stringMatching(/on behalf/),
    });
    const still = await t.admin.getAccessRequest(r.id);
    expect(still.state).toBe('PENDING');
    expect(still.reviews).toHaveLength(0);
  });

  it('refuses creating a request for someone else', async () => {
    await expect(mallory.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: 'x' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('refuses a certificate carrying a revoked, denied-after-approval or deleted request', async () => {
    for (const end of ['revoke', 'delete'] as const) {
      const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: end });
      await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
      const { keyPem, csrPem } = await createKeyAndCsr('alice');
      const certs = await alice.generateUserCerts({ csrPem, accessRequestIds: [r.id] });
      const elevated = new GatehouseClient({ addr: t.addr, identity: { keyPem, certPem: certs.certPem, caPems: certs.caPems } });
      try {
        expect((await elevated.ping()).roles).toContain('prodaccess');
        if (end === 'revoke') await t.admin.setAccessRequestState({ requestId: r.id, state: 'REVOKED' });
        else await t.admin.deleteAccessRequest(r.id);
        await expect(elevated.ping()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
        await expect(elevated.listAccessRequests({})).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
      } finally {
        elevated.close();
      }
    }
  });

  it('refuses a pending or foreign request in GenerateUserCerts', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'pending' });
    const { csrPem } = await createKeyAndCsr('alice');
    await expect(alice.generateUserCerts({ csrPem, accessRequestIds: [r.id] })).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    await expect(mallory.generateUserCerts({ csrPem, accessRequestIds: [r.id] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("applies a user's new roles from the next call on", async () => {
    const temp = await t.userClient('temp-roles', ['sres']);
    expect((await temp.ping()).roles).toEqual(['sres']);
    await t.admin.upsertUser({ user: { name: 'temp-roles', roles: ['access-reviewer'] } });
    expect((await temp.ping()).roles).toEqual(['access-reviewer']);
  });

  it('refuses a deleted user at once', async () => {
    const temp = await t.userClient('temp', ['sres']);
    expect((await temp.ping()).user).toBe('temp');
    await t.admin.deleteUser('temp');
    await expect(temp.ping()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
