/**
 * Crashes: the plugin killed (SIGKILL) at each point of a send, and restarted. A step it
 * recorded is never sent again; a step in doubt (the server may have the message, the plugin
 * never learned it) is sent again under the same Message-ID, so mail clients keep one copy.
 * A short event deadline and takeover window keep the waits short.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseClaim } from '../../../plugins/common/effect-claim.ts';
import { REVIEWERS, startEmailHarness, type EmailHarness } from './email-harness.ts';

const HELD = 'held@example.com';
const OTHER = 'second@example.com';
const RUNTIME = '\n[runtime]\nevent_timeout = "2s"\nclaim_takeover = "4s"\n';

let h: EmailHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function pluginData(harness: EmailHarness, requestId: string): Promise<Record<string, string>> {
  return (await harness.server.admin.getPluginData(requestId, 'email')).entries['email']?.data ?? {};
}

/** Polls the request's plugin data until `ready` holds of it. */
async function dataWhen(harness: EmailHarness, requestId: string, ready: (data: Record<string, string>) => boolean, what: string): Promise<Record<string, string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const data = await pluginData(harness, requestId);
    if (ready(data)) return data;
    if (Date.now() > deadline) throw new Error(`plugin data of ${requestId} never showed ${what}: ${JSON.stringify(data)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const recorded = (value: string | undefined): boolean => value?.startsWith('{') === true;
const claimed = (value: string | undefined, op: string): boolean => parseClaim(value)?.op === op;

describe('email plugin: killed mid-way and restarted', () => {
  it('resends the message the server took while the plugin died, under the same Message-ID; recorded steps go out once', async () => {
    h = await startEmailHarness();
    const harness = h;
    const config = harness.config({ recipients: [REVIEWERS, OTHER, HELD], extra: RUNTIME });
    const plugin = await harness.startPlugin(config);
    harness.smtp.failNext(1, { performThenStall: true }, { command: 'DATA', recipient: HELD });
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'crash while sending' });
    const [taken] = await harness.waitForMails(request.id, HELD, 1);
    await dataWhen(harness, request.id, (d) => recorded(d[`to:${REVIEWERS}`]) && recorded(d[`to:${OTHER}`]) && claimed(d[`to:${HELD}`], 'new'), 'two sends recorded and the held one claimed');
    await plugin.kill();

    const restarted = await harness.startPlugin(config);
    const copies = await harness.waitForMails(request.id, HELD, 2, 15_000);
    expect(copies.map((m) => m.messageId)).toEqual([taken?.messageId, taken?.messageId]);
    expect(copies[1]?.text).toBe(copies[0]?.text);
    const data = await dataWhen(harness, request.id, (d) => recorded(d[`to:${HELD}`]), 'the resend recorded');
    expect(JSON.parse(data[`to:${HELD}`] ?? '')).toMatchObject({ root: taken?.messageId, reviews: 0, state: 'PENDING' });
    await restarted.waitForLog((l) => l.msg === 'redoing an effect left in doubt (it is idempotent)' && l['requestId'] === request.id);

    await harness.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'after the crash' });
    const thread = await harness.waitForMails(request.id, HELD, 4);
    expect(thread.slice(2).map((m) => m.inReplyTo)).toEqual([taken?.messageId, taken?.messageId]);
    await restarted.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['state'] === 'APPROVED');
    for (const to of [REVIEWERS, OTHER]) {
      const mails = harness.mails(request.id, to);
      expect(mails).toHaveLength(3);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(3);
    }
  });

  it('sends once a message claimed but never taken by the server before the plugin died', async () => {
    h = await startEmailHarness();
    const harness = h;
    const config = harness.config({ extra: RUNTIME });
    const plugin = await harness.startPlugin(config);
    harness.smtp.failNext(1, { stall: true }, { command: 'RCPT', recipient: REVIEWERS });
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'crash before the server took it' });
    await harness.smtp.waitFor(() => harness.smtp.commands().find((c) => c.command === 'RCPT' && c.injected !== undefined), 10_000, 'the stalled RCPT');
    await dataWhen(harness, request.id, (d) => claimed(d[`to:${REVIEWERS}`], 'new'), 'the claim');
    await plugin.kill();
    expect(harness.mails(request.id)).toHaveLength(0);

    const restarted = await harness.startPlugin(config);
    await harness.waitForMails(request.id, REVIEWERS, 1, 15_000);
    await restarted.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['outcome'] === 'ok', 15_000);
    expect(harness.mails(request.id)).toHaveLength(1);
    expect(recorded((await pluginData(harness, request.id))[`to:${REVIEWERS}`])).toBe(true);
  });

  it('after a kill at rest, the restart sends only what happened meanwhile', async () => {
    h = await startEmailHarness();
    const harness = h;
    const config = harness.config({ recipients: [REVIEWERS, OTHER], extra: RUNTIME });
    const plugin = await harness.startPlugin(config);
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'kill at rest' });
    await dataWhen(harness, request.id, (d) => recorded(d[`to:${REVIEWERS}`]) && recorded(d[`to:${OTHER}`]), 'both sends recorded');
    await plugin.kill();
    await harness.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'while it was down' });

    const restarted = await harness.startPlugin(config);
    await restarted.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['outcome'] === 'ok', 15_000);
    for (const to of [REVIEWERS, OTHER]) {
      const mails = harness.mails(request.id, to);
      expect(mails.map((m) => m.messageId?.split('.')[2])).toEqual(['new', 'review-0', 'approved']);
    }
  });

  it('gives up on a reply that never comes at the event deadline, and resends under the same Message-ID', async () => {
    h = await startEmailHarness();
    const harness = h;
    const plugin = await harness.startPlugin(harness.config({ extra: RUNTIME }));
    harness.smtp.failNext(1, { performThenStall: true }, { command: 'DATA', recipient: REVIEWERS });
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'reply lost' });
    await plugin.waitForLog((l) => l.msg === 'request handling failed; will retry' && l['requestId'] === request.id && l['outcome'] === 'timed_out', 10_000);
    const copies = await harness.waitForMails(request.id, REVIEWERS, 2, 15_000);
    expect(copies[1]?.messageId).toBe(copies[0]?.messageId);
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['outcome'] === 'ok', 15_000);
    expect(harness.mails(request.id)).toHaveLength(2);
  });
});
