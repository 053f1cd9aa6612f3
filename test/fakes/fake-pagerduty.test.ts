import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api } from '@pagerduty/pdjs';
import type { APIResponse } from '@pagerduty/pdjs/build/src/api';
import { DUPLICATE_INCIDENT_KEY_ERROR, createFakePagerDuty } from './fake-pagerduty.ts';
import type { FakePagerDuty, FakePagerDutyOptions } from './fake-pagerduty.ts';

const KEY = 'pd-test-key';
const BOT = 'bot@example.com';

let pd: FakePagerDuty;

function seed(extra: Partial<FakePagerDutyOptions> = {}): FakePagerDutyOptions {
  return {
    apiKey: KEY,
    users: [
      { id: 'PUBOT01', name: 'Gatehouse Bot', email: BOT },
      { id: 'PUALICE', name: 'Alice Example', email: 'alice@example.com' },
      { id: 'PUBOB01', name: 'Bob Example', email: 'bob@example.com' },
      { id: 'PUCAROL', name: 'Carol Example', email: 'carol@example.com' },
    ],
    escalationPolicies: [
      { id: 'PEP0001', name: 'Policy 1' },
      { id: 'PEP0002', name: 'Policy 2' },
    ],
    services: [
      { id: 'PSNOTIF', name: 'Teleport Notifications' },
      { id: 'PSSVC01', name: 'Service 1', escalationPolicyId: 'PEP0001' },
      { id: 'PSSVC02', name: 'Service 2', escalationPolicyId: 'PEP0002' },
    ],
    onCalls: [
      { userId: 'PUALICE', escalationPolicyId: 'PEP0001', escalationLevel: 1 },
      { userId: 'PUALICE', escalationPolicyId: 'PEP0002', escalationLevel: 2, scheduleId: 'PSCHED1' },
      { userId: 'PUBOB01', escalationPolicyId: 'PEP0001', escalationLevel: 1 },
      { userId: 'PUCAROL', escalationPolicyId: 'PEP0001', escalationLevel: 1, start: '2999-01-01T00:00:00Z', end: '2999-01-08T00:00:00Z' },
    ],
    ...extra,
  };
}

beforeEach(async () => {
  pd = createFakePagerDuty(seed());
  await pd.start();
});

afterEach(async () => {
  await pd.stop();
});

/**
 * pdjs builds `https://${server}/${endpoint}`, so a local fake needs an absolute `url` per call.
 * `requestTimeout: 0` skips pdjs' no-op 30 s timer (it is never cleared on failures).
 */
function client(token = KEY) {
  return api({ token, requestTimeout: 0 });
}
const at = (path: string, fake: FakePagerDuty = pd): string => `${fake.url()}${path}`;

describe('fake PagerDuty through @pagerduty/pdjs', () => {
  it('authenticates with "Token token=" and answers 401 like PagerDuty otherwise (pdjs resolves, it does not throw)', async () => {
    const ok = await client().get('/abilities', { url: at('/abilities') });
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ abilities: ['teams', 'read_only_users', 'urgencies'] });
    const request = pd.requests()[0];
    expect(request?.headers).toMatchObject({
      authorization: `Token token=${KEY}`,
      accept: 'application/vnd.pagerduty+json;version=2',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(request?.headers['user-agent']).toMatch(/^pdjs\//);

    const denied = await client('wrong').get('/abilities', { url: at('/abilities') });
    expect(denied.status).toBe(401);
    expect(denied.data).toEqual({ error: { message: 'Invalid Credentials', code: 2006 } });
    const bare = await fetch(at('/users'));
    expect(bare.status).toBe(401);

    const me = await client().get('/users/me', { url: at('/users/me') });
    expect(me.status).toBe(400);
  });

  it('finds users and services by query (case-insensitive substring) and 404s unknown ids', async () => {
    const users = await client().get('/users', { url: at('/users'), data: { query: 'ALICE@example.com', limit: '100' } });
    expect(users.data).toMatchObject({ users: [{ id: 'PUALICE', type: 'user', email: 'alice@example.com', name: 'Alice Example' }], limit: 100, offset: 0, more: false, total: null });

    const services = await client().get('/services', { url: at('/services'), data: { query: 'service' } });
    expect(services.data.services.map((s: { name: string }) => s.name)).toEqual(['Service 1', 'Service 2']);
    const one = await client().get('/services/PSSVC01', { url: at('/services/PSSVC01') });
    expect(one.data.service).toMatchObject({ id: 'PSSVC01', escalation_policy: { id: 'PEP0001', type: 'escalation_policy_reference' } });
    const notif = await client().get('/services/PSNOTIF', { url: at('/services/PSNOTIF') });
    expect(notif.data.service.escalation_policy.id).toMatch(/^PE/);

    const missing = await client().get('/services/PNOPE00', { url: at('/services/PNOPE00') });
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({ error: { message: 'Not Found', code: 2100 } });
    const policy = await client().get('/escalation_policies/PEP0002', { url: at('/escalation_policies/PEP0002') });
    expect(policy.data.escalation_policy).toMatchObject({ id: 'PEP0002', name: 'Policy 2', services: [{ id: 'PSSVC02' }] });
  });

  it('lists on-calls with key[] filters, the current time window and classic pagination via response.next()', async () => {
    const data = { 'escalation_policy_ids[]': ['PEP0001', 'PEP0002'], limit: '2', total: 'true' };
    const first = await client().get('/oncalls', { url: at('/oncalls'), data });
    expect(first.data).toMatchObject({ limit: 2, offset: 0, more: true, total: 3 });
    expect(first.data.oncalls[0]).toEqual({
      escalation_policy: expect.objectContaining({ id: 'PEP0001', type: 'escalation_policy_reference' }),
      escalation_level: 1,
      schedule: null,
      user: expect.objectContaining({ id: 'PUALICE', type: 'user_reference', summary: 'Alice Example' }),
      start: null,
      end: null,
    });
    expect(first.next).toBeTypeOf('function');
    const second = (await first.next?.()) as APIResponse;
    expect(second.data).toMatchObject({ limit: 2, offset: 2, more: false });
    expect(second.data.oncalls).toHaveLength(1);
    expect(second.next).toBeUndefined();
    expect(pd.requests()[1]?.query).toMatchObject({ 'escalation_policy_ids[]': ['PEP0001', 'PEP0002'], offset: ['2'], limit: ['2'] });

    const alice = await client().get('/oncalls', { url: at('/oncalls'), data: { 'user_ids[]': ['PUALICE'], 'schedule_ids[]': ['PSCHED1'] } });
    expect(alice.data.oncalls.map((o: { escalation_level: number }) => o.escalation_level)).toEqual([2]);
    // Carol's shift is in the future: invisible now, visible in a window that covers it.
    const carolNow = await client().get('/oncalls', { url: at('/oncalls'), data: { 'user_ids[]': ['PUCAROL'] } });
    expect(carolNow.data.oncalls).toEqual([]);
    const carolLater = await client().get('/oncalls', { url: at('/oncalls'), data: { 'user_ids[]': ['PUCAROL'], since: '2999-01-02T00:00:00Z', until: '2999-01-03T00:00:00Z' } });
    expect(carolLater.data.oncalls).toHaveLength(1);
    // Without brackets PagerDuty does not see an array filter.
    const bare = await client().get('/oncalls', { url: at('/oncalls'), data: { user_ids: 'PUCAROL' } });
    expect(bare.data.oncalls).toHaveLength(3);
  });

  it('creates incidents only with a valid From header and refuses a duplicate open incident_key', async () => {
    const body = {
      incident: {
        type: 'incident',
        title: 'Access request from alice',
        incident_key: 'teleport-access-request/req-1',
        service: { id: 'PSSVC01', type: 'service_reference' },
        body: { type: 'incident_body', details: 'alice requested editor' },
      },
    };
    const noFrom = await client().post('/incidents', { url: at('/incidents'), data: body });
    expect(noFrom.status).toBe(400);
    expect(noFrom.data.error).toMatchObject({ message: 'Invalid Input Provided', code: 2001 });
    const strangerFrom = await client().post('/incidents', { url: at('/incidents'), data: body, headers: { From: 'nobody@example.com' } });
    expect(strangerFrom.status).toBe(400);

    const created = await client().post('/incidents', { url: at('/incidents'), data: body, headers: { From: BOT } });
    expect(created.status).toBe(201);
    expect(created.data.incident).toMatchObject({
      type: 'incident',
      title: 'Access request from alice',
      status: 'triggered',
      incident_key: 'teleport-access-request/req-1',
      service: { id: 'PSSVC01', type: 'service_reference' },
      assignments: [{ assignee: { id: 'PUALICE' } }, { assignee: { id: 'PUBOB01' } }],
    });
    expect(pd.incidents()).toMatchObject([{ serviceId: 'PSSVC01', details: 'alice requested editor', createdBy: BOT }]);

    const duplicate = await client().post('/incidents', { url: at('/incidents'), data: body, headers: { From: BOT } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.data.error.errors).toEqual([DUPLICATE_INCIDENT_KEY_ERROR]);

    const invalid = await client().post('/incidents', { url: at('/incidents'), data: { incident: { ...body.incident, service: { id: 'PSSVC01' } } }, headers: { From: BOT } });
    expect(invalid.status).toBe(400);
    const unknownService = await client().post('/incidents', { url: at('/incidents'), data: { incident: { ...body.incident, service: { id: 'PNOPE', type: 'service_reference' } } }, headers: { From: BOT } });
    expect(unknownService.status).toBe(400);

    pd.resolveIncident(String(created.data.incident.id));
    const again = await client().post('/incidents', { url: at('/incidents'), data: body, headers: { From: BOT } });
    expect(again.status).toBe(201);
  });

  it('adds notes and resolves incidents; a resolved incident refuses further status changes', async () => {
    const incident = pd.addIncident({ title: 't', serviceId: 'PSNOTIF', incidentKey: 'k' });
    const url = at(`/incidents/${incident.id}`);
    const note = await client().post(`/incidents/${incident.id}/notes`, { url: `${url}/notes`, data: { note: { content: 'Access request has been approved' } }, headers: { From: BOT } });
    expect(note.status).toBe(201);
    expect(note.data.note).toMatchObject({ content: 'Access request has been approved', user: { id: 'PUBOT01', type: 'user_reference' } });
    const emptyNote = await client().post('/x', { url: `${url}/notes`, data: { note: { content: '' } }, headers: { From: BOT } });
    expect(emptyNote.status).toBe(400);

    const resolved = await client().put(`/incidents/${incident.id}`, { url, data: { incident: { type: 'incident_reference', status: 'resolved' } }, headers: { From: BOT } });
    expect(resolved.status).toBe(200);
    expect(resolved.data.incident).toMatchObject({ status: 'resolved', assignments: [] });
    const twice = await client().put('/x', { url, data: { incident: { type: 'incident_reference', status: 'resolved' } }, headers: { From: BOT } });
    expect(twice.status).toBe(400);
    expect(twice.data.error.errors).toEqual(['Incident Already Resolved']);
    const noFrom = await client().put('/x', { url, data: { incident: { type: 'incident_reference', status: 'acknowledged' } } });
    expect(noFrom.status).toBe(400);

    const listed = await client().get('/x', { url: `${url}/notes` });
    expect(listed.data.notes.map((n: { content: string }) => n.content)).toEqual(['Access request has been approved']);
    expect(pd.notes(incident.id)).toHaveLength(1);
    expect(pd.incidents()[0]?.history.map((h) => [h.status, h.by])).toEqual([['triggered', 'fake'], ['resolved', BOT]]);
    expect((await client().get('/x', { url: at('/incidents/PINOPE1/notes') })).status).toBe(404);
  });

  it('lists incidents filtered by statuses[], service_ids[], user_ids[] and date range, paginated', async () => {
    const old = pd.addIncident({ title: 'old', serviceId: 'PSSVC01', createdAt: '2020-01-01T00:00:00Z' });
    const open = pd.addIncident({ title: 'open', serviceId: 'PSSVC01' });
    const other = pd.addIncident({ title: 'other', serviceId: 'PSSVC02' });
    pd.acknowledgeIncident(other.id);
    const list = (data: Record<string, string | string[]>) => client().get('/incidents', { url: at('/incidents'), data }).then((r) => r.data.incidents.map((i: { id: string }) => i.id));
    expect(await list({})).toEqual([open.id, other.id]);
    expect(await list({ date_range: 'all' })).toEqual([old.id, open.id, other.id]);
    expect(await list({ 'statuses[]': ['triggered', 'acknowledged'], 'service_ids[]': ['PSSVC01'] })).toEqual([open.id]);
    expect(await list({ 'statuses[]': ['acknowledged'] })).toEqual([other.id]);
    expect(await list({ 'user_ids[]': ['PUBOB01'], date_range: 'all' })).toEqual([old.id, open.id]);
    const page = await client().get('/incidents', { url: at('/incidents'), data: { date_range: 'all', limit: '1', offset: '1' } });
    expect(page.data).toMatchObject({ limit: 1, offset: 1, more: true, total: null });
    const bad = await client().get('/incidents', { url: at('/incidents'), data: { 'statuses[]': ['open'] } });
    expect(bad.status).toBe(400);
  });

  it('reflects runtime changes to on-calls and lets tests wait for incidents', async () => {
    const dave = pd.addUser({ name: 'Dave', email: 'dave@example.com' });
    pd.addOnCall({ userId: dave.id, escalationPolicyId: 'PEP0002' });
    const query = { url: at('/oncalls'), data: { 'user_ids[]': [dave.id] } };
    expect((await client().get('/oncalls', query)).data.oncalls).toHaveLength(1);
    expect(pd.removeOnCalls({ userId: dave.id })).toBe(1);
    expect((await client().get('/oncalls', query)).data.oncalls).toHaveLength(0);

    const waiting = pd.waitFor(() => pd.incidents().find((i) => i.title === 'later'), 1000, 'incident "later"');
    setTimeout(() => void client().post('/incidents', { url: at('/incidents'), headers: { From: BOT }, data: { incident: { type: 'incident', title: 'later', service: { id: 'PSSVC02', type: 'service_reference' } } } }), 20);
    await expect(waiting).resolves.toMatchObject({ status: 'triggered', serviceId: 'PSSVC02' });
  });
});

describe('pdjs quirks against the fake', () => {
  it('resource is null and all() breaks on a second page unless the URL contains ".com/<resource>"', async () => {
    const plain = await client().get('/oncalls', { url: at('/oncalls') });
    expect(plain.resource).toBeNull();
    await expect(client().all('/oncalls', { url: at('/oncalls'), data: { limit: '1' } })).rejects.toThrow(TypeError);

    const prefixed = createFakePagerDuty({ ...seed(), pathPrefix: '/api.pagerduty.com' });
    await prefixed.start();
    try {
      const response = await client().get('/oncalls', { url: at('/oncalls', prefixed) });
      expect(response.resource).toHaveLength(3);
      const all = await client().all('/oncalls', { url: at('/oncalls', prefixed), data: { limit: '1' } });
      expect(all.resource).toHaveLength(3);
      expect(prefixed.requests().map((r) => r.query['offset']?.[0])).toEqual([undefined, undefined, '1', '2']);
    } finally {
      await prefixed.stop();
    }
  });

  it('429: pdjs waits retryTimeout (default 20 s, ignores Retry-After) and retries 3 times, then resolves with the 429', async () => {
    pd.failNext(2, { status: 429, retryAfterSeconds: 60 });
    const recovered = await client().get('/abilities', { url: at('/abilities'), retryTimeout: 10 });
    expect(recovered.status).toBe(200);
    expect(pd.requests()).toHaveLength(3);

    pd.failNext(4, { status: 429 });
    const exhausted = await client().get('/abilities', { url: at('/abilities'), retryTimeout: 10 });
    expect(exhausted.status).toBe(429);
    expect(exhausted.data).toEqual({ error: { message: 'Rate Limit Exceeded', code: 2020 } });
    expect(pd.requests()).toHaveLength(7);
  });

  it('500 is neither retried nor thrown; a non-JSON body makes pdjs reject with the response, not an Error', async () => {
    pd.failNext(1, { status: 500 });
    const failed = await client().get('/abilities', { url: at('/abilities') });
    expect(failed.status).toBe(500);
    expect(failed.ok).toBe(false);
    expect(pd.requests()).toHaveLength(1);

    pd.failNext(1, { status: 502, body: '<html>Bad Gateway</html>' });
    const rejected: unknown = await client().get('/abilities', { url: at('/abilities') }).catch((e: unknown) => e);
    expect(rejected).not.toBeInstanceOf(Error);
    expect(rejected).toMatchObject({ status: 502 });
  });

  it('a dropped connection rejects; node-fetch’s `timeout` option (not requestTimeout) bounds a slow answer', async () => {
    pd.failNext(1, { dropConnection: true });
    await expect(client().get('/abilities', { url: at('/abilities') })).rejects.toThrow(/socket hang up|ECONNRESET/);
    pd.failNext(1, { delayMs: 500 }, { path: '/abilities' });
    await expect(client().get('/abilities', { url: at('/abilities'), timeout: 100 })).rejects.toMatchObject({ type: 'request-timeout' });
  });
});
