/**
 * The email plugin end to end: the real plugin process, a real server, and a real SMTP server
 * (STARTTLS on a test CA, AUTH) whose received messages are parsed as a mail client would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP_USER, type ReceivedMail } from '../../fakes/fake-smtp.ts';
import type { PluginProcess } from '../../support/plugin-process.ts';
import { ALICE_EMAIL, REVIEWERS, startEmailHarness, type EmailHarness } from './email-harness.ts';

let h: EmailHarness;
let plugin: PluginProcess;
beforeAll(async () => {
  h = await startEmailHarness();
  plugin = await h.startPlugin(h.config({ roles: { prodaccess: [REVIEWERS, 'oncall@example.com'] } }));
});
afterAll(async () => {
  await h?.close();
});

const messageIdOf = (requestId: string, step: string) => new RegExp(`^<gatehouse\\.${requestId}\\.${step}\\.[0-9a-f]{12}@gatehouse\\.test>$`);

async function pluginData(requestId: string): Promise<Record<string, string>> {
  return (await h.server.admin.getPluginData(requestId, 'email')).entries['email']?.data ?? {};
}

/** Every later message of a thread refers to its first one, as Gmail, Outlook and Thunderbird need. */
function expectThreaded(thread: readonly ReceivedMail[]): void {
  const [root, ...replies] = thread;
  expect(root?.inReplyTo).toBeUndefined();
  for (const reply of replies) {
    expect(reply.inReplyTo).toBe(root?.messageId);
    expect(reply.references).toEqual([root?.messageId]);
    expect(reply.subject).toBe(`Re: ${root?.subject}`);
  }
  expect(new Set(thread.map((m) => m.messageId)).size).toBe(thread.length);
}

describe('email plugin: a request and its thread', () => {
  it('sends each recipient the new request as text and HTML, over STARTTLS with AUTH, the request id in the subject', async () => {
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'deploy hotfix <b>now</b>', suggestedReviewers: ['lead@example.com', 'bob'] });
    for (const to of [REVIEWERS, 'oncall@example.com', 'lead@example.com']) {
      const [mail] = await h.waitForMails(request.id, to, 1);
      expect(mail).toMatchObject({ envelope: { from: 'noreply@gatehouse.test', to: [to] }, from: ['noreply@gatehouse.test'], to: [to], contentType: 'multipart/alternative', secure: true, user: SMTP_USER });
      expect(mail?.messageId).toMatch(messageIdOf(request.id, 'new'));
      expect(mail?.subject).toMatch(new RegExp(`^\\[[a-z0-9.-]+\\] Access request ${request.id} by alice for prodaccess$`));
      expect(mail?.text).toContain('alice requests access to prodaccess.');
      expect(mail?.text).toContain('deploy hotfix <b>now</b>');
      expect(mail?.text).toContain(`gatehouse request review ${request.id} --approve`);
      expect(mail?.text).toContain('⏳ PENDING');
      expect(mail?.html).toContain('deploy hotfix &lt;b&gt;now&lt;/b&gt;');
      expect(mail?.html).not.toContain('<b>now</b>');
      expect(mail?.headerLines.find(([name]) => name === 'auto-submitted')?.[1]).toBe('Auto-Submitted: auto-generated');
    }
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id);
    expect(h.mails(request.id)).toHaveLength(3);
    const data = await pluginData(request.id);
    expect(JSON.parse(data[`to:${REVIEWERS}`] ?? '{}')).toMatchObject({ reviews: 0, state: 'PENDING', root: h.mails(request.id, REVIEWERS)[0]?.messageId });
  });

  it('replies each review and the approval in the thread; a requester without an address is skipped', async () => {
    const request = await h.carol.createAccessRequest({ roles: ['prodaccess'], reason: 'two approvals needed' });
    await h.waitForMails(request.id, REVIEWERS, 1);
    await h.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'fine by me' });
    const [, first] = await h.waitForMails(request.id, REVIEWERS, 2);
    expect(first?.text).toMatch(/^bob approved the request at \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    expect(first?.text).toContain('fine by me');
    expect(first?.messageId).toMatch(messageIdOf(request.id, 'review-0'));

    await h.dave.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'ok' });
    const thread = await h.waitForMails(request.id, REVIEWERS, 4);
    expect(thread[2]?.text).toContain('dave approved the request');
    expect(thread[3]?.text).toContain('The access request of carol was approved by dave.');
    expect(thread[3]?.text).toContain(`gatehouse request assume ${request.id}`);
    expect(thread[3]?.text).toContain('✅ APPROVED');
    expect(thread[3]?.messageId).toMatch(messageIdOf(request.id, 'approved'));
    expectThreaded(thread);
    const oncall = await h.waitForMails(request.id, 'oncall@example.com', 4);
    expectThreaded(oncall);
    // One Message-ID per address: the same step to another recipient is another message.
    expect(oncall.map((m) => m.messageId).filter((id) => thread.some((t) => t.messageId === id))).toEqual([]);
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['state'] === 'APPROVED');
    expect((await pluginData(request.id))['requester']).toMatch(/^skip:no email address/);
    expect(h.mails(request.id)).toHaveLength(8);
  });

  it('tells the thread and the requester of a denial, with its reason', async () => {
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'want it' });
    await h.waitForMails(request.id, REVIEWERS, 1);
    await h.bob.submitAccessReview({ requestId: request.id, proposedState: 'DENIED', reason: 'no incident open' });
    const thread = await h.waitForMails(request.id, REVIEWERS, 3);
    expect(thread[2]?.text).toContain('was denied by bob');
    expect(thread[2]?.text).toContain('no incident open');
    expect(thread[2]?.text).toContain('❌ DENIED');
    expectThreaded(thread);
    const [notice] = await h.waitForMails(request.id, ALICE_EMAIL, 1);
    expect(notice?.text).toContain('Your access request for prodaccess was denied by bob.');
    expect(notice?.text).toContain('no incident open');
    expect(notice?.messageId).toMatch(messageIdOf(request.id, 'notice-denied'));
    expect(notice?.subject).toBe(thread[0]?.subject);
  });

  it('tells the thread and the requester of an expiry', async () => {
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'short lived', pendingTtlMs: 1000 });
    const thread = await h.waitForMails(request.id, REVIEWERS, 2, 15_000);
    expect(thread[1]?.text).toContain('has expired without a decision');
    expect(thread[1]?.text).toContain('⌛ EXPIRED');
    expectThreaded(thread);
    const [notice] = await h.waitForMails(request.id, ALICE_EMAIL, 1);
    expect(notice?.text).toContain('Your access request for prodaccess has expired');
  });

  it('tells the thread of a deletion, under one Message-ID per address', async () => {
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'changed my mind' });
    await h.waitForMails(request.id, REVIEWERS, 1);
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id);
    await h.alice.deleteAccessRequest(request.id);
    const thread = await h.waitForMails(request.id, REVIEWERS, 2);
    expect(thread[1]?.text).toContain('The access request of alice was deleted.');
    expect(thread[1]?.messageId).toMatch(messageIdOf(request.id, 'deleted'));
    expectThreaded(thread);
  });

  it('keeps CR/LF and header text in a reason inside the body, and takes a suggested reviewer only as one bare address', async () => {
    const reason = 'urgent\r\nBcc: evil@example.com\r\nX-Injected: yes\r\n\r\n<script>alert(1)</script>';
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason, suggestedReviewers: ['evil@example.com, x@example.com', 'Evil <evil@example.com>'] });
    const [mail] = await h.waitForMails(request.id, REVIEWERS, 1);
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id);
    const names = mail?.headerLines.map(([name]) => name) ?? [];
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(names.filter((n) => n === 'to')).toHaveLength(1);
    expect(mail?.text).toContain('X-Injected: yes');
    expect(mail?.html).toContain('&lt;script&gt;');
    expect(mail?.html).not.toContain('<script>');
    const reached = new Set(h.smtp.messages().filter((m) => m.subject.includes(request.id)).flatMap((m) => m.envelope.to));
    expect([...reached].sort()).toEqual(['oncall@example.com', REVIEWERS].sort());
  });
});
