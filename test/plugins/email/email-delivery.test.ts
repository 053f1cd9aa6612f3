/**
 * Delivery against an SMTP server that misbehaves: temporary refusals and dropped connections
 * are retried and deliver once; a permanent refusal for one recipient is logged with the
 * server's reply, not retried, and does not hold up the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginProcess } from '../../support/plugin-process.ts';
import { REVIEWERS, startEmailHarness, type EmailHarness } from './email-harness.ts';

let h: EmailHarness;
let plugin: PluginProcess;
const GHOST = 'ghost@example.com';
const OTHER = 'second@example.com';

beforeAll(async () => {
  h = await startEmailHarness();
  plugin = await h.startPlugin(h.config({ recipients: [REVIEWERS, GHOST, OTHER] }));
});
afterAll(async () => {
  await h?.close();
});

const handled = (id: string, state = 'PENDING') => plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === id && l['state'] === state, 15_000, `request ${id} handled`);

describe('email plugin delivery', () => {
  it.each([
    ['a 451 to RCPT', { reply: 451, message: '4.3.0 mailbox busy' }, 'RCPT'],
    ['a 421 to MAIL (the server closes the connection)', { reply: 421, message: '4.4.2 closing' }, 'MAIL'],
    ['a dropped connection at DATA', { dropConnection: true }, 'DATA'],
  ] as const)('after %s the message is sent again and delivered once', async (_what, failure, command) => {
    // MAIL FROM names no recipient yet: that failure hits whichever send comes first.
    h.smtp.failNext(1, failure, command === 'MAIL' ? { command } : { command, recipient: REVIEWERS });
    const before = h.smtp.commands().length;
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: `retry after ${command}` });
    await handled(request.id);
    expect(h.smtp.commands().slice(before).filter((c) => c.command === command && c.injected !== undefined)).toHaveLength(1);
    for (const to of [REVIEWERS, GHOST, OTHER]) expect(h.mails(request.id, to)).toHaveLength(1);
  });

  it('a 550 for one recipient is logged with the reply and not retried; the others get the message and the replies', async () => {
    h.smtp.failNext(Infinity, { reply: 550, message: '5.1.1 <ghost@example.com>: no such user' }, { command: 'RCPT', recipient: GHOST });
    try {
      const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'one bad address' });
      const refused = await plugin.waitForLog((l) => l.msg === 'the SMTP server refused the email; not retried' && l['requestId'] === request.id);
      expect(refused).toMatchObject({ to: GHOST, code: 550 });
      expect(String(refused['response'])).toContain('no such user');
      await handled(request.id);
      expect(h.mails(request.id, REVIEWERS)).toHaveLength(1);
      expect(h.mails(request.id, OTHER)).toHaveLength(1);
      expect(h.mails(request.id, GHOST)).toHaveLength(0);
      const data = (await h.server.admin.getPluginData(request.id, 'email')).entries['email']?.data ?? {};
      expect(data[`to:${GHOST}`]).toMatch(/^skip:refused: 550 /);

      await h.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'go' });
      await h.waitForMails(request.id, REVIEWERS, 3);
      await h.waitForMails(request.id, OTHER, 3);
      await handled(request.id, 'APPROVED');
      const attempts = h.smtp.commands().filter((c) => c.command === 'RCPT' && c.recipient === GHOST && c.at >= request.createdMs);
      expect(attempts).toHaveLength(1);
    } finally {
      h.smtp.clearFailures();
    }
  });

  it('a refusal that outlasts the retries leaves the request to be retried later, and it is delivered once', async () => {
    // 4 retries within the send's budget, then the runtime re-queues the request.
    h.smtp.failNext(6, { reply: 451, message: '4.7.1 greylisted' }, { command: 'RCPT', recipient: REVIEWERS });
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'greylisted' });
    await plugin.waitForLog((l) => l.msg === 'request handling failed; will retry' && l['requestId'] === request.id, 30_000);
    await h.waitForMails(request.id, REVIEWERS, 1, 30_000);
    await handled(request.id);
    expect(h.mails(request.id, REVIEWERS)).toHaveLength(1);
    expect(h.mails(request.id, OTHER)).toHaveLength(1);
  });
});
