import { afterEach, describe, expect, it } from 'vitest';
import { runPluginCommand } from '../../support/plugin-process.ts';
import { BOT_EMAIL, MAIN, PD, SHORT_RUNTIME, forRequest, pdSeed, startPdHarness, type PdHarness } from './pagerduty-harness.ts';

let h: PdHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const incidentOf = (t: PdHarness, requestId: string) => t.pd.incidents().filter((i) => i.incidentKey === `gatehouse-access-request/${requestId}`);
const firstLines = (t: PdHarness, incidentId: string) => t.pd.notes(incidentId).map((n) => n.content.split('\n')[0]);

describe('pagerduty incidents', () => {
  it('creates one incident per request, notes each review, and on approval adds a closing note and resolves it', async () => {
    h = await startPdHarness();
    const t = h;
    const notifier = await t.server.userClient('nora', ['notify-only']);
    const plugin = await t.startPlugin(t.config({ pagerduty: '' }));
    const request = await notifier.createAccessRequest({ roles: ['prodaccess'], reason: 'INC-42: database on fire' });
    const incident = await t.pd.waitFor(() => incidentOf(t, request.id)[0], 10_000, 'incident');
    expect(incident).toMatchObject({ serviceId: PD.notify, status: 'triggered', createdBy: BOT_EMAIL, title: 'Access request from nora for prodaccess' });
    expect(incident.details).toContain('nora requested the role(s) prodaccess');
    expect(incident.details).toContain('Reason: INC-42: database on fire');
    expect(incident.details).toContain(`gatehouse request review ${request.id} --approve`);
    const data = await t.waitForPluginData(request.id, (d) => d['incident']?.startsWith('{') === true);
    expect(JSON.parse(data['incident']!)).toEqual({ id: incident.id, service: PD.notify });

    await t.reviewer.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'okay' });
    await t.pd.waitFor(() => t.pd.incidents().find((i) => i.id === incident.id && i.status === 'resolved'), 10_000, 'resolved');
    expect(t.pd.notes(incident.id).map((n) => n.content)).toEqual([expect.stringMatching(/^rita reviewed the request at .*\nResolution: APPROVED\.\nReason: okay$/), 'Access request has been approved by rita.\nReason: okay']);
    expect(t.pd.incidents().find((i) => i.id === incident.id)?.history.map((x) => [x.status, x.by])).toEqual([['triggered', BOT_EMAIL], ['resolved', BOT_EMAIL]]);
    await t.waitForPluginData(request.id, (d) => d['resolution'] === 'resolved:APPROVED' && d['notes'] === '1');
    // A notify-only request has no services annotation: no user or on-call lookups (the one
    // /users call is the start-up check of the From user).
    expect(t.pd.requests().filter((r) => r.path === '/oncalls')).toHaveLength(0);
    expect(t.pd.requests().filter((r) => r.path === '/users').map((r) => r.query['query'])).toEqual([[BOT_EMAIL]]);
    expect((await plugin.stop()).code).toBe(0);
  });

  it('resolves on denial and on expiry, each with its note', async () => {
    h = await startPdHarness();
    const t = h;
    const notifier = await t.server.userClient('nora', ['notify-only']);
    await t.startPlugin();
    const denied = await notifier.createAccessRequest({ roles: ['prodaccess'], reason: 'want it' });
    const expiring = await notifier.createAccessRequest({ roles: ['prodaccess'], reason: 'short lived', pendingTtlMs: 1000 });
    const di = await t.pd.waitFor(() => incidentOf(t, denied.id)[0], 10_000, 'incident of denied');
    const ei = await t.pd.waitFor(() => incidentOf(t, expiring.id)[0], 10_000, 'incident of expiring');
    await t.reviewer.submitAccessReview({ requestId: denied.id, proposedState: 'DENIED', reason: 'not okay' });
    await t.pd.waitFor(() => t.pd.incidents().find((i) => i.id === di.id && i.status === 'resolved'), 10_000, 'denied resolved');
    await t.pd.waitFor(() => t.pd.incidents().find((i) => i.id === ei.id && i.status === 'resolved'), 10_000, 'expired resolved');
    expect(t.pd.notes(di.id).at(-1)?.content).toBe('Access request has been denied by rita.\nReason: not okay');
    expect(firstLines(t, ei.id)).toEqual(['Access request has been expired.']);
  });

  it('across a plugin restart the incident is created once and resolved once', async () => {
    h = await startPdHarness(pdSeed({ onCalls: [] }));
    const t = h;
    const first = await t.startPlugin();
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'restart test' });
    const incident = await t.pd.waitFor(() => incidentOf(t, request.id)[0], 10_000, 'incident');
    await first.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id);
    expect((await first.stop()).code).toBe(0);

    // While the plugin is down: a review, and the approval.
    await t.reviewer.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'while down' });
    const second = await t.startPlugin();
    await t.pd.waitFor(() => t.pd.incidents().find((i) => i.id === incident.id && i.status === 'resolved'), 10_000, 'resolved after restart');
    await second.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['state'] === 'APPROVED');
    expect((await second.stop()).code).toBe(0);
    // A third start replays nothing.
    const third = await t.startPlugin();
    await third.waitForLog((l) => l.msg === 'reconciling existing requests');
    await third.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id);
    expect(incidentOf(t, request.id)).toHaveLength(1);
    expect(t.pd.requests().filter((r) => r.method === 'POST' && r.path === '/incidents')).toHaveLength(1);
    expect(t.pd.requests().filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(firstLines(t, incident.id)).toEqual([expect.stringContaining('rita reviewed the request'), 'Access request has been approved by rita.']);
  });

  it('killed while creating the incident, a restart finds it by the dedup key instead of creating another', async () => {
    h = await startPdHarness(pdSeed({ onCalls: [] }));
    const t = h;
    // Short windows: the dead process's claim is taken over within seconds.
    const config = t.config({ extra: SHORT_RUNTIME });
    const first = await t.startPlugin(config);
    t.pd.failNext(1, { delayMs: 1500 }, { method: 'POST', path: '/incidents' });
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'killed mid-create' });
    await t.pd.waitFor(() => t.pd.requests().find((r) => r.method === 'POST' && r.path === '/incidents'), 10_000, 'create in flight');
    await first.kill();
    await t.pd.waitFor(() => incidentOf(t, request.id)[0], 10_000, 'the slow create landed');
    const second = await t.startPlugin(config);
    await second.waitForLog(forRequest(request.id, 'the effect left in doubt was done; recorded it'), 30_000);
    expect(incidentOf(t, request.id)).toHaveLength(1);
    expect(t.pd.requests().filter((r) => r.method === 'POST' && r.path === '/incidents')).toHaveLength(1);
    await t.reviewer.submitAccessReview({ requestId: request.id, proposedState: 'DENIED' });
    await t.pd.waitFor(() => incidentOf(t, request.id)[0]?.status === 'resolved', 10_000, 'resolved');
    expect(incidentOf(t, request.id)).toHaveLength(1);
  }, 60_000);

  it('carries on from plugin data the previous version wrote: only the resolve was left', async () => {
    h = await startPdHarness();
    const t = h;
    const notifier = await t.server.userClient('nora', ['notify-only']);
    const request = await notifier.createAccessRequest({ roles: ['prodaccess'], reason: 'old data' });
    await t.reviewer.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'fine' });
    const incident = t.pd.addIncident({ title: 'old', serviceId: PD.notify, incidentKey: `gatehouse-access-request/${request.id}` });
    // The texts the plugin wrote before typed keys: its review note and closing note are on the incident.
    const old = { incident: JSON.stringify({ id: incident.id, service: PD.notify }), notes: '1', resolution: 'noted:APPROVED', approval: 'skip:not_on_call' };
    await t.server.admin.updatePluginData({ requestId: request.id, plugin: 'pagerduty', set: old, expect: {} });
    await t.startPlugin();
    await t.waitForPluginData(request.id, (d) => d['resolution'] === 'resolved:APPROVED');
    expect(t.pd.incidents().find((i) => i.id === incident.id)?.status).toBe('resolved');
    expect(t.pd.requests().filter((r) => r.method === 'POST')).toEqual([]);
    expect(await t.pluginData(request.id)).toMatchObject({ incident: old.incident, notes: '1', approval: 'skip:not_on_call' });
  });

  it('closes the incident of a deleted request with one note, found again by its dedup key', async () => {
    h = await startPdHarness();
    const t = h;
    const notifier = await t.server.userClient('nora', ['notify-only']);
    const plugin = await t.startPlugin();
    const request = await notifier.createAccessRequest({ roles: ['prodaccess'], reason: 'to be deleted' });
    const incident = await t.pd.waitFor(() => incidentOf(t, request.id)[0], 10_000, 'incident');
    await t.server.admin.deleteAccessRequest(request.id);
    await plugin.waitForLog(forRequest(request.id, 'resolved the incident of a deleted request'));
    expect(t.pd.incidents().find((i) => i.id === incident.id)?.status).toBe('resolved');
    expect(t.pd.notes(incident.id).map((n) => n.content)).toEqual(['Access request has been deleted.']);
  });

  it('survives rate limits (429 with Retry-After, beyond pdjs retries) and 500s', async () => {
    h = await startPdHarness(pdSeed({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] }));
    const t = h;
    await t.startPlugin();
    // pdjs re-sends a 429 three times on its own; the fourth 429 reaches the plugin, which waits Retry-After.
    t.pd.failNext(4, { status: 429, retryAfterSeconds: 1 }, { method: 'POST', path: '/incidents' });
    t.pd.failNext(2, { status: 500 }, { path: '/oncalls' });
    const started = Date.now();
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    await t.waitForRequest(request.id, (r) => r.state === 'APPROVED', 'approved despite 500s');
    const incident = await t.pd.waitFor(() => incidentOf(t, request.id)[0], 15_000, 'incident after 429s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await t.pd.waitFor(() => t.pd.incidents().find((i) => i.id === incident.id && i.status === 'resolved'), 10_000, 'resolved');
    expect(incidentOf(t, request.id)).toHaveLength(1);
  });
});

describe('gatehouse-pagerduty check and config', () => {
  it('check verifies the API key, the From user and that the services roles name exist', async () => {
    h = await startPdHarness();
    const t = h;
    // The seed roles name "No Such Notifications" and "No Such Service" (role ghost-services).
    const bad = await runPluginCommand(['check', '-c', t.config()], { main: MAIN });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^ok {4}identity: user "access-pagerduty"/m);
    expect(bad.stdout).toMatch(/^ok {4}access: roles access-plugin,access-plugin-reviewer include access-plugin, access-plugin-reviewer$/m);
    expect(bad.stderr).toContain('PagerDuty has no service named "No Such Notifications" (role ghost-services), "No Such Service" (role ghost-services)');

    await t.server.admin.deleteRole('ghost-services');
    const good = await runPluginCommand(['check', '-c', t.config()], { main: MAIN });
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('3 of 3 service(s) named by roles found');
    expect(good.stdout).toContain('all checks passed');

    const wrongKey = await runPluginCommand(['check', '-c', t.config({ apiKey: 'nope' })], { main: MAIN });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('rejected pagerduty.api_key (HTTP 401)');
    expect(wrongKey.stderr).not.toContain('nope');
    const started = await runPluginCommand(['start', '-c', t.config({ apiKey: 'nope' })], { main: MAIN });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('rejected pagerduty.api_key');
  });

  it('past the first call too, a PagerDuty that does not answer is waited for and one that refuses stops the plugin', async () => {
    h = await startPdHarness();
    const t = h;
    await t.server.admin.deleteRole('ghost-services');
    const config = t.config();

    // check: the user lookup answers 500 to both of its attempts: one line naming the step.
    t.pd.failNext(2, { status: 500 }, { path: '/users' });
    const down = await runPluginCommand(['check', '-c', config], { main: MAIN });
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^gatehouse-pagerduty check: pagerduty: unreachable error: cannot reach PagerDuty at \S+ to look up pagerduty.user_email .*HTTP 500/)]);

    // start: a service lookup whose connection drops is waited for, then the plugin gets ready.
    t.pd.failNext(2, { dropConnection: true }, { path: '/services' });
    const waited = await t.startPlugin(config);
    const retried = waited.logs.find((l) => l.msg === 'service not reachable, retrying');
    expect(String(retried?.['err'])).toMatch(/^cannot reach PagerDuty at \S+ to look up service "/);
    expect((await waited.stop()).code).toBe(0);

    // start: a 400 to the user lookup is a refusal that waiting cannot fix: exit 1, one line.
    t.pd.failNext(1, { status: 400 }, { path: '/users' });
    const refused = await runPluginCommand(['start', '-c', config], { main: MAIN, timeoutMs: 15_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('service error: PagerDuty at');
    expect(refused.stderr).toContain('refused to look up pagerduty.user_email gatehouse-bot@example.com');
  });

  it('refuses bad config with the key path, and prints a sample config that loads', async () => {
    h = await startPdHarness();
    const t = h;
    const bad = await runPluginCommand(['start', '-c', t.config({ pagerduty: 'colour = "blue"', extra: '[pagerduty.auto_approve]\nescalation_levels = [0]\n' })], { main: MAIN });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('pagerduty.colour: unknown key');
    expect(bad.stderr).toContain('pagerduty.auto_approve.escalation_levels.0: levels start at 1');
    const sample = await runPluginCommand(['configure'], { main: MAIN });
    expect(sample.code).toBe(0);
    expect(sample.stdout).toContain('[pagerduty]');
    expect(sample.stdout).toContain('escalation_levels');
  });
});
