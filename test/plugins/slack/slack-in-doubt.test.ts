/**
 * Effects left in doubt: the plugin claimed a post (in plugin data), then died before recording
 * what Slack answered. Once the claim can be taken over, the restarted plugin looks for the
 * message by the marker in its metadata: found → recorded (not posted again); not found → posted
 * now. A claim younger than the takeover window is another process's work in progress: looked at
 * again later, never taken as done. Claims are seeded through the server's plugin-data API, their
 * age standing in for time passing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseClaim } from '../../../plugins/common/effect-claim.ts';
import { ALL_SLACK_SCOPES } from '../../fakes/fake-slack.ts';
import { messageText, startHarness, type Harness } from './slack-harness.ts';

const KEY = 'r:access-requests';
/** Short windows, so a fresh claim can be taken over within the test (yet outlast a plugin's start on a loaded machine). */
const TAKEOVER_MS = 10_000;
const SHORT_WINDOWS = `\n[runtime]\nevent_timeout = "2s"\nclaim_takeover = "${TAKEOVER_MS / 1000}s"\n`;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Writes `key` as a claim by a dead process, made `ageMs` ago. */
async function seedClaim(harness: Harness, requestId: string, key: string, op: string, ageMs: number, prev = ''): Promise<string> {
  const current = (await harness.pluginData(requestId))[key] ?? '';
  const claim = `claim:${JSON.stringify({ by: 'dead-process', op, at: Date.now() - ageMs, prev })}`;
  await harness.server.admin.updatePluginData({ requestId, plugin: 'slack', set: { [key]: claim }, expect: { [key]: current } });
  return claim;
}

/** The key's recorded value once the plugin has settled it (no longer a claim). */
async function settled(harness: Harness, requestId: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = (await harness.pluginData(requestId))[KEY] ?? '';
    if (value.startsWith('{')) return JSON.parse(value);
    if (Date.now() > deadline) throw new Error(`plugin data ${KEY} of ${requestId} still ${value || 'unset'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const postsOf = (harness: Harness, id: string) => harness.slack.requests().filter((r) => r.path === '/api/chat.postMessage' && r.rawBody.includes(id));

describe('slack plugin: effects in doubt after a crash', () => {
  it('a post that reached Slack before the crash is found by its marker and recorded, not repeated', async () => {
    h = await startHarness();
    const harness = h;
    const plugin = await harness.startPlugin();
    harness.slack.failNext(1, { delayMs: 1500 }, { path: '/api/chat.postMessage' });
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'in flight at the crash' });
    await harness.slack.waitFor(() => postsOf(harness, request.id)[0], 10_000, 'post in flight');
    await plugin.kill();
    const landed = await harness.slack.waitFor(() => harness.requestMessages(request.id)[0], 10_000, 'the slow post landed');
    expect(landed.metadata?.event_payload).toEqual({ effect: `${request.id}/${KEY}/post` });

    const stale = (await harness.pluginData(request.id))[KEY];
    const claim = parseClaim(stale);
    expect(claim?.op).toBe('post');
    await seedClaim(harness, request.id, KEY, 'post', 120_000, claim?.prev);

    const restarted = await harness.startPlugin();
    await restarted.waitForLog((l) => l.msg === 'the effect left in doubt was done; recorded it' && l['requestId'] === request.id);
    expect(await settled(harness, request.id)).toMatchObject({ channel: landed.channel, ts: landed.ts, reviews: 0 });

    await harness.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'after the crash' });
    const updated = await harness.slack.waitFor(() => harness.requestMessages(request.id).find((m) => m.updatedCount > 0), 10_000, 'the recorded message updated');
    expect(updated.ts).toBe(landed.ts);
    expect(messageText(updated)).toContain('APPROVED');
    expect(harness.requestMessages(request.id)).toHaveLength(1);
    expect(postsOf(harness, request.id).filter((r) => !r.rawBody.includes('thread_ts'))).toHaveLength(1);
  });

  it('a post claimed but never sent is posted once its claim can be taken over; a fresh claim is looked at again, not taken as done', async () => {
    h = await startHarness();
    const harness = h;
    const lost = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'claimed, never sent' });
    const busy = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'claimed just now' });
    await seedClaim(harness, lost.id, KEY, 'post', 120_000);
    const fresh = await seedClaim(harness, busy.id, KEY, 'post', 0);

    const plugin = await harness.startPlugin(harness.config({ extra: SHORT_WINDOWS }));
    await plugin.waitForLog((l) => l.msg === 'the effect left in doubt was not done; doing it now' && l['requestId'] === lost.id);
    const posted = await harness.slack.waitFor(() => harness.requestMessages(lost.id)[0], 10_000, 'the lost post made');
    expect(await settled(harness, lost.id)).toMatchObject({ ts: posted.ts });

    // The fresh claim's owner may still be posting: not handled, not posted, looked at again...
    const looking = await plugin.waitForLog((l) => l.msg === 'an effect of this request is claimed elsewhere; will look again' && l['requestId'] === busy.id);
    expect(looking['outcome']).toBe('busy');
    // ...once it can be taken over (its owner is gone): looked for in Slack, not there, posted once.
    const handled = await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === busy.id, TAKEOVER_MS + 10_000, 'the busy request handled');
    expect(handled['source']).toBe('retry');
    expect(plugin.logs.indexOf(handled)).toBeGreaterThan(plugin.logs.indexOf(looking));
    const claimedAt = parseClaim(fresh)?.at ?? 0;
    const posts = postsOf(harness, busy.id);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.receivedAt).toBeGreaterThanOrEqual(claimedAt + TAKEOVER_MS);
    expect(plugin.logs.some((l) => l.msg === 'the effect left in doubt was not done; doing it now' && l['requestId'] === busy.id)).toBe(true);
    const late = await harness.slack.waitFor(() => harness.requestMessages(busy.id)[0], 10_000, 'the busy post made');
    expect(await settled(harness, busy.id)).toMatchObject({ ts: late.ts, reviews: 0, shows: 'PENDING' });
    expect(harness.requestMessages(busy.id)).toHaveLength(1);
    expect(harness.requestMessages(lost.id)).toHaveLength(1);
  }, 60_000);

  it('a review reply in doubt that never reached the thread is replied once', async () => {
    h = await startHarness();
    const harness = h;
    const plugin = await harness.startPlugin();
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'review in doubt' });
    const message = await harness.slack.waitFor(() => harness.requestMessages(request.id)[0], 10_000, 'announced');
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id);
    expect((await plugin.stop()).code).toBe(0);

    await harness.bob.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'looks fine' });
    const posted = (await harness.pluginData(request.id))[KEY] ?? '';
    await seedClaim(harness, request.id, KEY, 'review:0', 120_000, posted);

    const restarted = await harness.startPlugin();
    await harness.slack.waitFor(() => harness.requestMessages(request.id).find((m) => m.updatedCount > 0), 10_000, 'updated to APPROVED');
    await restarted.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['state'] === 'APPROVED');
    const replies = harness.replies(message);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.metadata?.event_payload).toEqual({ effect: `${request.id}/${KEY}/review:0` });
    expect(await settled(harness, request.id)).toMatchObject({ reviews: 1, shows: 'APPROVED' });
  });

  it('without the history scope a post in doubt is not repeated, and the log names the missing scope', async () => {
    h = await startHarness({ slackScopes: ALL_SLACK_SCOPES.filter((s) => s !== 'channels:history') });
    const harness = h;
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'cannot check' });
    const claim = await seedClaim(harness, request.id, KEY, 'post', 120_000);
    const plugin = await harness.startPlugin();
    const warned = await plugin.waitForLog((l) => l.msg === 'Slack call failed for a recipient' && l['requestId'] === request.id);
    expect(warned).toMatchObject({ slackError: 'missing_scope', needed: 'channels:history' });
    await plugin.waitForLog((l) => l.msg === 'request handling failed' && l['requestId'] === request.id);
    expect(harness.requestMessages(request.id)).toHaveLength(0);
    expect((await harness.pluginData(request.id))[KEY]).toBe(claim);
  });
});
