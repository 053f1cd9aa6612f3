import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

// A second requestable role, so a scoped reviewer can be shown approving one and not the other.
const ROLES = `kind: role
version: v4
metadata: {name: dbaccess}
spec: {allow: {logins: ['postgres']}}
---
kind: role
version: v4
metadata: {name: db-requester}
spec:
  allow:
    request:
      roles: ['dbaccess', 'prodaccess']
---
kind: role
version: v4
metadata: {name: db-approver}
spec:
  allow:
    review_requests:
      roles: ['dbaccess']
---
kind: role
version: v4
metadata: {name: no-prod-review}
spec:
  deny:
    review_requests:
      roles: ['prodaccess']
`;

describe('plugin presets at the gRPC boundary', () => {
  let t: TestServer;
  let alice: GatehouseClient;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    await t.admin.applyRoles(ROLES, 'plugin-roles.yaml');
    alice = await t.userClient('alice', ['sres', 'db-requester']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('access-plugin alone may not approve or deny as itself: PERMISSION_DENIED, nothing recorded', async () => {
    const slack = await t.userClient('slack-plugin', ['access-plugin']);
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'notify only' });
    for (const proposedState of ['APPROVED', 'DENIED'] as const) {
      await expect(slack.submitAccessReview({ requestId: r.id, proposedState, reason: 'from a notification' })).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        details: expect.stringContaining('cannot review'),
      });
    }
    const after = await t.admin.getAccessRequest(r.id);
    expect(after.state).toBe('PENDING');
    expect(after.reviews).toHaveLength(0);
  });

  it('access-plugin still does what a notification plugin needs: list, read and watch requests, plugin data, users, roles', async () => {
    const slack = await t.userClient('slack-plugin', ['access-plugin']);
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'read me' });
    expect((await slack.getAccessRequest(r.id)).id).toBe(r.id);
    expect((await slack.listAllAccessRequests({ states: ['PENDING'] })).map((x) => x.id)).toContain(r.id);
    await slack.updatePluginData({ requestId: r.id, plugin: 'slack', set: { ts: '1.2' } });
    expect((await slack.getPluginData(r.id, 'slack')).entries['slack']?.data).toEqual({ ts: '1.2' });
    expect((await slack.getUser('alice')).name).toBe('alice');
    expect((await slack.listUsers()).map((u) => u.name)).toContain('alice');
    // PagerDuty's check lists the roles to find the services their annotations name.
    expect((await slack.listRoles()).map((x) => x.name)).toContain('prodaccess');
    const stream = slack.watchEvents({ kinds: ['access_request'] });
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        stream.once('data', resolve);
        stream.once('error', reject);
      });
      expect(first).toMatchObject({ type: 'INIT' });
    } finally {
      stream.cancel();
    }
    // ...and nothing that changes requests, users or roles.
    await expect(slack.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: 'x' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(slack.setAccessRequestState({ requestId: r.id, state: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(slack.upsertUser({ user: { name: 'eve', roles: [] } })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('access-plugin-reviewer may review as itself, any role by default', async () => {
    const pd = await t.userClient('pagerduty-plugin', ['access-plugin', 'access-plugin-reviewer']);
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'on call' });
    const after = await pd.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', reason: 'alice is on call' });
    expect(after.state).toBe('APPROVED');
    expect(after.reviews[0]).toMatchObject({ author: 'pagerduty-plugin', submittedBy: '' });
    // It reviews as itself only: on behalf of someone else still needs access-plugin-delegate.
    const other = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'on behalf' });
    await t.userClient('bob', ['access-reviewer']);
    await expect(pd.submitAccessReview({ requestId: other.id, proposedState: 'APPROVED', author: 'bob' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: expect.stringMatching(/review_on_behalf/),
    });
  });

  it('is scoped by a custom role instead of the preset, or by deny.review_requests next to it', async () => {
    const scoped = await t.userClient('pd-scoped', ['access-plugin', 'db-approver']);
    const db = await alice.createAccessRequest({ roles: ['dbaccess'], reason: 'db' });
    const prod = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'prod' });
    expect((await scoped.submitAccessReview({ requestId: db.id, proposedState: 'APPROVED' })).state).toBe('APPROVED');
    await expect(scoped.submitAccessReview({ requestId: prod.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });

    const denied = await t.userClient('pd-denied', ['access-plugin', 'access-plugin-reviewer', 'no-prod-review']);
    await expect(denied.submitAccessReview({ requestId: prod.id, proposedState: 'APPROVED' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: expect.stringContaining('denied by role "no-prod-review"'),
    });
    expect((await t.admin.getAccessRequest(prod.id)).reviews).toHaveLength(0);
  });

  it('access-plugin-delegate is unchanged: on behalf of a person, never as the plugin itself', async () => {
    const jira = await t.userClient('jira-plugin', ['access-plugin', 'access-plugin-delegate']);
    await t.userClient('bob', ['access-reviewer']);
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'jira' });
    await expect(jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const after = await jira.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', author: 'bob', reason: 'moved to Approved' });
    expect(after.reviews[0]).toMatchObject({ author: 'bob', submittedBy: 'jira-plugin' });
  });

  it('the presets cannot be removed or replaced', async () => {
    for (const name of ['access-plugin', 'access-plugin-reviewer', 'access-plugin-delegate']) {
      await expect(t.admin.deleteRole(name)).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
      const replacement = `kind: role\nversion: v4\nmetadata: {name: ${name}}\nspec: {allow: {review_requests: {roles: ['*']}}}\n`;
      await expect(t.admin.applyRoles(replacement, 'evil.yaml')).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
      expect((await t.admin.getRole(name)).yaml).toContain(`name: ${name}`);
    }
  });
});
