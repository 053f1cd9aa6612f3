import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../support/plugin-process.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { messageText, startHarness, type Harness } from './slack-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const LOOK_AGAIN = 'an effect of this request is claimed elsewhere; will look again';
/** A dispatcher line saying how handling an event ended: done, or left to the replica holding a claim. */
const isOutcome = (l: LogLine): boolean => l.msg === 'request handled' || l.msg === LOOK_AGAIN;
const postRequests = (id: string) => h.slack.requests().filter((r) => r.path === '/api/chat.postMessage' && r.rawBody.includes(id));

describe('slack plugin resilience', () => {
  it('announces requests created while it was stopped and updates ones resolved meanwhile', async () => {
    const first = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'before start' });
    const plugin = await h.startPlugin();
    await h.slack.waitFor(() => h.requestMessages(first.id)[0], 10_000, 'request created before start announced');
    expect((await plugin.stop()).code).toBe(0);

    await h.bob.submitAccessReview({ requestId: first.id, proposedState: 'APPROVED', reason: 'while down' });
    const second = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'while down' });
    await h.startPlugin();
    await h.slack.waitFor(() => h.requestMessages(second.id)[0], 10_000, 'request created while down announced');
    const updated = await h.slack.waitFor(() => h.requestMessages(first.id).find((m) => m.updatedCount > 0), 10_000, 'resolved while down updated');
    expect(messageText(updated)).toContain('APPROVED');
    expect(h.requestMessages(first.id)).toHaveLength(1);
    expect(h.requestMessages(second.id)).toHaveLength(1);
  });

  it('killed with SIGKILL mid-post and restarted, posts nothing twice', async () => {
    const plugin = await h.startPlugin();
    const done = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'announced before the kill' });
    await h.slack.waitFor(() => h.requestMessages(done.id)[0], 10_000, 'first announced');

    // Slack is slow: the post reaches it, then the plugin dies before hearing back.
    h.slack.failNext(1, { delayMs: 1500 }, { path: '/api/chat.postMessage' });
    const inFlight = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'in flight at the kill' });
    await h.slack.waitFor(() => postRequests(inFlight.id)[0], 10_000, 'post in flight');
    await plugin.kill();

    await h.bob.submitAccessReview({ requestId: done.id, proposedState: 'APPROVED' });
    const whileDown = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'created while dead' });
    const restarted = await h.startPlugin();
    await h.slack.waitFor(() => h.requestMessages(whileDown.id)[0], 10_000, 'created-while-dead announced');
    await h.slack.waitFor(() => h.requestMessages(done.id).find((m) => m.updatedCount > 0), 10_000, 'approved-while-dead updated');
    await h.slack.waitFor(() => h.requestMessages(inFlight.id)[0], 10_000, 'slow post landed');
    await restarted.waitForLog((l) => l.msg === 'reconciling existing requests');
    await h.bob.submitAccessReview({ requestId: whileDown.id, proposedState: 'APPROVED' });
    await h.slack.waitFor(() => h.requestMessages(whileDown.id).find((m) => m.updatedCount > 0), 10_000, 'later approval updated');

    for (const r of [done, inFlight, whileDown]) expect(h.requestMessages(r.id), r.reason).toHaveLength(1);
    expect(postRequests(inFlight.id)).toHaveLength(1);
    expect(h.slack.updates().filter((u) => messageText({ ...u, threadTs: undefined, updatedCount: 1, user: '', metadata: undefined }).includes(done.id))).toHaveLength(1);
  });

  it('two replicas post each message once', async () => {
    // Short windows: a replica that finds the other's claim looks again within the test.
    const config = h.config({ extra: '\n[runtime]\nevent_timeout = "2s"\nclaim_takeover = "4s"\n' });
    const a = await h.startPlugin(config);
    const b = await h.startPlugin(config);
    const requests: Awaited<ReturnType<typeof h.alice.createAccessRequest>>[] = [];
    for (let i = 0; i < 6; i++) requests.push(await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: `replica test ${i}` }));
    for (const r of requests) await h.slack.waitFor(() => h.requestMessages(r.id)[0], 10_000, `announced ${r.id}`);
    for (const r of requests) await h.bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', reason: 'ok' });
    for (const r of requests) await h.slack.waitFor(() => h.requestMessages(r.id).find((m) => m.updatedCount > 0), 10_000, `updated ${r.id}`);
    for (const r of requests) {
      await h.slack.waitFor(() => h.replies(h.requestMessages(r.id)[0]!).length > 0, 10_000, 'reply');
    }
    await Promise.all([a, b].map((p) => p.waitForLog((l) => isOutcome(l) && l['state'] === 'APPROVED' && l['requestId'] === requests.at(-1)!.id)));
    // A replica that found the other's claim looks again once it could be taken over (or on the
    // request's next event): by then the effect is recorded, and it does nothing more.
    for (const p of [a, b]) {
      for (const id of new Set(p.logs.filter((l) => l.msg === LOOK_AGAIN).map((l) => l['requestId']))) {
        const busy = p.logs.findLastIndex((l) => l.msg === LOOK_AGAIN && l['requestId'] === id);
        await p.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === id && p.logs.indexOf(l) > busy, 15_000, `${String(id)} looked at again`);
      }
    }
    for (const r of requests) {
      const messages = h.requestMessages(r.id);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.updatedCount).toBe(1);
      expect(h.replies(messages[0]!)).toHaveLength(1);
    }
    for (const r of requests) await h.slack.waitFor(() => h.slack.messages('U0ALICE01').find((m) => m.text.includes(r.id)), 10_000, `DM for ${r.id}`);
    const dms = h.slack.messages('U0ALICE01');
    for (const r of requests) expect(dms.filter((m) => m.text.includes(r.id))).toHaveLength(1);
  });

  it('survives a server restart without losing events', async () => {
    const plugin = await h.startPlugin();
    const before = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'before the restart' });
    await h.slack.waitFor(() => h.requestMessages(before.id)[0], 10_000, 'announced before restart');
    const addr = h.server.addr;
    await h.server.stop();
    await plugin.waitForLog((l) => l.msg === 'watch disconnected; reconnecting', 10_000);
    let restarted: TestServer | undefined;
    try {
      restarted = await startTestServer({ dataDir: h.server.dataDir, listen: addr });
      const alice = await restarted.userClient('alice', ['sres'], { traits: { email: ['alice@example.com'] } });
      const bob = await restarted.userClient('bob', ['access-reviewer']);
      // Events made right after the restart, possibly before the plugin reconnects: resumed, not lost.
      const after = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'after the restart' });
      await bob.submitAccessReview({ requestId: before.id, proposedState: 'DENIED', reason: 'restart test' });
      await h.slack.waitFor(() => h.requestMessages(after.id)[0], 15_000, 'announced after restart').catch((err: unknown) => {
        console.log(plugin.stderr(), plugin.logs.filter((l) => l['component'] !== 'slack-sdk').map((l) => JSON.stringify(l)).join('\n'));
        throw err;
      });
      const updated = await h.slack.waitFor(() => h.requestMessages(before.id).find((m) => m.updatedCount > 0), 15_000, 'updated after restart');
      expect(messageText(updated)).toContain('DENIED');
      expect(h.requestMessages(before.id)).toHaveLength(1);
      expect(h.requestMessages(after.id)).toHaveLength(1);
      await plugin.waitForLog((l) => l.msg === 'watching access requests' && l['resumed'] === true);
    } finally {
      await restarted?.stop();
    }
  });

  it('survives Slack rate limits (429 + Retry-After) and 500s, and retries a failing effect later', async () => {
    const plugin = await h.startPlugin(h.config({ extra: '\n[http]\nlisten_addr = "127.0.0.1:0"\n' }));
    const listening = await plugin.waitForLog((l) => l.msg === 'HTTP server listening');
    const url = String(listening['url']);

    h.slack.failNext(2, { status: 429, retryAfterSeconds: 1 }, { path: '/api/chat.postMessage' });
    const limited = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'rate limited' });
    const started = Date.now();
    await h.slack.waitFor(() => h.requestMessages(limited.id)[0], 15_000, 'posted after 429s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);

    h.slack.failNext(3, { status: 500 }, { path: '/api/chat.update' });
    await h.bob.submitAccessReview({ requestId: limited.id, proposedState: 'APPROVED' });
    await h.slack.waitFor(() => h.requestMessages(limited.id).find((m) => m.updatedCount > 0), 15_000, 'updated after 500s');
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === limited.id && l['state'] === 'APPROVED');

    // More failures than one attempt's retry budget: the request is re-queued and posted later.
    h.slack.failNext(7, { status: 500 }, { path: '/api/chat.postMessage' });
    const outage = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'slack outage' });
    await plugin.waitForLog((l) => l.msg === 'request handling failed; will retry' && l['requestId'] === outage.id, 20_000);
    await h.slack.waitFor(() => h.requestMessages(outage.id)[0], 20_000, 'posted after the outage');
    expect(h.requestMessages(outage.id)).toHaveLength(1);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_plugin_retries_total\{[^}]*service="slack"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gatehouse_plugin_events_handled_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  }, 60_000);
});

