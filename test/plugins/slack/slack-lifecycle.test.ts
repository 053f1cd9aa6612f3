import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE_SLACK, CHANNEL, LEAD_SLACK, messageText, startHarness, type Harness } from './slack-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('slack plugin lifecycle (real server, real plugin process, fake Slack)', () => {
  it('announces a request, threads reviews, updates the message on approval and tells the requester', async () => {
    const plugin = await h.startPlugin();
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-42: database on fire' });
    const message = await h.slack.waitForMessage((m) => m.channel === CHANNEL.id && messageText(m).includes(request.id), 10_000);
    const text = messageText(message);
    expect(text).toContain('alice');
    expect(text).toContain('prodaccess');
    expect(text).toContain('INC-42: database on fire');
    expect(text).toContain('PENDING');
    expect(text).toContain(`gatehouse request review ${request.id} --approve`);

    await h.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'go ahead' });
    const updated = await h.slack.waitFor(() => h.requestMessages(request.id).find((m) => m.updatedCount > 0), 10_000, 'message updated');
    expect(messageText(updated)).toContain('APPROVED');
    expect(messageText(updated)).not.toContain('--approve');
    const replies = await h.slack.waitFor(() => {
      const r = h.replies(message);
      return r.length > 0 ? r : undefined;
    }, 10_000, 'review reply');
    expect(replies[0]!.text).toContain('bob');
    expect(replies[0]!.text).toContain('go ahead');
    const dm = await h.slack.waitFor(() => h.slack.messages(ALICE_SLACK.id).find((m) => m.text.includes(request.id)), 10_000, 'requester DM');
    expect(dm.text).toContain('approved');

    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['state'] === 'APPROVED' && l['outcome'] === 'ok');
    expect(h.requestMessages(request.id)).toHaveLength(1);
    expect(h.replies(message)).toHaveLength(1);
    const exit = await plugin.stop();
    expect(exit.code).toBe(0);
  });
});

describe('slack plugin outcomes', () => {
  it('shows a denial with its reason, and an expiry', async () => {
    const plugin = await h.startPlugin();
    const denied = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'want it' });
    const expiring = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'short lived', pendingTtlMs: 1000 });
    await h.slack.waitFor(() => h.requestMessages(denied.id)[0], 10_000, 'denied request announced');
    await h.slack.waitFor(() => h.requestMessages(expiring.id)[0], 10_000, 'expiring request announced');
    await h.bob.submitAccessReview({ requestId: denied.id, proposedState: 'DENIED', reason: 'no incident open' });
    const d = await h.slack.waitFor(() => h.requestMessages(denied.id).find((m) => m.updatedCount > 0), 10_000, 'denied update');
    expect(messageText(d)).toContain('DENIED');
    expect(messageText(d)).toContain('no incident open');
    const e = await h.slack.waitFor(() => h.requestMessages(expiring.id).find((m) => m.updatedCount > 0), 10_000, 'expired update');
    expect(messageText(e)).toContain('EXPIRED');
    await h.slack.waitFor(() => h.slack.messages(ALICE_SLACK.id).find((m) => m.text.includes(expiring.id) && m.text.includes('expired')), 10_000, 'expiry DM');
    await h.slack.waitFor(() => h.slack.messages(ALICE_SLACK.id).find((m) => m.text.includes(denied.id) && m.text.includes('denied')), 10_000, 'denial DM');
    expect((await plugin.stop()).code).toBe(0);
  });

  it('DMs suggested reviewers that are emails, skips unknown ones, and cuts long reasons cleanly', async () => {
    await h.startPlugin();
    const reason = `because ${'x'.repeat(3000)}`;
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason, suggestedReviewers: ['lead@example.com', 'ghost@example.com', 'not-an-email'] });
    const dm = await h.slack.waitFor(() => h.slack.messages(LEAD_SLACK.id).find((m) => messageText(m).includes(request.id)), 10_000, 'reviewer DM');
    expect(dm.channel.startsWith('D')).toBe(true);
    const inChannel = await h.slack.waitFor(() => h.requestMessages(request.id)[0], 10_000, 'channel message');
    expect(messageText(inChannel)).toContain('(truncated)');
    expect(messageText(inChannel)).not.toContain('x'.repeat(600));
    const entry = await waitForPluginData(request.id, (d) => d['r:ghost@example.com'] !== undefined);
    expect(entry['r:ghost@example.com']).toMatch(/^skip:/);
  });
});

async function waitForPluginData(id: string, ok: (d: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await h.server.admin.getPluginData(id, 'slack');
    const data = res.entries['slack']?.data ?? {};
    if (ok(data)) return data;
    if (Date.now() > deadline) throw new Error(`plugin data of ${id} never matched: ${JSON.stringify(data)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('slack plugin identity', () => {
  it('reloads a renewed identity file without a restart', async () => {
    const plugin = await h.startPlugin();
    const renewed = await h.server.identityFile('slack-plugin', ['access-plugin'], { ttlMs: 7200_000 });
    expect(renewed).toBe(h.pluginIdentity);
    await plugin.waitForLog((l) => l.msg === 'identity reloaded', 10_000);
    await plugin.waitForLog((l) => l.msg === 'watching access requests' && l['resumed'] === true, 10_000);
    const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'after renewal' });
    await h.slack.waitFor(() => h.requestMessages(request.id)[0], 10_000, 'announced with the renewed identity');
    expect((await plugin.stop()).code).toBe(0);
  });
});
