/**
 * The Slack plugin killed at every point of an effect (issue 18), through the real plugin
 * process and the real server: SIGKILL after the claim and before Slack got the call (the fake
 * holds the call and never performs it), and after Slack did it and before the plugin recorded it
 * (the fake performs it and never answers); for the first effect (the request message) and a later
 * one (a review reply in its thread); restarted at once (inside the takeover window) and after it.
 * Each effect is counted at the fake: done exactly once, and recorded in the plugin data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseClaim } from '../../../plugins/common/effect-claim.ts';
import { isRecord, type FailureMode, type RecordedRequest } from '../../fakes/http-fake-server.ts';
import type { PluginProcess } from '../../support/plugin-process.ts';
import { startHarness, type Harness } from './slack-harness.ts';

const KEY = 'r:access-requests';
const EVENT_TIMEOUT_MS = 3000;
const TAKEOVER_MS = 5000;
/** Long enough for a restart to land inside it even on a loaded machine (a plugin start can take seconds). */
const LONG_TAKEOVER_MS = 10_000;
const windows = (takeoverMs: number): string => `\n[runtime]\nevent_timeout = "${EVENT_TIMEOUT_MS / 1000}s"\nclaim_takeover = "${takeoverMs / 1000}s"\n`;
const WINDOWS = windows(TAKEOVER_MS);
const POST = '/api/chat.postMessage';
const LOOK_AGAIN = 'an effect of this request is claimed elsewhere; will look again';

/** Where the kill lands: the fake holds the call unperformed, or performs it and never answers. */
type CrashPoint = 'before the effect' | 'after the effect';
const MODES: Record<CrashPoint, FailureMode> = { 'before the effect': { stall: true }, 'after the effect': { performThenStall: true } };

interface CrashCase {
  readonly effect: 'request message' | 'review reply';
  readonly at: CrashPoint;
  readonly requestId: string;
  readonly op: string;
  readonly marker: string;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The effect marker a recorded `chat.postMessage` carried in its metadata. */
function markerOf(request: RecordedRequest): string | undefined {
  if (!isRecord(request.body) || typeof request.body['metadata'] !== 'string') return undefined;
  const metadata: unknown = JSON.parse(request.body['metadata']);
  if (!isRecord(metadata) || !isRecord(metadata['event_payload'])) return undefined;
  const effect = metadata['event_payload']['effect'];
  return typeof effect === 'string' ? effect : undefined;
}

/** Calls of `chat.postMessage` for this effect that reached the fake (performed or not). */
const postsOf = (harness: Harness, marker: string): RecordedRequest[] => harness.slack.requests().filter((r) => r.path === POST && markerOf(r) === marker);
/** Messages Slack holds for this effect: how many times it was performed. */
const messagesOf = (harness: Harness, marker: string) => harness.slack.messages().filter((m) => m.metadata?.event_payload['effect'] === marker);

/** Waits until the request's plugin data matches (an effect recorded, not a claim). */
async function recorded(harness: Harness, requestId: string, ok: (data: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const data = await harness.pluginData(requestId);
    if (ok(data)) return data;
    if (Date.now() > deadline) throw new Error(`plugin data of ${requestId} never settled: ${JSON.stringify(data)}`);
    await sleep(100);
  }
}

const posted = (value: string | undefined): Record<string, unknown> | undefined => (value?.startsWith('{') === true ? (JSON.parse(value) as Record<string, unknown>) : undefined);

/**
 * Starts a plugin and leaves four effects outstanding at Slack, each at a crash point: two request
 * messages and two review replies (on requests announced first). Then SIGKILLs the plugin.
 * @returns the cases, and when the last claim was made.
 */
async function crashMidEffects(harness: Harness, config: string): Promise<{ cases: CrashCase[]; lastClaimAt: number }> {
  const plugin = await harness.startPlugin(config);
  const reviewed: string[] = [];
  for (const at of ['before', 'after']) {
    const request = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: `review reply crashed ${at} the effect` });
    await recorded(harness, request.id, (d) => posted(d[KEY]) !== undefined);
    reviewed.push(request.id);
  }
  const cases: CrashCase[] = [];
  const crash = async (effect: CrashCase['effect'], at: CrashPoint, act: () => Promise<string>): Promise<void> => {
    harness.slack.failNext(1, MODES[at], { path: POST });
    const requestId = await act();
    const op = effect === 'request message' ? 'post' : 'review:0';
    const marker = `${requestId}/${KEY}/${op}`;
    await harness.slack.waitFor(() => postsOf(harness, marker)[0], 10_000, `the ${effect} of ${requestId} at Slack`);
    cases.push({ effect, at, requestId, op, marker });
  };
  for (const at of ['before the effect', 'after the effect'] as const) {
    await crash('request message', at, async () => (await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: `request message crashed ${at}` })).id);
  }
  for (const [i, at] of (['before the effect', 'after the effect'] as const).entries()) {
    const requestId = reviewed[i]!;
    await crash('review reply', at, async () => {
      await harness.bob.submitAccessReview({ requestId, proposedState: 'APPROVED', reason: `crashed ${at}` });
      return requestId;
    });
  }
  // Every effect claimed and outstanding at Slack (well inside the event deadline): crash now.
  const claims = await Promise.all(cases.map(async (c) => parseClaim((await harness.pluginData(c.requestId))[KEY])));
  await plugin.kill();
  expect(claims.map((c) => c?.op)).toEqual(cases.map((c) => c.op));
  for (const c of cases) {
    expect(postsOf(harness, c.marker), `${c.effect} ${c.at}: one call, outstanding at the kill`).toHaveLength(1);
    expect(messagesOf(harness, c.marker), `${c.effect} ${c.at}`).toHaveLength(c.at === 'after the effect' ? 1 : 0);
  }
  return { cases, lastClaimAt: Math.max(...claims.map((c) => c?.at ?? 0)) };
}

/** After the restart: every effect recorded, performed once, and the rest of each request done once. */
async function expectEachEffectOnce(harness: Harness, plugin: PluginProcess, cases: readonly CrashCase[]): Promise<void> {
  for (const c of cases) {
    const data = await recorded(harness, c.requestId, (d) =>
      c.effect === 'request message' ? posted(d[KEY]) !== undefined : posted(d[KEY])?.['shows'] === 'APPROVED' && d['notice'] === 'sent:APPROVED',
    );
    const what = `${c.effect} crashed ${c.at}`;
    const messages = messagesOf(harness, c.marker);
    expect(messages, what).toHaveLength(1);
    // Found in Slack and recorded, or found missing and done: never done blindly again.
    expect(postsOf(harness, c.marker), what).toHaveLength(c.at === 'after the effect' ? 1 : 2);
    const settledAs = c.at === 'after the effect' ? 'the effect left in doubt was done; recorded it' : 'the effect left in doubt was not done; doing it now';
    // The log line may trail the plugin data the test saw.
    await plugin.waitForLog((l) => l.msg === settledAs && l['requestId'] === c.requestId && l['op'] === c.op, 5000, `${what}: ${settledAs}`);
    const value = posted(data[KEY]);
    if (c.effect === 'request message') {
      expect(value, what).toMatchObject({ ts: messages[0]!.ts, reviews: 0, shows: 'PENDING' });
    } else {
      expect(value, what).toMatchObject({ ts: messages[0]!.threadTs, reviews: 1, shows: 'APPROVED' });
      expect(harness.slack.updates().filter((u) => u.ts === value?.['ts']), `${what}: one update`).toHaveLength(1);
      expect(harness.slack.messages('U0ALICE01').filter((m) => m.text.includes(c.requestId)), `${what}: one notice`).toHaveLength(1);
    }
  }
}

describe('slack plugin killed at every point of an effect', () => {
  it('restarted at once, inside the takeover window: looks again when the claims can be taken over, then does each effect once', async () => {
    h = await startHarness();
    const harness = h;
    const config = harness.config({ extra: windows(LONG_TAKEOVER_MS) });
    const { cases, lastClaimAt } = await crashMidEffects(harness, config);
    const restarted = await harness.startPlugin(config);
    expect(Date.now(), 'the restart landed inside the takeover window').toBeLessThan(lastClaimAt + LONG_TAKEOVER_MS);
    for (const c of cases) {
      // The dead process's claims are fresh: its effects could still be running, so they are not touched yet.
      await restarted.waitForLog((l) => l.msg === LOOK_AGAIN && l['requestId'] === c.requestId, 10_000, `${c.effect} ${c.at}: looked at again`);
    }
    await expectEachEffectOnce(harness, restarted, cases);
  }, 60_000);

  it('restarted after the takeover window: settles each effect in doubt at once, each once', async () => {
    h = await startHarness();
    const harness = h;
    const config = harness.config({ extra: WINDOWS });
    const { cases, lastClaimAt } = await crashMidEffects(harness, config);
    await sleep(Math.max(0, lastClaimAt + TAKEOVER_MS - Date.now()));
    const restarted = await harness.startPlugin(config);
    await expectEachEffectOnce(harness, restarted, cases);
    expect(restarted.logs.filter((l) => l.msg === LOOK_AGAIN)).toEqual([]);
  }, 60_000);

  it('Slack calls that hang are cut at the event deadline and retried, each effect once; another request goes on meanwhile', async () => {
    h = await startHarness();
    const harness = h;
    const plugin = await harness.startPlugin(harness.config({ extra: WINDOWS }));
    const createdAt = Date.now();
    const hung: Array<{ id: string; at: CrashPoint; marker: string }> = [];
    for (const at of ['before the effect', 'after the effect'] as const) {
      harness.slack.failNext(1, MODES[at], { path: POST });
      const { id } = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: `Slack hangs ${at}` });
      const marker = `${id}/${KEY}/post`;
      await harness.slack.waitFor(() => postsOf(harness, marker)[0], 10_000, `the post hung ${at} at Slack`);
      hung.push({ id, at, marker });
    }

    const other = await harness.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'created while Slack hangs on others' });
    await harness.slack.waitFor(() => harness.requestMessages(other.id)[0], 10_000, 'the other request announced');
    const otherHandled = await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === other.id);

    for (const { id, at, marker } of hung) {
      const timedOut = await plugin.waitForLog((l) => l.msg === 'request handling failed; will retry' && l['requestId'] === id, 10_000, `the deadline of the post hung ${at}`);
      expect(timedOut['outcome']).toBe('timed_out');
      expect(Number(timedOut['durationMs'])).toBeGreaterThanOrEqual(EVENT_TIMEOUT_MS);
      expect(plugin.logs.indexOf(otherHandled), 'the other request did not wait for the hung ones').toBeLessThan(plugin.logs.indexOf(timedOut));
      await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === id && l['source'] === 'retry', 15_000, `the retry of the post hung ${at}`);
      const data = await recorded(harness, id, (d) => posted(d[KEY]) !== undefined);
      const messages = messagesOf(harness, marker);
      expect(messages, at).toHaveLength(1);
      // Aborted unanswered: looked for in Slack on the retry, and posted only if not there.
      expect(postsOf(harness, marker), at).toHaveLength(at === 'after the effect' ? 1 : 2);
      expect(posted(data[KEY]), at).toMatchObject({ ts: messages[0]!.ts });
    }
    // The hung calls were aborted at the deadline (not left to the SDK's 10 s timeout), so the
    // retries found the posts free to settle at once.
    expect(Date.now() - createdAt).toBeLessThan(EVENT_TIMEOUT_MS + 6000);
  }, 40_000);
});
