import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOB, HOOK_AUTH, startJiraHarness, WEBHOOK_SECRET, type JiraHarness } from './jira-harness.ts';

let h: JiraHarness;
beforeEach(async () => {
  h = await startJiraHarness();
});
afterEach(async () => {
  await h.close();
});

const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** A delivery shaped like Jira's, claiming that Bob moved the issue to Approved. */
function forgedBody(issue: { id: string; key: string }): string {
  return JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { accountId: BOB.accountId, emailAddress: BOB.emailAddress },
    issue: { id: issue.id, key: issue.key, fields: { status: { name: 'Approved' } } },
    changelog: { id: '99999', items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', fromString: 'Pending', toString: 'Approved' }] },
  });
}

async function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.webhookPort}/`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

describe('jira plugin webhook security', () => {
  it('a correctly signed webhook claiming Approved for an issue the API shows as Pending changes nothing', async () => {
    const plugin = await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'forgery target' });
    const issue = await h.waitForIssue(request.id);
    const body = forgedBody(issue);
    const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const res = await post(body, { Authorization: basic(HOOK_AUTH.username, HOOK_AUTH.password), 'X-Hub-Signature': signature });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: 'ignored' });
    await plugin.waitForLog((l) => l.msg === 'issue change ignored' && l['why'] === 'status Pending');
    const after = await h.server.admin.getAccessRequest(request.id);
    expect(after.state).toBe('PENDING');
    expect(after.reviews).toHaveLength(0);
    expect(h.jira.issue(issue.key)?.status).toBe('Pending');
    expect(h.comments(issue.key)).toHaveLength(0);
  });

  it('rejects a bad or missing signature (401) and missing basic auth (401) without reading the issue', async () => {
    await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'] });
    const issue = await h.waitForIssue(request.id);
    // Bob really moved it, so only the authentication stands between the delivery and an approval.
    h.jira.pauseWebhooks();
    h.jira.transitionAs(BOB.accountId, issue.key, 'Approved');
    const body = forgedBody(issue);
    const reads = (): number => h.jira.requests().filter((r) => r.method === 'GET' && r.path.endsWith(`/issue/${issue.id}`)).length;
    const before = reads();
    const auth = { Authorization: basic(HOOK_AUTH.username, HOOK_AUTH.password) };
    const wrongKey = `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`;
    expect((await post(body, { ...auth, 'X-Hub-Signature': wrongKey })).status).toBe(401);
    const otherBody = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${body} `).digest('hex')}`;
    expect((await post(body, { ...auth, 'X-Hub-Signature': otherBody })).status).toBe(401);
    expect((await post(body, { ...auth, 'X-Hub-Signature': 'sha1=abc' })).status).toBe(401);
    expect((await post(body, auth)).status).toBe(401);
    const good = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    expect((await post(body, { 'X-Hub-Signature': good })).status).toBe(401);
    expect((await post(body, { Authorization: basic(HOOK_AUTH.username, 'wrong'), 'X-Hub-Signature': good })).status).toBe(401);
    expect(reads()).toBe(before);
    const after = await h.server.admin.getAccessRequest(request.id);
    expect(after.state).toBe('PENDING');
    expect(after.reviews).toHaveLength(0);

    // Malformed but authenticated deliveries are refused too.
    const sign = (b: string): Record<string, string> => ({ ...auth, 'X-Hub-Signature': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(b).digest('hex')}` });
    expect((await post('{not json', sign('{not json'))).status).toBe(400);
    const noIssue = JSON.stringify({ webhookEvent: 'jira:issue_updated' });
    expect((await post(noIssue, sign(noIssue))).status).toBe(400);
    const pathy = JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: '../../myself' } });
    expect((await post(pathy, sign(pathy))).status).toBe(400);

    // The genuine delivery, once let through, does approve.
    h.jira.resumeWebhooks();
    await h.waitForState(request.id, 'APPROVED');
  });

  it('ignores a foreign issue that carries our label and a request id but is not the recorded issue', async () => {
    const plugin = await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'] });
    await h.waitForIssue(request.id);
    // Someone with Jira access creates a look-alike issue pointing at the same request.
    const res = await fetch(`${h.jira.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { Authorization: basic('jira-bot@example.com', 'bot-api-token'), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        fields: { project: { key: 'ACC' }, issuetype: { name: 'Task' }, summary: 'look-alike', labels: ['gatehouse-access-request'] },
        properties: [{ key: 'gatehouseAccessRequest', value: { requestId: request.id } }],
      }),
    });
    const fake = (await res.json()) as { key: string };
    h.jira.transitionAs(BOB.accountId, fake.key, 'Approved');
    await plugin.waitForLog((l) => l.msg === 'issue carries a request id but is not the issue of that request; ignoring');
    expect((await h.server.admin.getAccessRequest(request.id)).state).toBe('PENDING');
  });
});
