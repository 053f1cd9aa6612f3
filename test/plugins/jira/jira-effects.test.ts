/**
 * The Jira plugin's effects under the one effect protocol, through the real plugin process: a
 * kill -9 at every point of the first effect (creating the issue) and of the resolution (move the
 * issue, then comment), restarted at once and after the takeover window; two replicas on one
 * server; a Jira call that hangs. The fake Jira counts what was really done.
 */
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseClaim, type EffectClaim } from '../../../plugins/common/effect-claim.ts';
import { requestLabel } from '../../../plugins/jira/jira-plugin-data.ts';
import type { FakeJiraIssueSnapshot, FakeJiraRequest } from '../../fakes/fake-jira.ts';
import type { PluginProcess } from '../../support/plugin-process.ts';
import { ALICE, BOB, BOT, startJiraHarness, waitFor, type JiraHarness } from './jira-harness.ts';

/** Each test starts and kills plugin processes, which takes seconds each on a busy machine. */
const TEST_TIMEOUT_MS = 120_000;
/** Short windows, so takeovers and deadlines happen within the test. */
const WINDOWS = { timeoutMs: 3000, takeoverMs: 4000 };
/**
 * For the crashes and the hung call: a deadline that does not pass while the test sets things
 * up, even on a busy machine (before a kill, the plugin would settle its own effects itself),
 * and a window longer than that.
 */
const ROOMY_WINDOWS = { timeoutMs: 5000, takeoverMs: 6000 };
type Windows = typeof WINDOWS;

let h: JiraHarness;
const started: PluginProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  h = await startJiraHarness({ extraReplicas: 1 });
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
afterAll(async () => {
  await h?.close();
});

/** The webhook port of a second plugin process (the first one's is `h.webhookPort`). */
function secondPort(): number {
  const port = h.webhookPorts[1];
  if (port === undefined) throw new Error('the harness has no second webhook port');
  return port;
}

function configFor(windows: Windows, o: { port?: number; addr?: string } = {}): string {
  return h.config({ extra: `[runtime]\nevent_timeout = "${windows.timeoutMs}ms"\nclaim_takeover = "${windows.takeoverMs}ms"\n`, ...o });
}

async function start(windows: Windows = WINDOWS, port?: number): Promise<PluginProcess> {
  const p = h.spawnPlugin(configFor(windows, port === undefined ? {} : { port }));
  started.push(p);
  return h.pluginReady(p);
}

/**
 * A restart that is ready within moments of the crash: a plugin process booted beforehand (a
 * cold start takes seconds on a busy machine) whose connections to the server are held by a
 * relay until `restart()`. Until then it has reached nothing and done nothing.
 */
async function bootRestart(windows: Windows): Promise<{ restart: () => Promise<PluginProcess> }> {
  const [host, port] = [h.server.addr.slice(0, h.server.addr.lastIndexOf(':')), Number(h.server.addr.slice(h.server.addr.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let open = false;
  const forward = (socket: Socket): void => {
    const upstream = connect({ host, port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  };
  const relay = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.pause();
    if (open) forward(socket);
    else held.push(socket);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });
  const address = relay.address();
  const relayPort = typeof address === 'object' && address !== null ? address.port : 0;
  const p = h.spawnPlugin(configFor(windows, { port: secondPort(), addr: `127.0.0.1:${relayPort}` }));
  started.push(p);
  return {
    restart: () => {
      open = true;
      for (const socket of held.splice(0)) forward(socket);
      return h.pluginReady(p);
    },
  };
}

/** The key's claim once the plugin has made it. */
function claimed(requestId: string, key: string): Promise<EffectClaim> {
  return waitFor(async () => parseClaim((await h.pluginData(requestId))[key]), 10_000, `${key} of ${requestId} claimed`);
}

/** The key's recorded value once the plugin has settled it (no longer a claim). */
function settled(requestId: string, key: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(async () => {
    const value = (await h.pluginData(requestId))[key] ?? '';
    return value !== '' && parseClaim(value) === undefined ? value : undefined;
  }, timeoutMs, `${key} of ${requestId} recorded`);
}

const creates = (requestId: string): FakeJiraRequest[] =>
  h.jira.requests().filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue' && JSON.stringify(r.body).includes(requestLabel(requestId)));
const botMoves = (key: string, to: string): number =>
  h.jira.issue(key)?.histories.filter((x) => x.authorId === BOT.accountId && x.items.some((i) => i.field === 'status' && i.toString === to)).length ?? -1;
const commentsWith = (key: string, text: string): number => h.comments(key).filter((c) => c.text.includes(text)).length;

/** What one crash left behind: two creations and three resolutions cut short at their every point. */
interface Crash {
  /** The create call never reached Jira / reached it and was never answered. */
  readonly createLost: string;
  readonly createUnanswered: string;
  /** The move to Approved never reached Jira. */
  readonly moveLost: FakeJiraIssueSnapshot & { requestId: string };
  /** Moved; the comment reached Jira and was never answered. */
  readonly commentUnanswered: FakeJiraIssueSnapshot & { requestId: string };
  /** Moved; the comment never reached Jira. */
  readonly commentLost: FakeJiraIssueSnapshot & { requestId: string };
  /** The claims the dead plugin left (each can be taken over `takeoverMs` after it was made). */
  readonly claims: readonly EffectClaim[];
  /** Brings up the plugin that replaces the dead one. */
  readonly restart: () => Promise<PluginProcess>;
}

/** Starts a plugin, cuts five effects short (each after its claim) and kills the plugin with SIGKILL. */
async function crashEveryWay(windows: Windows): Promise<Crash> {
  const [first, { restart }] = await Promise.all([start(windows), bootRestart(windows)]);
  const toResolve = await Promise.all([0, 1, 2].map((i) => h.alice.createAccessRequest({ roles: ['prodaccess'], reason: `resolved into a crash ${i}` })));
  const [moveLost, commentUnanswered, commentLost] = await Promise.all(toResolve.map(async (r) => ({ ...(await h.waitForIssue(r.id)), requestId: r.id })));
  if (moveLost === undefined || commentUnanswered === undefined || commentLost === undefined) throw new Error('three issues expected');
  await Promise.all(toResolve.map((r) => settled(r.id, 'issue')));
  const seen = h.jira.requests().length;
  h.jira.failNext(1, { stall: true }, { method: 'POST', path: `/rest/api/3/issue/${moveLost.id}/transitions` });
  h.jira.failNext(1, { performThenStall: true }, { method: 'POST', path: `/rest/api/3/issue/${commentUnanswered.id}/comment` });
  h.jira.failNext(1, { stall: true }, { method: 'POST', path: `/rest/api/3/issue/${commentLost.id}/comment` });
  h.jira.failNext(1, { stall: true }, { method: 'POST', path: '/rest/api/3/issue' });
  h.jira.failNext(1, { performThenStall: true }, { method: 'POST', path: '/rest/api/3/issue' });

  const [a, b] = await Promise.all([
    h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'created into a crash' }),
    h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'created into a crash too' }),
    ...toResolve.map((r) => h.bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED', reason: 'fine' })),
  ]);
  if (a === undefined || b === undefined) throw new Error('two requests expected');
  await waitFor(() => h.jira.requests().slice(seen).filter((r) => r.fault !== undefined).length === 5, 10_000, 'the five calls cut short');
  const claims = await Promise.all([claimed(a.id, 'issue'), claimed(b.id, 'issue'), ...toResolve.map((r) => claimed(r.id, 'resolution'))]);
  // Killed while every call above is outstanding, before any deadline let the plugin redo one itself.
  expect(first.logs.filter((l) => l['outcome'] === 'timed_out')).toEqual([]);
  await first.kill();

  const lostCreate = h.jira.requests().slice(seen).find((r) => r.fault !== undefined && 'stall' in r.fault && r.path === '/rest/api/3/issue');
  const createLost = JSON.stringify(lostCreate?.body).includes(requestLabel(a.id)) ? a.id : b.id;
  return { createLost, createUnanswered: createLost === a.id ? b.id : a.id, moveLost, commentUnanswered, commentLost, claims, restart };
}

/** Every effect cut short is done exactly once, and recorded. */
async function expectEachDoneOnce(crash: Crash, restarted: PluginProcess): Promise<void> {
  const { createLost, createUnanswered, moveLost, commentUnanswered, commentLost } = crash;
  for (const id of [createLost, createUnanswered]) {
    const recorded = JSON.parse(await settled(id, 'issue')) as { id: string; key: string };
    expect(h.issuesOf(id).map((i) => ({ id: i.id, key: i.key }))).toEqual([recorded]);
  }
  // The lost call was made again; the unanswered one was found in Jira by its label, not repeated.
  expect(creates(createLost)).toHaveLength(2);
  expect(creates(createUnanswered)).toHaveLength(1);

  for (const issue of [moveLost, commentUnanswered, commentLost]) {
    expect(await settled(issue.requestId, 'resolution')).toBe('done:APPROVED');
    expect(h.jira.issue(issue.key)?.status).toBe('Approved');
    expect(botMoves(issue.key, 'Approved'), issue.key).toBe(1);
    expect(commentsWith(issue.key, 'Access request has been approved'), issue.key).toBe(1);
  }
  // The log lines may trail the plugin data the test saw: wait for the last of them first.
  const settledLines = [createUnanswered, commentUnanswered.requestId, createLost, moveLost.requestId, commentLost.requestId];
  for (const id of settledLines) await restarted.waitForLog((l) => l['requestId'] === id && typeof l.msg === 'string' && l.msg.startsWith('the effect left in doubt was'), 5000, `settled in doubt: ${id}`);
  const doneInDoubt = restarted.logs.filter((l) => l.msg === 'the effect left in doubt was done; recorded it').map((l) => l['requestId']);
  expect(doneInDoubt.sort()).toEqual([createUnanswered, commentUnanswered.requestId].sort());
  const notDone = restarted.logs.filter((l) => l.msg === 'the effect left in doubt was not done; doing it now').map((l) => l['requestId']);
  expect(notDone.sort()).toEqual([createLost, moveLost.requestId, commentLost.requestId].sort());
}

describe('jira plugin: effects across crashes, replicas and hung calls', () => {
  it('killed after each claim and restarted at once: the restart waits out the window, then does each effect exactly once', async () => {
    const crash = await crashEveryWay(ROOMY_WINDOWS);
    const restarted = await crash.restart();
    await expectEachDoneOnce(crash, restarted);
    // Claims of the dead process were busy (never done) until their window ended.
    const windowEnds = Math.min(...crash.claims.map((c) => c.at)) + ROOMY_WINDOWS.takeoverMs;
    const ready = Date.parse(String(restarted.logs.find((l) => l.msg === 'plugin is ready')?.time));
    expect(ready, 'the restart came up inside the window').toBeLessThan(windowEnds);
    expect(restarted.logs.some((l) => l['outcome'] === 'busy' && l['requestId'] === crash.createLost)).toBe(true);
    expect(h.issueOf(crash.createLost)?.created.getTime()).toBeGreaterThanOrEqual(windowEnds);
  }, TEST_TIMEOUT_MS);

  it('killed after each claim and restarted after the window: each effect exactly once', async () => {
    const crash = await crashEveryWay(ROOMY_WINDOWS);
    const lastClaim = Math.max(...crash.claims.map((c) => c.at));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastClaim + ROOMY_WINDOWS.takeoverMs - Date.now()) + 100));
    const restarted = await crash.restart();
    await expectEachDoneOnce(crash, restarted);
  }, TEST_TIMEOUT_MS);

  it('two replicas on one server, both sent every webhook: each effect once', async () => {
    const [a, b] = await Promise.all([start(), start(WINDOWS, secondPort())]);
    const all = await Promise.all([
      h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'replicas: resolved from the CLI' }),
      h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'replicas: self approval' }),
      h.frank.createAccessRequest({ roles: ['prodaccess'], reason: 'replicas: one of two reviews from the CLI' }),
      h.frank.createAccessRequest({ roles: ['prodaccess'], reason: 'replicas: one of two reviews from Jira' }),
    ]);
    const [resolved, selfApproved, announced, fromJira] = all;
    if (resolved === undefined || selfApproved === undefined || announced === undefined || fromJira === undefined) throw new Error('four requests expected');
    const issues = await Promise.all(all.map((r) => h.waitForIssue(r.id)));
    const [resolvedIssue, selfIssue, announcedIssue, jiraIssue] = issues;
    if (resolvedIssue === undefined || selfIssue === undefined || announcedIssue === undefined || jiraIssue === undefined) throw new Error('four issues expected');
    await Promise.all(all.map((r) => settled(r.id, 'issue')));

    await Promise.all([
      h.bob.submitAccessReview({ requestId: resolved.id, proposedState: 'APPROVED', reason: 'from the CLI' }),
      h.bob.submitAccessReview({ requestId: announced.id, proposedState: 'APPROVED', reason: 'first of two' }),
    ]);
    h.jira.transitionAs(ALICE.accountId, selfIssue.key, 'Approved', 'approving myself');
    h.jira.transitionAs(BOB.accountId, jiraIssue.key, 'Approved', 'Reason: first of two, from Jira');

    const [resolution, reviews, selfChange, jiraChange] = await Promise.all([settled(resolved.id, 'resolution'), settled(announced.id, 'reviews'), settled(selfApproved.id, 'change'), settled(fromJira.id, 'change')]);
    expect([resolution, reviews]).toEqual(['done:APPROVED', '1']);
    await h.jira.webhooksIdle();
    // Both replicas are done with every request: the loser of each claim looked again once the
    // winner's window had passed, and found the effect recorded.
    const revisions = await Promise.all(all.map(async (r) => ({ id: r.id, reason: r.reason, revision: (await h.server.admin.getAccessRequest(r.id)).revision })));
    await Promise.all(
      [a, b].flatMap((p) => revisions.map((r) => p.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === r.id && l['revision'] === r.revision, 15_000, `${r.reason} handled`))),
    );

    for (const r of all) expect(h.issuesOf(r.id), r.reason).toHaveLength(1);
    expect(botMoves(resolvedIssue.key, 'Approved')).toBe(1);
    expect(commentsWith(resolvedIssue.key, 'Access request has been approved')).toBe(1);
    expect(commentsWith(announcedIssue.key, 'The request is still pending')).toBe(1);
    expect(commentsWith(selfIssue.key, 'not taken as a review')).toBe(1);
    expect(botMoves(selfIssue.key, 'Pending')).toBe(1);
    expect(commentsWith(jiraIssue.key, 'recorded as their review')).toBe(1);
    expect(botMoves(jiraIssue.key, 'Pending')).toBe(1);
    expect((await h.server.admin.getAccessRequest(fromJira.id)).reviews).toHaveLength(1);
    expect([selfChange, jiraChange]).toEqual([h.jira.issue(selfIssue.key)?.histories.find((x) => x.authorId === ALICE.accountId)?.id, h.jira.issue(jiraIssue.key)?.histories.find((x) => x.authorId === BOB.accountId)?.id]);
  }, TEST_TIMEOUT_MS);

  it('a Jira call that hangs: the deadline aborts it, the request is retried and done once, and others go on meanwhile', async () => {
    const plugin = await start(ROOMY_WINDOWS);
    h.jira.failNext(1, { stall: true }, { method: 'POST', path: '/rest/api/3/issue' });
    const hung = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'its create hangs' });
    await waitFor(() => creates(hung.id).length === 1, 10_000, 'the hanging create');
    const other = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'created while the other hangs' });
    await h.waitForIssue(other.id);
    expect(plugin.logs.some((l) => l['requestId'] === hung.id && l['outcome'] === 'timed_out')).toBe(false);

    await plugin.waitForLog((l) => l['requestId'] === hung.id && l['outcome'] === 'timed_out', 10_000, 'the deadline');
    await settled(hung.id, 'issue');
    expect(h.issuesOf(hung.id)).toHaveLength(1);
    expect(creates(hung.id)).toHaveLength(2);
    await plugin.waitForLog((l) => l['requestId'] === hung.id && l['source'] === 'retry' && l['outcome'] === 'ok', 10_000, 'the retry');
    // The hung call was given up at the deadline: the retry found the create in doubt at once,
    // not still running.
    expect(plugin.logs.filter((l) => l['requestId'] === hung.id && l['outcome'] === 'busy')).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
