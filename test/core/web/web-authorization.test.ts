import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { renderIncidentDetails } from '../../../plugins/pagerduty/pagerduty-message.ts';
import { openSse } from '../../support/sse-reader.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { WebClient } from '../../support/web-client.ts';

/** Every route of the console decides as the gRPC API does, for the same people. */
describe('web console: authorization of every route', () => {
  let t: TestServer;
  let alice: GatehouseClient;
  const web: Record<string, WebClient> = {};
  let id = '';

  beforeAll(async () => {
    t = await startTestServer({ webListen: '127.0.0.1:0' });
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    alice = await t.userClient('alice', ['sres']);
    const people: Array<[string, string[]]> = [['alice', ['sres']], ['bob', ['access-reviewer']], ['carol', ['sres']], ['admin2', ['admin']]];
    for (const [name, roles] of people) {
      const c = new WebClient(t.server.webAddr, t.server.caPem);
      await c.signIn(await t.identityFile(name, roles));
      web[name] = c;
    }
    id = (await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'fix <b>prod</b> & "db"' })).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const w = (name: string): WebClient => {
    const c = web[name];
    if (!c) throw new Error(`no client ${name}`);
    return c;
  };

  it('shows a request to its requester, its reviewers and admins, not to others', async () => {
    const own = await w('alice').get(`/web/requests/${id}`);
    expect(own.status).toBe(200);
    expect(own.body).toContain('fix &lt;b&gt;prod&lt;/b&gt; &amp; &quot;db&quot;');
    expect(own.body).not.toContain('name="decision"');
    const reviewer = await w('bob').get(`/web/requests/${id}`);
    expect(reviewer.status).toBe(200);
    expect(reviewer.body).toContain('name="decision" value="APPROVED"');
    expect(reviewer.body).toContain('<strong>1</strong> more approval needed');
    const other = await w('carol').get(`/web/requests/${id}`);
    expect(other.status).toBe(403);
    expect(other.body).not.toContain('prod</b>');
    expect((await w('admin2').get(`/web/requests/${id}`)).status).toBe(200);
    expect((await w('bob').get('/web/requests/0190a6f8-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await w('bob').get('/web/requests/not-a-request')).status).toBe(400);
  });

  it('opens from the link the plugins build from web_console_url', async () => {
    const request = await alice.getAccessRequest(id);
    const text = renderIncidentDetails(request, `https://${t.server.webAddr}`);
    const link = new URL(/(https:\/\/\S+\/web\/requests\/\S+)/.exec(text)?.[1] ?? '');
    expect(link.host).toBe(t.server.webAddr);
    const page = await w('bob').get(link.pathname);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<code>${id}</code>`);
  });

  it('lists only what each may see, pending reviews first', async () => {
    const bob = await w('bob').get('/web/requests');
    expect(bob.body.indexOf(id)).toBeGreaterThan(bob.body.indexOf('Waiting for your review'));
    expect(bob.body.indexOf(id)).toBeLessThan(bob.body.indexOf('Your requests'));
    expect((await w('carol').get('/web/requests')).body).not.toContain(id);
    expect((await w('alice').get('/web/requests?state=pending&role=prodaccess&user=alice')).body).toContain(id);
    expect((await w('alice').get('/web/requests?state=denied')).body).not.toContain(id);
    const bad = await w('alice').get('/web/requests?state=bogus');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('state: expected one of');
    expect((await w('alice').get('/web/requests?after=%%%')).status).toBe(400);
  });

  it('refuses self-review, reviews without the CSRF token or from another origin, and then takes a good one', async () => {
    const selfReview = await w('alice').post(`/web/requests/${id}/review`, { _csrf: await w('alice').csrf(), decision: 'APPROVED' });
    expect(selfReview.status).toBe(403);
    expect(selfReview.body).toContain('users cannot review their own requests');
    const csrf = await w('bob').csrf();
    expect((await w('bob').post(`/web/requests/${id}/review`, { decision: 'APPROVED' })).status).toBe(403);
    expect((await w('bob').post(`/web/requests/${id}/review`, { _csrf: 'x'.repeat(32), decision: 'APPROVED' })).status).toBe(403);
    expect((await w('bob').post(`/web/requests/${id}/review`, { _csrf: csrf, decision: 'APPROVED' }, { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await w('carol').post(`/web/requests/${id}/review`, { _csrf: await w('carol').csrf(), decision: 'APPROVED' })).status).toBe(403);
    expect((await alice.getAccessRequest(id)).state).toBe('PENDING');
    const ok = await w('bob').post(`/web/requests/${id}/review`, { _csrf: csrf, decision: 'APPROVED', reason: 'on call' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/web/requests/${id}?done=APPROVED`);
    expect((await alice.getAccessRequest(id)).state).toBe('APPROVED');
    const page = await w('alice').get(`/web/requests/${id}`);
    expect(page.body).toContain(`gatehouse request assume ${id}`);
  });

  it('revokes for admins only', async () => {
    expect((await w('bob').get(`/web/requests/${id}`)).body).not.toContain('/revoke');
    expect((await w('bob').post(`/web/requests/${id}/revoke`, { _csrf: await w('bob').csrf() })).status).toBe(403);
    const adminPage = await w('admin2').get(`/web/requests/${id}`);
    expect(adminPage.body).toContain(`action="/web/requests/${id}/revoke"`);
    const res = await w('admin2').post(`/web/requests/${id}/revoke`, { _csrf: await w('admin2').csrf(), reason: 'done' });
    expect(res.status).toBe(303);
    expect((await alice.getAccessRequest(id)).state).toBe('REVOKED');
  });

  it('offers only the roles one may request, and creates through the same checks', async () => {
    const form = await w('alice').get('/web/requests/new');
    expect(form.body).toContain('value="prodaccess"');
    expect(form.body).not.toContain('value="admin"');
    const csrf = await w('alice').csrf();
    const denied = await w('alice').post('/web/requests', { _csrf: csrf, roles: 'admin', reason: 'please' });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('can not request role');
    const badDuration = await w('alice').post('/web/requests', { _csrf: csrf, roles: 'prodaccess', duration: 'forever' });
    expect(badDuration.status).toBe(400);
    expect((await w('alice').post('/web/requests', { roles: 'prodaccess' })).status).toBe(403);
    const created = await w('alice').post('/web/requests', { _csrf: csrf, roles: 'prodaccess', reason: 'from the web', duration: '2h' });
    expect(created.status).toBe(303);
    const newId = /\/web\/requests\/([0-9a-f-]{36})\?done=created/.exec(created.headers.location ?? '')?.[1] ?? '';
    const request = await alice.getAccessRequest(newId);
    expect(request.reason).toBe('from the web');
    expect(request.accessExpiresMs - request.createdMs).toBe(2 * 3600_000);
    expect((await w('admin2').get(`/web/audit?request=${newId}`)).body).toContain('access_request.create');
  });

  it('shows and exports the audit log only to those who may read it', async () => {
    expect((await w('alice').get('/web/audit')).status).toBe(403);
    expect((await w('alice').get('/web/audit/export')).status).toBe(403);
    const page = await w('admin2').get('/web/audit?type=access_request.review');
    expect(page.status).toBe(200);
    expect(page.body).toContain('access_request.review');
    expect(page.body).not.toContain('<code>access_request.create</code>');
    const exported = await w('admin2').get(`/web/audit/export?request=${id}`);
    expect(exported.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = exported.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; request_id: string });
    expect(lines.map((l) => l.type)).toEqual(['access_request.create', 'access_request.review', 'access_request.update']);
    expect(lines.every((l) => l.request_id === id)).toBe(true);
    expect((await w('admin2').get('/web/audit?since=yesterday')).status).toBe(400);
  });

  it('streams live updates only about requests the viewer may see', async () => {
    const bob = await openSse(t.server.webAddr, t.server.caPem, '/web/events?view=list', w('bob').cookie);
    const carol = await openSse(t.server.webAddr, t.server.caPem, '/web/events?view=list', w('carol').cookie);
    const nobody = await openSse(t.server.webAddr, t.server.caPem, '/web/events?view=list', '');
    try {
      expect(bob.status).toBe(200);
      expect(nobody.status).toBe(401);
      const created = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'live' });
      const seen = await bob.next((m) => m.event === 'request' && m.data.includes(created.id));
      const sections = (JSON.parse(seen.data) as { sections: Record<string, string | null> }).sections;
      expect(sections.review).toContain(`data-id="${created.id}"`);
      expect(sections.mine).toBeNull();
      // Carol's own request reaches her; Alice's, created before it, never did.
      const carolClient = await t.userClient('carol', ['sres']);
      const hers = await carolClient.createAccessRequest({ roles: ['prodaccess'] });
      await carol.next((m) => m.data.includes(hers.id));
      expect(carol.messages.some((m) => m.data.includes(created.id))).toBe(false);
      expect((await openSse(t.server.webAddr, t.server.caPem, `/web/events?request=${created.id}`, w('carol').cookie)).status).toBe(403);
    } finally {
      bob.close();
      carol.close();
      nobody.close();
    }
  });
});
