import { afterEach, describe, expect, it } from 'vitest';
import type { FakePagerDutyOptions } from '../../fakes/fake-pagerduty.ts';
import type { LogLine, PluginProcess } from '../../support/plugin-process.ts';
import { PD, PLUGIN_USER, forRequest, pdSeed, startPdHarness, type PdHarness } from './pagerduty-harness.ts';

let h: PdHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(extra: Partial<FakePagerDutyOptions> = {}): Promise<PdHarness> {
  h = await startPdHarness(pdSeed(extra));
  return h;
}

/** Waits for the plugin's skip line for this request and returns it. */
function skipped(p: PluginProcess, id: string): Promise<LogLine> {
  return p.waitForLog(forRequest(id, 'auto-approval skipped'), 10_000, `auto-approval skipped for ${id}`);
}

describe('pagerduty on-call auto-approval', () => {
  it('approves a request of a user on call, as the plugin, with a reason naming who is on call for what', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy2, escalationLevel: 2 }] });
    const plugin = await t.startPlugin();
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'incident INC-7' });
    const approved = await t.waitForRequest(request.id, (r) => r.state === 'APPROVED', 'APPROVED');
    expect(approved.reviews).toHaveLength(1);
    const review = approved.reviews[0]!;
    expect(review.author).toBe(PLUGIN_USER);
    expect(review.proposedState).toBe('APPROVED');
    expect(review.reason).toContain('Alice Example (alice@example.com)');
    expect(review.reason).toContain('on call for Service 2 (escalation level 2)');
    expect(review.reason).not.toContain('Service 1');
    expect(approved.resolvedBy).toBe(PLUGIN_USER);
    await t.waitForPluginData(request.id, (d) => d['approval'] === 'approved');
    // The on-call lookup filtered server-side with PagerDuty's array spelling.
    const oncalls = t.pd.requests().filter((r) => r.path === '/oncalls');
    expect(oncalls[0]?.query).toMatchObject({ 'user_ids[]': [PD.alice.id], 'escalation_policy_ids[]': [PD.policy1, PD.policy2] });
    await plugin.waitForLog((l) => l.msg === 'resolved incident' && l['requestId'] === request.id);
  });

  it('leaves a request pending when the user is not on call (only on a service the request does not name)', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy3 }, { userId: PD.bob.id, escalationPolicyId: PD.policy1 }] });
    const plugin = await t.startPlugin();
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    const line = await skipped(plugin, request.id);
    expect(line['skip']).toBe('not_on_call');
    expect(String(line['reason'])).toContain('alice@example.com is not on call now for Service 1, Service 2');
    expect(line['level']).toBe('info');
    const r = await t.server.admin.getAccessRequest(request.id);
    expect(r.state).toBe('PENDING');
    expect(r.reviews).toHaveLength(0);
    expect((await t.pluginData(request.id))['approval']).toBe('skip:not_on_call');
  });

  it('does not count an escalation level outside escalation_levels', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1, escalationLevel: 3 }] });
    const plugin = await t.startPlugin(t.config({ extra: '[pagerduty.auto_approve]\nescalation_levels = [1, 2]\n' }));
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    const line = await skipped(plugin, request.id);
    expect(line['skip']).toBe('level_not_allowed');
    expect(String(line['reason'])).toContain('only at escalation level(s) 3, not 1, 2');
    expect((await t.server.admin.getAccessRequest(request.id)).state).toBe('PENDING');
  });

  it('does not auto-approve a role outside roles, but does approve one inside', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] });
    const plugin = await t.startPlugin(t.config({ extra: '[pagerduty.auto_approve]\nroles = ["dbaccess"]\n' }));
    const prod = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    const line = await skipped(plugin, prod.id);
    expect(line['skip']).toBe('role_not_allowed');
    expect(String(line['reason'])).toContain('prodaccess');
    expect((await t.server.admin.getAccessRequest(prod.id)).state).toBe('PENDING');
    const both = await t.alice.createAccessRequest({ roles: ['prodaccess', 'dbaccess'] });
    expect((await skipped(plugin, both.id))['skip']).toBe('role_not_allowed');
    const db = await t.alice.createAccessRequest({ roles: ['dbaccess'] });
    await t.waitForRequest(db.id, (r) => r.state === 'APPROVED', 'dbaccess approved');
  });

  it('require_acknowledged_incident: pending without an acknowledged incident, approved with one', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] });
    const plugin = await t.startPlugin(t.config({ extra: '[pagerduty.auto_approve]\nrequire_acknowledged_incident = true\n' }));
    // An incident assigned to Alice but only triggered, and an acknowledged one on another service.
    const triggered = t.pd.addIncident({ title: 'disk full', serviceId: PD.service1 });
    const elsewhere = t.pd.addIncident({ title: 'elsewhere', serviceId: PD.service3 });
    t.pd.acknowledgeIncident(elsewhere.id);
    const first = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    const line = await skipped(plugin, first.id);
    expect(line['skip']).toBe('no_acknowledged_incident');
    expect((await t.server.admin.getAccessRequest(first.id)).state).toBe('PENDING');

    t.pd.acknowledgeIncident(triggered.id);
    const second = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    await t.waitForRequest(second.id, (r) => r.state === 'APPROVED', 'approved with an acknowledged incident');
    const query = t.pd.requests().filter((r) => r.path === '/incidents' && r.method === 'GET').at(-1)?.query;
    expect(query).toMatchObject({ 'statuses[]': ['acknowledged'], 'user_ids[]': [PD.alice.id] });
  });

  it('maps users whose PagerDuty email differs: the config table and the pagerduty_email trait', async () => {
    const t = await harness({
      users: [...pdSeed().users!, { id: 'PUDAVE1', name: 'Dave Example', email: 'dave@pd.example.com' }],
      onCalls: [
        { userId: PD.carol.id, escalationPolicyId: PD.policy1 },
        { userId: 'PUDAVE1', escalationPolicyId: PD.policy2 },
      ],
    });
    const carol = await t.server.userClient('carol', ['oncall'], { traits: { email: ['carol@corp.example.com'] } });
    const dave = await t.server.userClient('dave', ['oncall'], { traits: { pagerduty_email: ['dave@pd.example.com'], email: ['dave@corp.example.com'] } });
    const plugin = await t.startPlugin(t.config({ extra: '[pagerduty.auto_approve.user_emails]\ncarol = "carol.pd@example.com"\n' }));
    const c = await carol.createAccessRequest({ roles: ['prodaccess'] });
    const d = await dave.createAccessRequest({ roles: ['prodaccess'] });
    const approvedC = await t.waitForRequest(c.id, (r) => r.state === 'APPROVED', 'carol approved');
    expect(approvedC.reviews[0]!.reason).toContain('carol, PagerDuty user Carol Example (carol.pd@example.com), is on call for Service 1');
    const approvedD = await t.waitForRequest(d.id, (r) => r.state === 'APPROVED', 'dave approved');
    expect(approvedD.reviews[0]!.reason).toContain('Dave Example (dave@pd.example.com)');
    // A user with no usable email at all is skipped with the reason.
    const nobody = await t.server.userClient('nobody', ['oncall']);
    const n = await nobody.createAccessRequest({ roles: ['prodaccess'] });
    expect((await skipped(plugin, n.id))['skip']).toBe('no_email');
  });

  it('skips a requester whose email PagerDuty does not know', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] });
    const zed = await t.server.userClient('zed@example.com', ['oncall']);
    const plugin = await t.startPlugin();
    const request = await zed.createAccessRequest({ roles: ['prodaccess'] });
    const line = await skipped(plugin, request.id);
    expect(line['skip']).toBe('pd_user_not_found');
    expect(String(line['reason'])).toContain('zed@example.com (from the user name)');
    expect((await t.server.admin.getAccessRequest(request.id)).state).toBe('PENDING');
  });

  it('skips services PagerDuty does not have, and creates no incident on a missing notify service', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] });
    const ghost = await t.server.userClient('ghost@example.com', ['ghost-services']);
    t.pd.addUser({ name: 'Ghost', email: 'ghost@example.com' });
    const plugin = await t.startPlugin();
    await plugin.waitForLog((l) => l.msg === 'service credentials accepted' && String(l['service']).includes('missing "No Such'));
    const request = await ghost.createAccessRequest({ roles: ['prodaccess'] });
    const line = await skipped(plugin, request.id);
    expect(line['skip']).toBe('services_not_found');
    const data = await t.waitForPluginData(request.id, (d) => d['incident'] !== undefined);
    expect(data['incident']).toBe('skip:no PagerDuty service named "No Such Notifications"');
    expect(t.pd.incidents()).toHaveLength(0);
    expect((await t.server.admin.getAccessRequest(request.id)).state).toBe('PENDING');
  });

  it('follows on-call pagination: the qualifying on-call is on the second page', async () => {
    const filler = Array.from({ length: 100 }, (_, i) => ({ userId: PD.alice.id, escalationPolicyId: PD.policy1, escalationLevel: 4, scheduleId: `PSCH${String(i).padStart(3, '0')}` }));
    const t = await harness({ onCalls: [...filler, { userId: PD.alice.id, escalationPolicyId: PD.policy2, escalationLevel: 1 }] });
    await t.startPlugin(t.config({ extra: '[pagerduty.auto_approve]\nescalation_levels = [1, 2]\n' }));
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    const approved = await t.waitForRequest(request.id, (r) => r.state === 'APPROVED', 'approved from page 2');
    expect(approved.reviews[0]!.reason).toContain('Service 2 (escalation level 1)');
    const pages = t.pd.requests().filter((r) => r.path === '/oncalls').map((r) => r.query['offset']?.[0]);
    expect(pages).toEqual(['0', '100']);
  });

  it('with a threshold of 2 the plugin review alone does not approve; a human second review does', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] });
    const requester = await t.server.userClient('alice@example.com', ['oncall-2']);
    const plugin = await t.startPlugin();
    const request = await requester.createAccessRequest({ roles: ['prodaccess'] });
    const reviewed = await t.waitForRequest(request.id, (r) => r.reviews.length === 1, 'plugin review');
    expect(reviewed.state).toBe('PENDING');
    expect(reviewed.reviews[0]!.author).toBe(PLUGIN_USER);
    await plugin.waitForLog((l) => l.msg === 'submitted an on-call approval' && l['requestId'] === request.id && l['state'] === 'PENDING');
    await t.reviewer.submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: 'second pair of eyes' });
    const done = await t.waitForRequest(request.id, (r) => r.state === 'APPROVED', 'approved by the second review');
    expect(done.reviews.map((r) => r.author)).toEqual([PLUGIN_USER, 'rita']);
    // Both reviews became notes, then the incident was resolved.
    await plugin.waitForLog((l) => l.msg === 'resolved incident' && l['requestId'] === request.id);
    const incident = t.pd.incidents()[0]!;
    expect(t.pd.notes(incident.id).map((n) => n.content.split('\n')[0])).toEqual([
      expect.stringContaining(`${PLUGIN_USER} reviewed the request`),
      expect.stringContaining('rita reviewed the request'),
      'Access request has been approved by rita.',
    ]);
  });

  it('an operator rule denying the plugin review of prodaccess holds: refused once, logged, not retried', async () => {
    const t = await harness({ onCalls: [{ userId: PD.alice.id, escalationPolicyId: PD.policy1 }] });
    const restricted = await t.server.identityFile(PLUGIN_USER, ['access-plugin', 'access-plugin-reviewer', 'no-prod-review']);
    const plugin = await t.startPlugin(t.config({ identity: restricted }));
    const request = await t.alice.createAccessRequest({ roles: ['prodaccess'] });
    const refused = await plugin.waitForLog(forRequest(request.id, 'the server refused the on-call approval; not retrying'));
    expect(refused['code']).toBe('PERMISSION_DENIED');
    expect(String(refused['err'])).toContain('denied by role "no-prod-review"');
    const data = await t.waitForPluginData(request.id, (d) => d['approval'] !== undefined);
    expect(data['approval']).toMatch(/^refused:PERMISSION_DENIED/);
    await plugin.waitForLog((l) => l.msg === 'request handled' && l['requestId'] === request.id && l['outcome'] === 'ok');
    // A later event (a human review) does not make the plugin try again.
    await t.reviewer.submitAccessReview({ requestId: request.id, proposedState: 'DENIED', reason: 'not today' });
    await plugin.waitForLog((l) => l.msg === 'resolved incident' && l['requestId'] === request.id);
    const r = await t.server.admin.getAccessRequest(request.id);
    expect(r.state).toBe('DENIED');
    expect(r.reviews.map((x) => x.author)).toEqual(['rita']);
    expect(plugin.logs.filter(forRequest(request.id, 'the server refused the on-call approval; not retrying'))).toHaveLength(1);
    expect(plugin.logs.filter((l) => l.msg === 'request handling failed; will retry')).toHaveLength(0);
  });
});
