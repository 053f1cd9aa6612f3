import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { SEED_ROLES_YAML, startTestServer, TWO_APPROVALS_ROLE_YAML, type TestServer } from '../../support/test-server.ts';

describe('reviews submitted on behalf of a named person', () => {
  let t: TestServer;
  let jira: GatehouseClient;
  let slack: GatehouseClient;
  let alice: GatehouseClient;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    await t.admin.applyRoles(TWO_APPROVALS_ROLE_YAML, 'two.yaml');
    jira = await t.userClient('jira-plugin', ['access-plugin', 'access-plugin-delegate']);
    slack = await t.userClient('slack-plugin', ['access-plugin']);
    alice = await t.userClient('alice', ['sres']);
    await t.userClient('bob', ['access-reviewer']);
    await t.userClient('carol', ['access-reviewer']);
    await t.userClient('mallory', ['sres']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is off by default: access-plugin alone may not review on behalf of anyone', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'x' });
    await expect(slack.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'bob' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: expect.stringMatching(/review_on_behalf/),
    });
  });

  it('judges the review as the author and records both author and submitter', async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-1' });
    const after = await jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', reason: 'moved to Approved', author: 'bob' });
    expect(after.state).toBe('APPROVED');
    expect(after.reviews[0]).toMatchObject({ author: 'bob', submittedBy: 'jira-plugin', reason: 'moved to Approved' });
    const audit = await t.admin.searchAuditEvents({ requestId: r.id, type: 'access_request.review' });
    expect(JSON.parse(audit.events[0]?.detailsJson ?? '{}')).toMatchObject({ reviewer: 'bob', submitted_by: 'jira-plugin' });
    expect(audit.events[0]?.actor).toBe('jira-plugin');
  });

  it("uses the author's review rights, not the submitter's, and forbids self-review", async () => {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-2' });
    await expect(jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'mallory' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'alice' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.admin.getAccessRequest(r.id)).reviews).toHaveLength(0);
  });

  it('counts one review per person and still needs the threshold', async () => {
    await t.admin.upsertUser({ user: { name: 'dave', roles: ['two-approvals'] } });
    const dave = await t.userClient('dave', ['two-approvals']);
    const r = await dave.createAccessRequest({ roles: ['prodaccess'], reason: 'needs two' });
    const first = await jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'bob' });
    expect(first.state).toBe('PENDING');
    await expect(jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'bob' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const second = await jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'carol' });
    expect(second.state).toBe('APPROVED');
  });
});
