import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCloudClient, isApiError, isAuthError, isRateLimitError, type CloudClient } from 'jira.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeJira, type FakeJira, type FakeJiraOptions } from './fake-jira.ts';

const BOT = { accountId: 'bot-1', emailAddress: 'gatehouse-bot@example.com', displayName: 'Gatehouse Bot', apiToken: 'bot-token' };
const ALICE = { accountId: 'alice-1', emailAddress: 'alice@example.com', displayName: 'Alice Approver', apiToken: 'alice-token' };
const MALLORY = { accountId: 'mallory-1', emailAddress: 'mallory@example.com', displayName: 'Mallory', hideEmail: true };
const SECRET = 'whsec-test';

function doc(text: string) {
  return { type: 'doc' as const, version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
}

/** A webhook receiver on 127.0.0.1:0 recording raw bodies. */
async function startReceiver(): Promise<{ url: string; received: Received[]; stop: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://hook:s3cret@127.0.0.1:${port}/`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function client(url: string, email = BOT.emailAddress, apiToken = BOT.apiToken): CloudClient {
  return createCloudClient({ host: url, auth: { type: 'basic', email, apiToken }, onSchemaMismatch: 'throw' });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function waitUntil(probe: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function options(extra: Partial<FakeJiraOptions> = {}): FakeJiraOptions {
  return { users: [BOT, ALICE, MALLORY], projects: [{ key: 'GH', id: '10000', name: 'Gatehouse', issueTypes: ['Task', 'Access'] }], ...extra };
}

describe('fake Jira Cloud with the jira.js v6 client', () => {
  let fake: FakeJira;
  let jira: CloudClient;

  beforeEach(async () => {
    fake = createFakeJira(options());
    const { url } = await fake.start();
    jira = client(url);
  });
  afterEach(async () => {
    await fake.stop();
    await fake.stop();
  });

  async function createRequestIssue(summary = 'alice requested db-admin', labels = ['gatehouse']) {
    return jira.issues.createIssue({
      fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary, description: doc('Request ID: req-1'), labels },
      properties: [{ key: 'gatehouseRequestId', value: 'req-1' }],
    });
  }

  it('creates an issue with an ADF description, labels and a property', async () => {
    const created = await createRequestIssue();
    expect(created).toEqual({ id: expect.any(String), key: 'GH-1', self: `${fake.url}/rest/api/3/issue/${created.id}` });
    const issue = await jira.issues.getIssue({ issueIdOrKey: 'GH-1', properties: ['gatehouseRequestId'], fields: ['summary', 'labels', 'description', 'status'] });
    expect(issue.properties).toEqual({ gatehouseRequestId: 'req-1' });
    expect(issue.fields?.['labels']).toEqual(['gatehouse']);
    expect(issue.fields?.['description']).toEqual(doc('Request ID: req-1'));
    expect(issue.fields?.['status']).toMatchObject({ name: 'Pending', statusCategory: { key: 'new' } });
    expect(Object.keys(issue.fields ?? {}).sort()).toEqual(['description', 'labels', 'status', 'summary']);
    expect(await jira.issueProperties.getIssueProperty({ issueIdOrKey: created.id, propertyKey: 'gatehouseRequestId' })).toEqual({ key: 'gatehouseRequestId', value: 'req-1' });
    await jira.issueProperties.setIssueProperty({ issueIdOrKey: 'GH-1', propertyKey: 'gatehouse', body: { state: 'approved' } });
    expect(fake.issue('GH-1')).toMatchObject({ creatorId: BOT.accountId, descriptionText: 'Request ID: req-1', properties: { gatehouseRequestId: 'req-1', gatehouse: { state: 'approved' } } });
  });

  it('rejects a plain-string description on v3 and labels with spaces, as Jira does', async () => {
    const res = await fetch(`${fake.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${BOT.emailAddress}:${BOT.apiToken}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary: 's', description: 'plain text' } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errorMessages: [], errors: { description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' } });

    const error = await caught(jira.issues.createIssue({ fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary: 'x'.repeat(256), labels: ['two words'] } }));
    expect(isApiError(error) && error.status).toBe(400);
    expect(isApiError(error) && error.body).toEqual({
      errorMessages: [],
      errors: { summary: 'Summary must be less than 255 characters.', labels: "The label 'two words' contains spaces which is invalid." },
    });
    expect(fake.issues()).toHaveLength(0);
  });

  it('accepts a wiki string through v2, which is where jira.js v6 sends string descriptions', async () => {
    const created = await jira.issues.createIssue({ fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary: 'wiki', description: 'line one\nline two' } });
    expect(fake.requests().at(-1)).toMatchObject({ method: 'POST', path: '/rest/api/2/issue', status: 201 });
    const issue = await jira.issues.getIssue({ issueIdOrKey: created.key, fields: ['description'] });
    expect(issue.fields?.['description']).toMatchObject({ type: 'doc', version: 1 });
    expect(fake.issue(created.key)?.descriptionText).toBe('line one\nline two');
  });

  it('shows who transitioned in the changelog, with the comment in the same change', async () => {
    await createRequestIssue();
    fake.transitionAs(ALICE.accountId, 'GH-1', 'Approved', 'Reason: on call');
    const issue = await jira.issues.getIssue({ issueIdOrKey: 'GH-1', expand: 'changelog', fields: ['status', 'comment'] });
    const [history] = issue.changelog?.histories ?? [];
    expect(history?.author).toMatchObject({ accountId: ALICE.accountId, emailAddress: ALICE.emailAddress, displayName: ALICE.displayName });
    expect(history?.items).toEqual([{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'Pending', to: '10001', toString: 'Approved' }]);
    const [comment] = fake.comments('GH-1');
    expect(comment).toMatchObject({ authorId: ALICE.accountId, text: 'Reason: on call' });
    expect(comment?.created.getTime()).toBe(history?.created?.getTime());
    expect(issue.fields?.['status']).toMatchObject({ name: 'Approved' });

    fake.transitionAs(MALLORY.accountId, 'GH-1', 'Denied');
    const again = await jira.issues.getIssue({ issueIdOrKey: 'GH-1', expand: ['changelog'] });
    const newest = again.changelog?.histories?.[0];
    expect(newest?.author?.accountId).toBe(MALLORY.accountId);
    expect(newest?.author && 'emailAddress' in newest.author).toBe(false);
  });

  it('transitions through the API with a comment, and rejects an invalid transition id', async () => {
    const { id } = await createRequestIssue();
    const { transitions = [] } = await jira.issues.getTransitions({ issueIdOrKey: id });
    expect(transitions.map((t) => t.to?.name).sort()).toEqual(['Approved', 'Denied', 'Expired']);
    const approve = transitions.find((t) => t.to?.name === 'Approved');
    await jira.issues.doTransition({ issueIdOrKey: id, transition: { id: approve?.id ?? '' }, update: { comment: [{ add: { body: doc('Access request has been approved') } }] } });
    expect(fake.issue('GH-1')?.status).toBe('Approved');
    const { comments = [] } = await jira.issueComments.getComments({ issueIdOrKey: id });
    expect(comments).toHaveLength(1);
    expect(comments[0]?.author?.accountId).toBe(BOT.accountId);
    expect(comments[0]?.created?.getTime()).toBe(fake.issue('GH-1')?.histories[0]?.created.getTime());

    const error = await caught(jira.issues.doTransition({ issueIdOrKey: id, transition: { id: '999' } }));
    expect(isApiError(error) && error.body).toEqual({ errorMessages: ["Transition id '999' is not valid for this issue."], errors: {} });
    const missing = await caught(jira.issues.getIssue({ issueIdOrKey: 'GH-99' }));
    expect(isApiError(missing) && [missing.status, missing.body]).toEqual([404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} }]);
  });

  it('adds and lists comments with their authors, newest first on request', async () => {
    await createRequestIssue();
    const added = await jira.issueComments.addComment({ issueIdOrKey: 'GH-1', body: doc('first') });
    expect(added.author?.accountId).toBe(BOT.accountId);
    fake.commentAs(ALICE.accountId, 'GH-1', 'hi!\nReason:\n\nfoo');
    const page = await jira.issueComments.getComments({ issueIdOrKey: 'GH-1', orderBy: '-created' });
    expect(page.comments?.map((c) => c.author?.accountId)).toEqual([ALICE.accountId, BOT.accountId]);
    expect(page.total).toBe(2);
  });

  it('keeps comment properties: set on create, read back by /comment/list with expand=properties and by key', async () => {
    await createRequestIssue();
    const marked = await jira.issueComments.addComment({ issueIdOrKey: 'GH-1', body: doc('marked'), properties: [{ key: 'gatehouseEffect', value: { requestId: 'req-1', op: 'post' } }] });
    const plain = await jira.issueComments.addComment({ issueIdOrKey: 'GH-1', body: doc('plain') });
    expect(marked).not.toHaveProperty('properties');
    const ids = [Number(marked.id), Number(plain.id), 999_999];
    const withProps = await jira.issueComments.getCommentsByIds({ ids, expand: 'properties' });
    expect(withProps.values.map((c) => [c.id, c.properties])).toEqual([
      [marked.id, [{ key: 'gatehouseEffect', value: { requestId: 'req-1', op: 'post' } }]],
      [plain.id, []],
    ]);
    const without = await jira.issueComments.getCommentsByIds({ ids });
    expect(without.values.every((c) => c.properties === undefined)).toBe(true);
    expect(await jira.issueCommentProperties.getCommentProperty({ commentId: marked.id ?? '', propertyKey: 'gatehouseEffect' })).toEqual({ key: 'gatehouseEffect', value: { requestId: 'req-1', op: 'post' } });
    await jira.issueCommentProperties.setCommentProperty({ commentId: plain.id ?? '', propertyKey: 'note', body: { n: 1 } });
    expect((await jira.issueCommentProperties.getCommentPropertyKeys({ commentId: plain.id ?? '' })).keys?.map((k) => k.key)).toEqual(['note']);
    // The issue's own comment listings never carry properties, as in Jira.
    const listed = await jira.issueComments.getComments({ issueIdOrKey: 'GH-1' });
    expect(listed.comments?.every((c) => c.properties === undefined)).toBe(true);

    const badKey = await caught(jira.issueComments.addComment({ issueIdOrKey: 'GH-1', body: doc('x'), properties: [{ key: '', value: 1 }] }));
    expect(isApiError(badKey) && [badKey.status, badKey.body]).toEqual([400, { errorMessages: ['The property key must be between 1 and 255 characters long.'], errors: {} }]);
    const badIds = await caught(jira.issueComments.getCommentsByIds({ ids: Array.from({ length: 1001 }, (_, i) => i + 1) }));
    expect(isApiError(badIds) && badIds.status).toBe(400);
    expect(isApiError(await caught(jira.issueCommentProperties.getCommentProperty({ commentId: '999999', propertyKey: 'x' })))).toBe(true);
  });

  it('stalls matching calls on demand: before acting on them, or after', async () => {
    const { id } = await createRequestIssue();
    fake.failNext(1, { stall: true }, { method: 'POST', path: `/rest/api/3/issue/${id}/comment` });
    fake.failNext(1, { performThenStall: true }, { method: 'POST', path: /\/comment$/ });
    const lost = jira.issueComments.addComment({ issueIdOrKey: id, body: doc('never arrives') });
    const unanswered = jira.issueComments.addComment({ issueIdOrKey: id, body: doc('done, never answered') });
    lost.catch(() => undefined);
    unanswered.catch(() => undefined);
    // Other calls are not affected.
    expect((await jira.myself.getCurrentUser()).accountId).toBe(BOT.accountId);
    await waitUntil(() => fake.comments('GH-1').length === 1 && fake.requests().filter((r) => r.fault !== undefined).length === 2);
    expect(fake.comments('GH-1').map((c) => c.text)).toEqual(['done, never answered']);
    expect(fake.requests().filter((r) => r.fault !== undefined).map((r) => [r.fault, r.status])).toEqual([
      [{ stall: true }, undefined],
      [{ performThenStall: true }, undefined],
    ]);
  });

  it('searches with the enhanced endpoint: ids only by default, fields on request, token paging', async () => {
    for (const n of [1, 2, 3]) await createRequestIssue(`request ${n}`);
    await createRequestIssue('other', ['unrelated']);
    fake.transitionAs(ALICE.accountId, 'GH-2', 'Approved');

    const ids = await jira.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'project = GH AND labels = "gatehouse"' });
    expect(ids.issues).toHaveLength(3);
    expect(ids.issues?.every((i) => Object.keys(i).join() === 'id')).toBe(true);
    expect(ids.isLast).toBe(true);

    const jql = 'project = GH AND labels = "gatehouse" AND updated >= "-5m" ORDER BY updated DESC';
    const first = await jira.issueSearch.searchAndReconsileIssuesUsingJql({ jql, fields: ['summary', 'status'], maxResults: 2 });
    expect(first.issues?.map((i) => i.key)).toEqual(['GH-2', 'GH-3']);
    expect(first.issues?.[0]?.fields?.['status']).toMatchObject({ name: 'Approved' });
    expect(first.isLast).toBe(false);
    const second = await jira.issueSearch.searchAndReconsileIssuesUsingJqlPost({ jql, fields: ['summary'], maxResults: 2, nextPageToken: first.nextPageToken ?? '' });
    expect(second.issues?.map((i) => i.key)).toEqual(['GH-1']);
    expect(second).not.toHaveProperty('nextPageToken');
    expect(second.isLast).toBe(true);

    const pending = await jira.issueSearch.searchAndReconsileIssuesUsingJqlPost({ jql: 'project = GH AND status in ("Pending", Denied) ORDER BY key ASC', fields: ['labels'] });
    expect(pending.issues?.map((i) => i.key)).toEqual(['GH-1', 'GH-3', 'GH-4']);
    const future = await jira.issueSearch.searchAndReconsileIssuesUsingJql({ jql: `project = GH AND updated >= "${new Date(Date.now() + 120_000).toISOString().slice(0, 16).replace('T', ' ')}"` });
    expect(future.issues).toEqual([]);
  });

  it('rejects unbounded and invalid JQL, and answers the legacy search with 410 Gone', async () => {
    const unbounded = await caught(jira.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'ORDER BY updated DESC' }));
    expect(isApiError(unbounded) && [unbounded.status, unbounded.body]).toEqual([400, { errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'], errors: {} }]);
    const unknown = await caught(jira.issueSearch.searchAndReconsileIssuesUsingJqlPost({ jql: 'project = NOPE' }));
    expect(isApiError(unknown) && unknown.body).toEqual({ errorMessages: ["The value 'NOPE' does not exist for the field 'project'."], errors: {} });

    const auth = `Basic ${Buffer.from(`${BOT.emailAddress}:${BOT.apiToken}`).toString('base64')}`;
    for (const [method, path] of [['GET', '/rest/api/3/search?jql=project%20%3D%20GH'], ['POST', '/rest/api/3/search'], ['GET', '/rest/api/2/search']] as const) {
      const res = await fetch(`${fake.url}${path}`, { method, headers: { Authorization: auth, 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: '{"jql":"project = GH"}' } : {}) });
      expect(res.status).toBe(410);
      expect(((await res.json()) as { errorMessages: string[] }).errorMessages[0]).toMatch(/^The requested API has been removed\. Please migrate to the \/rest\/api\/3\/search\/jql API/);
    }
  });

  it('authenticates with email and API token; the wrong token is a 401', async () => {
    const me = await jira.myself.getCurrentUser();
    expect(me).toMatchObject({ accountId: BOT.accountId, emailAddress: BOT.emailAddress, displayName: BOT.displayName });
    const error = await caught(client(fake.url, BOT.emailAddress, 'wrong').myself.getCurrentUser());
    expect(isAuthError(error)).toBe(true);
    expect(isApiError(error) && error.body).toBe('Client must be authenticated to access this resource.');
    const anonymous = await fetch(`${fake.url}/rest/api/3/myself`);
    expect(anonymous.status).toBe(401);
    // Mallory has no API token: she can act in the UI (transitionAs) but not call the API.
    expect(isAuthError(await caught(client(fake.url, MALLORY.emailAddress, 'guess').myself.getCurrentUser()))).toBe(true);
  });

  it('describes the site: project, statuses per issue type, issue types, users', async () => {
    expect(await jira.projects.getProject({ projectIdOrKey: 'GH' })).toMatchObject({ id: '10000', key: 'GH', name: 'Gatehouse' });
    const statuses = await jira.projects.getAllStatuses({ projectIdOrKey: 'GH' });
    expect(statuses.map((t) => [t.name, t.statuses.map((s) => s.name)])).toEqual([
      ['Task', ['Pending', 'Approved', 'Denied', 'Expired']],
      ['Access', ['Pending', 'Approved', 'Denied', 'Expired']],
    ]);
    expect((await jira.issueTypes.getIssueAllTypes()).map((t) => t.name)).toEqual(['Task', 'Access']);
    expect((await jira.workflowStatuses.getStatuses()).map((s) => s.name)).toEqual(['Pending', 'Approved', 'Denied', 'Expired']);
    const mallory = await jira.users.getUser({ accountId: MALLORY.accountId });
    expect(mallory).toMatchObject({ accountId: MALLORY.accountId, displayName: 'Mallory' });
    expect(mallory).not.toHaveProperty('emailAddress');
    expect(isApiError(await caught(jira.projects.getProject({ projectIdOrKey: 'NOPE' })))).toBe(true);
  });

  it('fails on demand: 429 with Retry-After, 500, and slow answers', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 7 });
    fake.failNext(1, { status: 500 });
    const limited = await caught(jira.myself.getCurrentUser());
    expect(isRateLimitError(limited) && limited.retryAfterMs).toBe(7000);
    expect(isApiError(await caught(jira.myself.getCurrentUser()))).toBe(true);
    fake.failNext(1, { delayMs: 150 });
    const started = Date.now();
    await jira.myself.getCurrentUser();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(fake.requests().map((r) => r.status)).toEqual([429, 500, 200]);
  });
});

describe('fake Jira webhooks', () => {
  let fake: FakeJira | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

  afterEach(async () => {
    await fake?.stop();
    await receiver?.stop();
  });

  async function setUp(): Promise<{ fake: FakeJira; receiver: Awaited<ReturnType<typeof startReceiver>>; jira: CloudClient }> {
    receiver = await startReceiver();
    fake = createFakeJira(options({ webhooks: [{ url: receiver.url, secret: SECRET }] }));
    const { url } = await fake.start();
    return { fake, receiver, jira: client(url) };
  }

  it('delivers signed jira:issue_created and jira:issue_updated payloads with basic auth', async () => {
    const { fake, receiver, jira } = await setUp();
    const { key } = await jira.issues.createIssue({ fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary: 'req', description: doc('x') } });
    fake.transitionAs(ALICE.accountId, key, 'Approved', 'Reason: fine');
    await fake.webhooksIdle();

    expect(receiver.received).toHaveLength(2);
    for (const { headers, raw } of receiver.received) {
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
      const signature = Buffer.from(String(headers['x-hub-signature']));
      expect(signature.length === expected.length && timingSafeEqual(signature, expected)).toBe(true);
      expect(headers['x-atlassian-webhook-identifier']).toMatch(/^\d+$/);
      expect(headers['authorization']).toBe(`Basic ${Buffer.from('hook:s3cret').toString('base64')}`);
    }
    const [created, updated] = receiver.received.map((r) => JSON.parse(r.raw.toString('utf8')) as Record<string, unknown>);
    expect(created).toMatchObject({ webhookEvent: 'jira:issue_created', issue_event_type_name: 'issue_created', user: { accountId: BOT.accountId }, issue: { key, fields: { status: { name: 'Pending' } } } });
    expect(updated).toMatchObject({
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_generic',
      timestamp: expect.any(Number),
      user: { accountId: ALICE.accountId },
      issue: { key, fields: { status: { name: 'Approved' } } },
      changelog: { items: [{ field: 'status', fromString: 'Pending', toString: 'Approved' }] },
      comment: { author: { accountId: ALICE.accountId }, body: { type: 'doc' } },
    });
    expect(fake.deliveries().map((d) => [d.webhookEvent, d.outcome, d.status])).toEqual([
      ['jira:issue_created', 'delivered', 200],
      ['jira:issue_updated', 'delivered', 200],
    ]);
  });

  it('loses dropped deliveries and holds paused ones', async () => {
    const { fake, receiver, jira } = await setUp();
    fake.dropNextWebhooks(1);
    const { key } = await jira.issues.createIssue({ fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary: 'req' } });
    fake.pauseWebhooks();
    fake.commentAs(ALICE.accountId, key, 'looks fine');
    await fake.webhooksIdle();
    expect(receiver.received).toHaveLength(0);
    expect(fake.deliveries().map((d) => d.outcome)).toEqual(['dropped', 'pending']);
    fake.resumeWebhooks();
    await fake.webhooksIdle();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.raw.toString('utf8') ?? '{}')).toMatchObject({ issue_event_type_name: 'issue_commented', comment: { author: { accountId: ALICE.accountId } } });
  });

  it('retries a failing receiver with X-Atlassian-Webhook-Retry and the same identifier', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const flaky = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(seen.length < 3 ? 503 : 204).end();
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const hook = { url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/hook`, events: ['jira:issue_updated'] };
    fake = createFakeJira(options({ webhooks: [hook], webhookRetry: { delayMs: 5 } }));
    await fake.start();
    const { key } = await client(fake.url).issues.createIssue({ fields: { project: { key: 'GH' }, issuetype: { name: 'Task' }, summary: 'r' } });
    fake.commentAs(ALICE.accountId, key, 'c');
    await fake.webhooksIdle();
    await new Promise<void>((resolve) => flaky.close(() => resolve()));
    expect(seen.map((h) => h['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
    expect(new Set(seen.map((h) => h['x-atlassian-webhook-identifier'])).size).toBe(1);
    expect(seen[0]).not.toHaveProperty('x-hub-signature');
    expect(fake.deliveries().map((d) => [d.issueEventTypeName, d.outcome, d.status, d.attempts.map((a) => a.status)])).toEqual([['issue_commented', 'delivered', 204, [503, 503, 204]]]);
  });
});
