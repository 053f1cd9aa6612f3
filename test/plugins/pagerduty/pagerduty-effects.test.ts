/**
 * The PagerDuty plugin's effects under the runtime's protocol, through the real plugin process:
 * kill -9 in the middle of an effect (after the claim, before PagerDuty got the call; after
 * PagerDuty did it, before the record), for the announcing incident and for a review note, with
 * a restart inside the takeover window and after it; two replicas; a call that hangs.
 * Windows are short to keep the file fast: an event may take 2 s, and a claim is taken over
 * after 6 s, long enough for a restarted plugin to be up well inside it on a busy machine.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { parseClaim } from '../../../plugins/common/effect-claim.ts';
import { isRecord, type RecordedRequest } from '../../fakes/http-fake-server.ts';
import type { PluginProcess } from '../../support/plugin-process.ts';
import { PD, PLUGIN_USER, forRequest, pdSeed, startPdHarness, type PdHarness } from './pagerduty-harness.ts';

const TAKEOVER_MS = 6000;
const RUNTIME = `[runtime]\nevent_timeout = "2s"\nclaim_takeover = "${TAKEOVER_MS / 1000}s"\n`;
const BUSY = 'an effect of this request is claimed elsewhere; will look again';
const NOT_DONE = 'the effect left in doubt was not done; doing it now';
const WAS_DONE = 'the effect left in doubt was done; recorded it';

let t: PdHarness;
let config: string;
/** Requests only the notify service: no on-call lookups in the way. */
let nora: GatehouseClient;
const running: PluginProcess[] = [];

beforeAll(async () => {
  t = await startPdHarness(pdSeed({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] }));
  config = t.config({ extra: RUNTIME });
  nora = await t.server.userClient('nora', ['notify-only']);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
  t.pd.clearFailures();
});
afterAll(async () => {
  await t?.close();
});

async function start(): Promise<PluginProcess> {
  const p = await t.startPlugin(config);
  running.push(p);
  return p;
}

const keyOf = (requestId: string): string => `gatehouse-access-request/${requestId}`;
const incidentKeyIn = (r: RecordedRequest): unknown => (isRecord(r.body) && isRecord(r.body['incident']) ? r.body['incident']['incident_key'] : undefined);
/** Incidents PagerDuty holds for the request: how often the announcement was performed. */
const incidentsOf = (requestId: string) => t.pd.incidents().filter((i) => i.incidentKey === keyOf(requestId));
/** Create calls PagerDuty received for the request, performed or not. */
const createCalls = (requestId: string) => t.pd.requests().filter((r) => r.method === 'POST' && r.path === '/incidents' && incidentKeyIn(r) === keyOf(requestId));
const noteCalls = (incidentId: string) => t.pd.requests().filter((r) => r.method === 'POST' && r.path === `/incidents/${incidentId}/notes`);
const notesStarting = (incidentId: string, prefix: string) => t.pd.notes(incidentId).filter((n) => n.content.startsWith(prefix));
const resolves = (incidentId: string) => t.pd.requests().filter((r) => r.method === 'PUT' && r.path === `/incidents/${incidentId}`);

/** Waits until the request's plugin data records its incident; returns the incident id. */
async function recordedIncident(requestId: string): Promise<string> {
  const data = await t.waitForPluginData(requestId, (d) => d['incident']?.startsWith('{') === true, 20_000);
  return (JSON.parse(data['incident']!) as { id: string }).id;
}

/** Waits until every effect of an approved request is recorded: incident, review note, closing note, resolve. */
async function settledApproved(requestId: string): Promise<string> {
  const incidentId = await recordedIncident(requestId);
  await t.waitForPluginData(requestId, (d) => d['notes'] === '1' && d['resolution'] === 'resolved:APPROVED', 20_000);
  return incidentId;
}

/** The claim left in the request's plugin data under `key`. */
async function claimOf(requestId: string, key: string): Promise<{ by: string; at: number } | undefined> {
  return parseClaim((await t.pluginData(requestId))[key]);
}

interface Crash {
  /** Its create never reached PagerDuty. */
  readonly createLost: string;
  /** PagerDuty created its incident; the answer never came. */
  readonly createUnheard: string;
  /** Approved; its review note never reached PagerDuty. */
  readonly noteLost: { readonly requestId: string; readonly incidentId: string };
  /** Approved; PagerDuty added its review note; the answer never came. */
  readonly noteUnheard: { readonly requestId: string; readonly incidentId: string };
  /** When the last of the four claims was made. */
  readonly lastClaimAt: number;
}

/**
 * Starts a plugin, leaves four effects in flight (the two crash points, for the announcement
 * and for a review note), checks each is claimed and not recorded, and kills the plugin -9.
 */
async function crashMidEffects(): Promise<Crash> {
  const first = await start();
  const [n1, n2] = await Promise.all([nora.createAccessRequest({ roles: ['prodaccess'], reason: 'note lost' }), nora.createAccessRequest({ roles: ['prodaccess'], reason: 'note unheard' })]);
  const [i1, i2] = await Promise.all([recordedIncident(n1.id), recordedIncident(n2.id)]);

  // Everything below runs within the 2 s event deadline, so the plugin cannot settle any of it
  // itself before it dies.
  t.pd.failNext(1, { stall: true }, { method: 'POST', path: '/incidents' });
  t.pd.failNext(1, { performThenStall: true }, { method: 'POST', path: '/incidents' });
  t.pd.failNext(1, { stall: true }, { method: 'POST', path: `/incidents/${i1}/notes` });
  t.pd.failNext(1, { performThenStall: true }, { method: 'POST', path: `/incidents/${i2}/notes` });
  const a1 = await nora.createAccessRequest({ roles: ['prodaccess'], reason: 'create lost' });
  await t.pd.waitFor(() => createCalls(a1.id)[0], 5000, 'the lost create');
  const [a2] = await Promise.all([
    nora.createAccessRequest({ roles: ['prodaccess'], reason: 'create unheard' }),
    t.reviewer.submitAccessReview({ requestId: n1.id, proposedState: 'APPROVED', reason: 'ok 1' }),
    t.reviewer.submitAccessReview({ requestId: n2.id, proposedState: 'APPROVED', reason: 'ok 2' }),
  ]);
  await t.pd.waitFor(() => incidentsOf(a2.id)[0] !== undefined && noteCalls(i1).length === 1 && notesStarting(i2, 'rita reviewed').length === 1, 5000, 'the four calls in flight');

  const claims = await Promise.all([claimOf(a1.id, 'incident'), claimOf(a2.id, 'incident'), claimOf(n1.id, 'notes'), claimOf(n2.id, 'notes')]);
  for (const claim of claims) expect(claim?.by).toMatch(/^pagerduty-/);
  await first.kill();
  return { createLost: a1.id, createUnheard: a2.id, noteLost: { requestId: n1.id, incidentId: i1 }, noteUnheard: { requestId: n2.id, incidentId: i2 }, lastClaimAt: Math.max(...claims.map((c) => c?.at ?? 0)) };
}

/** After the restart: every effect recorded, and each performed exactly once at PagerDuty. */
async function expectEachEffectOnce(crash: Crash): Promise<void> {
  await Promise.all([recordedIncident(crash.createLost), recordedIncident(crash.createUnheard), settledApproved(crash.noteLost.requestId), settledApproved(crash.noteUnheard.requestId)]);
  expect(incidentsOf(crash.createLost)).toHaveLength(1);
  expect(incidentsOf(crash.createUnheard)).toHaveLength(1);
  // The lost create was sent again; the unheard one was found by its dedup key, not re-sent.
  expect(createCalls(crash.createLost)).toHaveLength(2);
  expect(createCalls(crash.createUnheard)).toHaveLength(1);
  for (const { incidentId } of [crash.noteLost, crash.noteUnheard]) {
    expect(notesStarting(incidentId, 'rita reviewed')).toHaveLength(1);
    expect(notesStarting(incidentId, 'Access request has been approved')).toHaveLength(1);
    expect(resolves(incidentId)).toHaveLength(1);
  }
  // Review note + closing note: the lost note was sent again, the unheard one found among the notes.
  expect(noteCalls(crash.noteLost.incidentId)).toHaveLength(3);
  expect(noteCalls(crash.noteUnheard.incidentId)).toHaveLength(2);
}

/** The plugin logged how it settled each effect in doubt (its log may trail the plugin data the test saw). */
async function expectSettledInDoubt(p: PluginProcess, crash: Crash): Promise<void> {
  for (const id of [crash.createLost, crash.noteLost.requestId]) await p.waitForLog(forRequest(id, NOT_DONE), 5000, `redone: ${id}`);
  for (const id of [crash.createUnheard, crash.noteUnheard.requestId]) await p.waitForLog(forRequest(id, WAS_DONE), 5000, `found: ${id}`);
}

describe('pagerduty effects across kill -9', () => {
  it('a restart inside the takeover window waits for the dead claims, then does or finds each effect once', async () => {
    const crash = await crashMidEffects();
    const second = await start();
    const readyAt = Date.now();
    await expectEachEffectOnce(crash);
    // It came back while the claims were fresh: busy first, never taken as done.
    expect(readyAt).toBeLessThan(crash.lastClaimAt + TAKEOVER_MS);
    for (const id of [crash.createLost, crash.createUnheard, crash.noteLost.requestId, crash.noteUnheard.requestId]) {
      expect(second.logs.some(forRequest(id, BUSY)), `busy: ${id}`).toBe(true);
    }
    await expectSettledInDoubt(second, crash);
  }, 40_000);

  it('a restart after the takeover window settles the dead claims at once, each effect once', async () => {
    const crash = await crashMidEffects();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, crash.lastClaimAt + TAKEOVER_MS + 100 - Date.now())));
    const second = await start();
    await expectEachEffectOnce(crash);
    expect(second.logs.filter((l) => l.msg === BUSY)).toEqual([]);
    await expectSettledInDoubt(second, crash);
  }, 40_000);
});

describe('pagerduty effects with two replicas', () => {
  it('announces, notes, resolves and approves each request once', async () => {
    const replicas = await Promise.all([start(), start()]);
    const notified = await Promise.all([1, 2, 3].map((n) => nora.createAccessRequest({ roles: ['prodaccess'], reason: `replicas ${n}` })));
    // Alice is on call: both replicas decide to approve; the server takes one review.
    const onCall = await t.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'replicas on call' });
    await Promise.all(notified.map((r) => recordedIncident(r.id)));
    await Promise.all(notified.map((r) => t.reviewer.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' })));
    const ids = [...notified.map((r) => r.id), onCall.id];
    const incidents = await Promise.all(ids.map(settledApproved));
    await t.waitForPluginData(onCall.id, (d) => d['approval'] === 'approved');

    for (const [n, id] of ids.entries()) {
      const incidentId = incidents[n]!;
      expect(incidentsOf(id)).toHaveLength(1);
      expect(createCalls(id)).toHaveLength(1);
      expect(noteCalls(incidentId)).toHaveLength(2);
      expect(resolves(incidentId)).toHaveLength(1);
    }
    const approved = await t.server.admin.getAccessRequest(onCall.id);
    expect(approved.reviews.map((r) => r.author)).toEqual([PLUGIN_USER]);
    // Both replicas did work: the test is not one replica doing everything.
    for (const p of replicas) expect(p.logs.some((l) => l.msg === 'request handled' && ids.includes(String(l['requestId'])))).toBe(true);
  }, 40_000);
});

describe('pagerduty effects with a hung call', () => {
  it('the event deadline aborts the call, the event is retried and completes, and other requests go on meanwhile', async () => {
    const p = await start();
    t.pd.failNext(1, { stall: true }, { method: 'POST', path: '/incidents' });
    const hung = await nora.createAccessRequest({ roles: ['prodaccess'], reason: 'hangs' });
    const stalled = await t.pd.waitFor(() => createCalls(hung.id)[0], 5000, 'the hung create');
    const other = await nora.createAccessRequest({ roles: ['prodaccess'], reason: 'goes on' });
    await recordedIncident(other.id);
    // Handled while the hung call still held its request, well before the deadline.
    expect(incidentsOf(hung.id)).toHaveLength(0);
    expect(Date.now() - stalled.receivedAt).toBeLessThan(2000);

    const timedOut = await p.waitForLog((l) => forRequest(hung.id, 'request handling failed; will retry')(l) && l['outcome'] === 'timed_out', 10_000, 'the deadline');
    // data.signal reached the call: it was aborted at the deadline, not left to its own timeout.
    const aborted = await p.waitForLog((l) => forRequest(hung.id, 'PagerDuty plugin step failed')(l) && /aborted/i.test(String(l['err'])), 5000, 'the aborted call');
    expect(Date.parse(String(aborted['time'])) - Date.parse(String(timedOut['time']))).toBeLessThan(1000);
    await recordedIncident(hung.id);
    expect(incidentsOf(hung.id)).toHaveLength(1);
    expect(createCalls(hung.id)).toHaveLength(2);
  }, 30_000);
});
