import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { createKeyAndCsr } from '../../../core/auth/csr.ts';
import { GatehouseClient as Client } from '../../../core/client/gatehouse-client.ts';

const TWO_APPROVERS = `kind: role
version: v4
metadata:
  name: dba-requester
spec:
  allow:
    request:
      roles: ['dba']
      thresholds:
        - approve: 2
          deny: 1
      annotations:
        pagerduty_services: ['db-oncall']
      suggested_reviewers: ['carol@example.com']
---
kind: role
version: v4
metadata:
  name: dba
spec:
  allow:
    logins: ['postgres']
---
kind: role
version: v4
metadata:
  name: dba-reviewer
spec:
  allow:
    review_requests:
      roles: ['dba']
---
kind: role
version: v4
metadata:
  name: strict
spec:
  options:
    request_access: reason
  allow:
    request:
      roles: ['prodaccess']
`;

describe('access request lifecycle over real gRPC + mTLS', () => {
  let t: TestServer;
  let alice: GatehouseClient;
  let bob: GatehouseClient;
  let carol: GatehouseClient;
  let dave: GatehouseClient;

  beforeAll(async () => {
    t = await startTestServer();
    const applied = await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    expect(applied.roles.map((r) => r.name).sort()).toEqual(['access-reviewer', 'prodaccess', 'sres']);
    await t.admin.applyRoles(TWO_APPROVERS, 'dba.yaml');
    alice = await t.userClient('alice', ['sres', 'dba-requester']);
    bob = await t.userClient('bob', ['access-reviewer', 'dba-reviewer']);
    carol = await t.userClient('carol', ['access-reviewer', 'dba-reviewer']);
    dave = await t.userClient('dave', ['strict']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a request with a server-assigned id, approves it by review, and issues an elevated certificate', async () => {
    const created = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-42' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.state).toBe('PENDING');
    expect(created.user).toBe('alice');
    expect(created.accessExpiresMs).toBeGreaterThan(Date.now());

    const reviewed = await bob.submitAccessReview({ requestId: created.id, proposedState: 'APPROVED', reason: 'looks right' });
    expect(reviewed.state).toBe('APPROVED');
    expect(reviewed.resolvedBy).toBe('bob');
    expect(reviewed.reviews).toHaveLength(1);

    const { keyPem, csrPem } = await createKeyAndCsr('alice');
    const certs = await alice.generateUserCerts({ csrPem, accessRequestIds: [created.id] });
    expect(certs.roles).toContain('prodaccess');
    expect(certs.expiresMs).toBeLessThanOrEqual(reviewed.accessExpiresMs);
    const elevated = new Client({ addr: t.addr, identity: { keyPem, certPem: certs.certPem, caPems: certs.caPems } });
    try {
      const ping = await elevated.ping();
      expect(ping.roles).toContain('prodaccess');
      // Revoking cuts the elevated access at once.
      await t.admin.setAccessRequestState({ requestId: created.id, state: 'REVOKED', reason: 'incident over' });
      await expect(elevated.ping()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    } finally {
      elevated.close();
    }
  });

  it('copies annotations and suggested reviewers from the roles, and needs two approvals across a threshold of 2', async () => {
    const r = await alice.createAccessRequest({ roles: ['dba'], reason: 'migration' });
    expect(r.annotations.pagerduty_services?.values).toEqual(['db-oncall']);
    expect(r.suggestedReviewers).toEqual(['carol@example.com']);
    const first = await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
    expect(first.state).toBe('PENDING');
    await expect(bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const second = await carol.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', reason: 'ok' });
    expect(second.state).toBe('APPROVED');
    expect(second.resolveReason).toBe('ok');
    await expect(carol.submitAccessReview({ requestId: r.id, proposedState: 'DENIED' })).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('denies on one denial and records every step in the audit log, which outlives the request', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'curious' });
    const denied = await bob.submitAccessReview({ requestId: r.id, proposedState: 'DENIED', reason: 'no incident' });
    expect(denied.state).toBe('DENIED');
    await t.admin.deleteAccessRequest(r.id);
    await expect(t.admin.getAccessRequest(r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const audit = await t.admin.searchAuditEvents({ requestId: r.id });
    expect(audit.events.map((e) => e.type)).toEqual(['access_request.create', 'access_request.review', 'access_request.delete']);
    const review = JSON.parse(audit.events[1]?.detailsJson ?? '{}') as Record<string, unknown>;
    expect(review).toMatchObject({ reviewer: 'bob', proposed_state: 'DENIED', reason: 'no incident', state: 'DENIED' });
    expect(audit.events[0]?.actor).toBe('alice');
  });

  it('requires a reason where a role says so, and rejects roles the user may not request', async () => {
    await expect(dave.createAccessRequest({ roles: ['prodaccess'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(dave.createAccessRequest({ roles: ['prodaccess'] })).rejects.toThrow(/reason/);
    await expect(dave.createAccessRequest({ roles: ['dba'], reason: 'x' })).rejects.toThrow(/can not request role "dba"|dba/);
    await expect(alice.createAccessRequest({ roles: ['no-such-role'], reason: 'x' })).rejects.toThrow(/no-such-role/);
    const ok = await dave.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-7' });
    expect(ok.state).toBe('PENDING');
  });

  it('expands roles ["*"] to every role the user may request, minus denied and held ones', async () => {
    await t.admin.applyRoles(
      `kind: role
version: v4
metadata:
  name: no-dba
spec:
  deny:
    request:
      roles: ['dba']
`,
      'no-dba.yaml',
    );
    // alice may request prodaccess (sres) and dba (dba-requester).
    expect((await alice.createAccessRequest({ roles: ['*'], reason: 'everything', dryRun: true })).roles).toEqual(['dba', 'prodaccess']);
    const denied = await t.userClient('wild-denied', ['sres', 'dba-requester', 'no-dba']);
    const created = await denied.createAccessRequest({ roles: ['*'], reason: 'all I may' });
    expect(created.roles).toEqual(['prodaccess']);
    expect((await t.admin.getAccessRequest(created.id)).roles).toEqual(['prodaccess']);
    const holder = await t.userClient('wild-holder', ['sres', 'dba-requester', 'prodaccess']);
    expect((await holder.createAccessRequest({ roles: ['*'], reason: 'the rest', dryRun: true })).roles).toEqual(['dba']);
    await expect(bob.createAccessRequest({ roles: ['*'], reason: 'nothing to ask for' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: expect.stringMatching(/^user "bob" has no requestable roles.*allow\.request\.roles/),
    });
    await expect(alice.createAccessRequest({ roles: ['*', 'dba'], reason: 'x' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: 'roles: "*" must be the only requested role',
    });
  });

  it('lists with filters and paging, and users see only what they may', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await alice.createAccessRequest({ roles: ['prodaccess'], reason: `page ${i}` })).id);
    const page1 = await t.admin.listAccessRequests({ users: ['alice'], states: ['PENDING'], pageSize: 2 });
    expect(page1.requests).toHaveLength(2);
    expect(page1.nextPageToken).not.toBe('');
    const all = await t.admin.listAllAccessRequests({ users: ['alice'], states: ['PENDING'] });
    for (const id of ids) expect(all.map((r) => r.id)).toContain(id);
    const byId = await t.admin.listAccessRequests({ ids: [ids[0] ?? ''] });
    expect(byId.requests.map((r) => r.id)).toEqual([ids[0]]);
    // dave (no review rights) sees only his own requests.
    const daves = await dave.listAllAccessRequests({});
    expect(daves.every((r) => r.user === 'dave')).toBe(true);
    await expect(dave.getAccessRequest(ids[0] ?? '')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('expires a pending request after its pending TTL and an approved one after its access ends', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'short', pendingTtlMs: 200 });
    expect(r.pendingExpiresMs - r.createdMs).toBeLessThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await t.server.sweepExpired();
    const expired = await t.admin.getAccessRequest(r.id);
    expect(expired.state).toBe('EXPIRED');
    await expect(bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('lets an admin resolve directly, recorded with who did it, but never their own request', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'admin path' });
    const approved = await t.admin.setAccessRequestState({ requestId: r.id, state: 'APPROVED', reason: 'break glass' });
    expect(approved.state).toBe('APPROVED');
    expect(approved.resolvedBy).toBe('admin');
    const audit = await t.admin.searchAuditEvents({ requestId: r.id, type: 'access_request.update' });
    expect(JSON.parse(audit.events[0]?.detailsJson ?? '{}')).toMatchObject({ updated_by: 'admin', state: 'APPROVED', reason: 'break glass' });
  });

  it('applies a role change at once (roles are read live)', async () => {
    const erin = await t.userClient('erin', ['sres']);
    const r = await erin.createAccessRequest({ roles: ['prodaccess'], reason: 'x' });
    await t.admin.applyRoles(SEED_ROLES_YAML.replace("roles: ['prodaccess']\n---\nkind: role\nversion: v4\nmetadata:\n  name: sres", "roles: []\n---\nkind: role\nversion: v4\nmetadata:\n  name: sres"), 'roles.yaml');
    // access-reviewer no longer reviews prodaccess: bob's review is refused immediately.
    await expect(bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    const ok = await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
    expect(ok.state).toBe('APPROVED');
  });
});
