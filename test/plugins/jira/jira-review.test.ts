import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, CAROL, DAVE, EVE, PROJECT, startJiraHarness, waitFor, type JiraHarness } from './jira-harness.ts';

let h: JiraHarness;
beforeEach(async () => {
  h = await startJiraHarness();
});
afterEach(async () => {
  await h.close();
});

describe('jira plugin: transitions become reviews on behalf of the person', () => {
  it('creates one issue per request, and an approval by transition approves with that person as author', async () => {
    const plugin = await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-7: disk full' });
    const issue = await h.waitForIssue(request.id);
    expect(issue.projectKey).toBe(PROJECT);
    expect(issue.issueType).toBe('Task');
    expect(issue.status).toBe('Pending');
    expect(issue.summary).toBe('alice requested prodaccess');
    expect(issue.descriptionText).toContain('INC-7: disk full');
    expect(issue.descriptionText).toContain(request.id);
    expect(issue.descriptionText).toContain('Approved');
    expect(issue.labels).toEqual(['gatehouse-access-request', `gatehouse-request-${request.id}`]);
    const recorded = await waitFor(async () => {
      const v = (await h.server.admin.getPluginData(request.id, 'jira')).entries['jira']?.data['issue'];
      return v?.startsWith('{') === true ? v : undefined;
    }, 10_000, 'issue recorded in plugin data');
    expect(JSON.parse(recorded)).toEqual({ id: issue.id, key: issue.key });

    h.jira.transitionAs(BOB.accountId, issue.key, 'Approved', 'Reason: on call, looks fine');
    const approved = await h.waitForState(request.id, 'APPROVED');
    expect(approved.reviews).toHaveLength(1);
    expect(approved.reviews[0]).toMatchObject({ author: 'bob', submittedBy: 'jira-plugin', proposedState: 'APPROVED', reason: 'on call, looks fine' });
    expect(approved.resolvedBy).toBe('bob');
    const comment = await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('Access request has been approved')), 10_000, 'resolution comment');
    expect(comment.text).toContain('by bob');
    expect(comment.text).toContain('on call, looks fine');
    expect(h.jira.issue(issue.key)?.status).toBe('Approved');
    const audit = await h.server.admin.searchAuditEvents({ requestId: request.id });
    const review = audit.events.find((e) => e.type === 'access_request.review');
    expect(review?.actor).toBe('jira-plugin');
    expect(JSON.parse(review?.detailsJson ?? '{}')).toMatchObject({ reviewer: 'bob', submitted_by: 'jira-plugin', proposed_state: 'APPROVED' });

    await h.jira.webhooksIdle();
    expect(h.issuesOf(request.id)).toHaveLength(1);
    expect(h.jira.deliveries().filter((d) => d.issueKey === issue.key).every((d) => d.outcome === 'delivered')).toBe(true);
    expect((await plugin.stop()).code).toBe(0);
  });

  it('denies by transition with the transition comment as the reason (person mapped by [jira.user_mapping])', async () => {
    await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'want it' });
    const issue = await h.waitForIssue(request.id);
    h.jira.commentAs(DAVE.accountId, issue.key, 'reason: an older reason');
    h.jira.commentAs(BOB.accountId, issue.key, 'Reason: not mine to give');
    h.jira.transitionAs(DAVE.accountId, issue.key, 'Denied', 'No open incident.\nReason:\n\nno incident\nno ticket');
    const denied = await h.waitForState(request.id, 'DENIED');
    expect(denied.reviews[0]).toMatchObject({ author: 'dave', submittedBy: 'jira-plugin', proposedState: 'DENIED', reason: 'no incident\nno ticket' });
    expect(denied.resolveReason).toBe('no incident\nno ticket');
    await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('Access request has been denied')), 10_000, 'denial comment');
    expect(h.jira.issue(issue.key)?.status).toBe('Denied');
  });

  it("takes the person's latest reason: comment when the transition had none", async () => {
    await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'] });
    const issue = await h.waitForIssue(request.id);
    h.jira.commentAs(BOB.accountId, issue.key, 'first look\nreason: bar baz');
    h.jira.commentAs(BOB.accountId, issue.key, 'reason: foo bar baz');
    h.jira.commentAs(CAROL.accountId, issue.key, 'reason: test');
    h.jira.transitionAs(BOB.accountId, issue.key, 'Approved');
    const approved = await h.waitForState(request.id, 'APPROVED');
    expect(approved.reviews[0]?.reason).toBe('foo bar baz');
  });

  it('the requester moving their own issue leaves the request untouched, explains, and moves it back', async () => {
    const plugin = await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'self service' });
    const issue = await h.waitForIssue(request.id);
    h.jira.transitionAs(ALICE.accountId, issue.key, 'Approved', 'approving myself');
    const comment = await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('not taken as a review')), 10_000, 'refusal comment');
    expect(comment.text).toContain('cannot review their own request');
    await waitFor(() => h.jira.issue(issue.key)?.status === 'Pending', 10_000, 'back to Pending');
    expect(comment.authorId).not.toBe(ALICE.accountId);
    const after = await h.server.admin.getAccessRequest(request.id);
    expect(after.state).toBe('PENDING');
    expect(after.reviews).toHaveLength(0);
    // The move back is the plugin's own change: it is not acted on again.
    await h.jira.webhooksIdle();
    await plugin.waitForLog((l) => l.msg === 'webhook handled' && typeof l['outcome'] === 'object' && JSON.stringify(l['outcome']).includes('status Pending'), 5000);
    expect(h.comments(issue.key).filter((c) => c.text.includes('not taken as a review'))).toHaveLength(1);
  });

  it('a person without review rights, or without a Gatehouse user, is refused the same way', async () => {
    await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'] });
    const issue = await h.waitForIssue(request.id);

    h.jira.transitionAs(CAROL.accountId, issue.key, 'Approved');
    const noRights = await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('not taken as a review')), 10_000, 'refusal for carol');
    expect(noRights.text).toContain('does not allow carol@example.com to review');
    await waitFor(() => h.jira.issue(issue.key)?.status === 'Pending', 10_000, 'back to Pending');

    h.jira.transitionAs(EVE.accountId, issue.key, 'Denied');
    const unmapped = await waitFor(() => h.comments(issue.key).filter((c) => c.text.includes('not taken as a review'))[1], 10_000, 'refusal for eve');
    expect(unmapped.text).toContain('not mapped to a Gatehouse user');
    expect(unmapped.text).toContain('eve@elsewhere.example');
    await waitFor(() => h.jira.issue(issue.key)?.status === 'Pending', 10_000, 'back to Pending again');
    const after = await h.server.admin.getAccessRequest(request.id);
    expect(after.state).toBe('PENDING');
    expect(after.reviews).toHaveLength(0);

    // The issue still works for a permitted reviewer afterwards.
    h.jira.transitionAs(BOB.accountId, issue.key, 'Approved');
    await h.waitForState(request.id, 'APPROVED');
  });

  it('with a threshold of two, one Jira approval is recorded and the issue waits; a second review from a client completes it', async () => {
    await h.startPlugin();
    const request = await h.frank.createAccessRequest({ roles: ['prodaccess'], reason: 'needs two' });
    const issue = await h.waitForIssue(request.id);
    h.jira.transitionAs(BOB.accountId, issue.key, 'Approved', 'Reason: fine by me');
    await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('recorded as their review')), 10_000, 'recorded comment');
    await waitFor(() => h.jira.issue(issue.key)?.status === 'Pending', 10_000, 'back to Pending');
    const pending = await h.server.admin.getAccessRequest(request.id);
    expect(pending.state).toBe('PENDING');
    expect(pending.reviews).toMatchObject([{ author: 'bob', submittedBy: 'jira-plugin', proposedState: 'APPROVED', reason: 'fine by me' }]);

    const zed = await h.server.userClient('zed', ['access-reviewer']);
    await zed.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'second pair of eyes' });
    await h.waitForState(request.id, 'APPROVED');
    const resolution = await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('Access request has been approved')), 10_000, 'resolution comment');
    expect(resolution.text).toContain('by zed');
    expect(resolution.text).toContain('second pair of eyes');
    await waitFor(() => h.jira.issue(issue.key)?.status === 'Approved', 10_000, 'issue Approved');
  });
});
