import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOB, freePort, startJiraHarness, waitFor, type JiraHarness } from './jira-harness.ts';

let h: JiraHarness;
beforeEach(async () => {
  h = await startJiraHarness();
});
afterEach(async () => {
  await h.close();
});

describe('jira plugin: outcomes decided elsewhere, lost webhooks, restarts', () => {
  it('a dropped webhook is picked up by the periodic reconcile', async () => {
    const plugin = await h.startPlugin(h.config({ reconcileInterval: '500ms' }));
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'webhook will be lost' });
    const issue = await h.waitForIssue(request.id);
    h.jira.dropNextWebhooks(1);
    h.jira.transitionAs(BOB.accountId, issue.key, 'Approved', 'Reason: approved while the webhook was lost');
    const approved = await h.waitForState(request.id, 'APPROVED');
    expect(approved.reviews[0]).toMatchObject({ author: 'bob', submittedBy: 'jira-plugin', reason: 'approved while the webhook was lost' });
    expect(h.jira.deliveries().filter((d) => d.issueKey === issue.key).map((d) => d.outcome)).toContain('dropped');
    await plugin.waitForLog((l) => l.msg === 'issue status change handled' && l['source'] === 'reconcile' && l['kind'] === 'reviewed');
    await waitFor(() => h.comments(issue.key).find((c) => c.text.includes('Access request has been approved')), 10_000, 'resolution comment');
  });

  it('a change made while the plugin was down is reconciled at start', async () => {
    const plugin = await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'] });
    const issue = await h.waitForIssue(request.id);
    expect((await plugin.stop()).code).toBe(0);
    h.jira.transitionAs(BOB.accountId, issue.key, 'Denied', 'Reason: decided while the plugin was down');
    await h.jira.webhooksIdle();
    expect(h.jira.deliveries().at(-1)?.outcome).toBe('failed');
    await h.startPlugin();
    const denied = await h.waitForState(request.id, 'DENIED');
    expect(denied.resolveReason).toBe('decided while the plugin was down');
  });

  it('resolution from the CLI moves the issue and says who decided and why', async () => {
    await h.startPlugin();
    const approved = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'via CLI' });
    const denied = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'via CLI too' });
    const a = await h.waitForIssue(approved.id);
    const d = await h.waitForIssue(denied.id);
    await h.bob.submitAccessReview({ requestId: approved.id, proposedState: 'APPROVED', reason: 'checked the ticket' });
    await h.bob.submitAccessReview({ requestId: denied.id, proposedState: 'DENIED', reason: 'no ticket' });
    // The issue is moved first, then commented (the comment, last, marks the effect as done).
    const ac = await waitFor(() => h.comments(a.key).find((c) => c.text.includes('Access request has been approved')), 10_000, 'approval comment');
    const dc = await waitFor(() => h.comments(d.key).find((c) => c.text.includes('Access request has been denied')), 10_000, 'denial comment');
    expect(h.jira.issue(a.key)?.status).toBe('Approved');
    expect(h.jira.issue(d.key)?.status).toBe('Denied');
    expect(ac.text).toContain('by bob');
    expect(ac.text).toContain('checked the ticket');
    expect(dc.text).toContain('no ticket');
    // The plugin's own transitions come back as webhooks and are ignored; nothing is reviewed twice.
    await h.jira.webhooksIdle();
    expect((await h.server.admin.getAccessRequest(approved.id)).reviews).toHaveLength(1);
    // One comment: the outcome (a review that resolves the request is not announced separately).
    expect(h.comments(a.key)).toHaveLength(1);
  });

  it('expiry moves the issue to Expired', async () => {
    await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'short lived', pendingTtlMs: 1500 });
    const issue = await h.waitForIssue(request.id);
    await h.waitForState(request.id, 'EXPIRED', 15_000);
    await waitFor(() => h.comments(issue.key).some((c) => c.text.includes('expired')), 10_000, 'expiry comment');
    expect(h.jira.issue(issue.key)?.status).toBe('Expired');
  });

  it('a restart (and a second replica) never makes a second issue', async () => {
    const first = await h.startPlugin();
    const before = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'before restart' });
    await h.waitForIssue(before.id);
    await first.kill();
    const during = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'while down' });
    const a = await h.startPlugin();
    const b = await h.startPlugin(h.config({ port: await freePort() }));
    await h.waitForIssue(during.id);
    const more: Awaited<ReturnType<typeof h.alice.createAccessRequest>>[] = [];
    for (let i = 0; i < 5; i++) more.push(await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: `replicas ${i}` }));
    for (const r of more) await h.waitForIssue(r.id);
    // Each replica has seen the last request: it handled it, or found the other's claim on it
    // (then it looks again when that claim could be taken over; it never counts as handled).
    await Promise.all([a, b].map((p) => p.waitForLog((l) => l['requestId'] === more.at(-1)?.id && (l.msg === 'request handled' || l['outcome'] === 'busy'))));
    for (const r of [before, during, ...more]) expect(h.issuesOf(r.id), r.reason).toHaveLength(1);
    expect(h.jira.requests().filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue')).toHaveLength(7);
  });
});
