import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import type { Logger, WebClientOptions } from '@slack/web-api';
import { createFakeSlack } from './fake-slack.ts';
import type { FakeSlack } from './fake-slack.ts';

const TOKEN = 'xoxb-test-token';
const ALICE = { id: 'U0ALICE01', email: 'Alice@Example.com', name: 'alice' };
const BOB = { id: 'U0BOB0001', email: 'bob@example.com', name: 'bob' };

let slack: FakeSlack;

/** The SDK logs `[ERROR]` response metadata and retries at warn level; keep test output clean. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

beforeEach(async () => {
  slack = createFakeSlack({
    token: TOKEN,
    users: [ALICE, BOB],
    channels: [
      { id: 'C0ACCESS1', name: 'access-requests' },
      { id: 'C0PRIVATE', name: 'private-ops', isMember: false },
    ],
  });
  await slack.start();
});

afterEach(async () => {
  await slack.stop();
});

function client(token = TOKEN, extra: WebClientOptions = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.apiUrl(),
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
    logger: silentLogger,
    ...extra,
  });
}

async function platformError(call: Promise<unknown>): Promise<WebAPIPlatformError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof WebAPIPlatformError)) throw new Error(`expected a platform error, got ${String(error)}`);
  expect(error.code).toBe(ErrorCode.PlatformError);
  return error;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('fake Slack through @slack/web-api', () => {
  it('answers auth.test with the bot identity; the SDK sends a form body with a Bearer token', async () => {
    const result = await client().auth.test();
    expect(result).toMatchObject({ ok: true, team: 'Gatehouse Test', team_id: 'T0GATEHSE', user_id: 'U0GATEBOT', bot_id: 'B0GATEBOT' });
    const [request] = slack.requests();
    expect(request).toMatchObject({ method: 'POST', path: '/api/auth.test', contentType: 'application/x-www-form-urlencoded' });
    expect(request?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
  });

  it('posts to a channel by ID, #name and plain name, and to a user ID as a DM channel', async () => {
    const web = client();
    const byId = await web.chat.postMessage({ channel: 'C0ACCESS1', text: 'one' });
    const byHash = await web.chat.postMessage({ channel: '#access-requests', text: 'two' });
    const byName = await web.chat.postMessage({ channel: 'access-requests', text: 'three' });
    const dm = await web.chat.postMessage({ channel: ALICE.id, text: 'hi alice' });
    expect([byId.channel, byHash.channel, byName.channel]).toEqual(['C0ACCESS1', 'C0ACCESS1', 'C0ACCESS1']);
    expect(dm.channel).toMatch(/^D/);
    const again = await web.chat.postMessage({ channel: ALICE.id, text: 'again' });
    expect(again.channel).toBe(dm.channel);
    const tss = [byId.ts, byHash.ts, byName.ts, dm.ts, again.ts].map(String);
    expect(tss.every((ts) => /^\d{10}\.\d{6}$/.test(ts))).toBe(true);
    expect([...tss].sort()).toEqual(tss);
    expect(new Set(tss).size).toBe(5);
    expect(slack.messages('#access-requests').map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(slack.messages(ALICE.id).map((m) => m.text)).toEqual(['hi alice', 'again']);
    expect(byId.message).toMatchObject({ text: 'one', user: 'U0GATEBOT', bot_id: 'B0GATEBOT', ts: byId.ts });
  });

  it('receives blocks as a JSON string in the form body and stores them parsed', async () => {
    const blocks = [section('You have a new Role Request:'), { type: 'divider' }, { type: 'context', elements: [{ type: 'mrkdwn', text: '*Status*: ⏳ PENDING' }] }];
    await client().chat.postMessage({ channel: 'C0ACCESS1', text: 'fallback', blocks });
    const body = slack.requests().at(-1)?.body;
    expect(body).toMatchObject({ channel: 'C0ACCESS1', blocks: JSON.stringify(blocks) });
    expect(slack.messages()[0]?.blocks).toEqual(blocks);
  });

  it('threads replies under the parent and rejects unknown or malformed thread_ts', async () => {
    const web = client();
    const root = await web.chat.postMessage({ channel: 'C0ACCESS1', text: 'root' });
    const reply = await web.chat.postMessage({ channel: 'C0ACCESS1', thread_ts: String(root.ts), text: 'reply' });
    expect(reply.message).toMatchObject({ thread_ts: root.ts });
    // A reply's ts attaches to the same parent.
    await web.chat.postMessage({ channel: 'C0ACCESS1', thread_ts: String(reply.ts), text: 'reply 2' });
    expect(slack.messages('C0ACCESS1').map((m) => [m.text, m.threadTs])).toEqual([
      ['root', undefined],
      ['reply', root.ts],
      ['reply 2', root.ts],
    ]);
    const unknown = await platformError(web.chat.postMessage({ channel: 'C0ACCESS1', thread_ts: '1.000001', text: 'x' }));
    expect(unknown.data.error).toBe('thread_not_found');
    const malformed = await platformError(web.chat.postMessage({ channel: 'C0ACCESS1', thread_ts: 'nope', text: 'x' }));
    expect(malformed.data.error).toBe('invalid_thread_ts');
  });

  it('validates content like Slack: blocks, lengths, missing text, channels', async () => {
    const web = client();
    const post = (args: Record<string, unknown>) => platformError(web.apiCall('chat.postMessage', { channel: 'C0ACCESS1', ...args }));

    const longSection = await post({ blocks: [section('x'.repeat(3001))] });
    expect(longSection.data).toMatchObject({ error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] } });
    await expect(web.chat.postMessage({ channel: 'C0ACCESS1', text: 'ok', blocks: [section('x'.repeat(3000))] })).resolves.toMatchObject({ ok: true });

    const longHeader = await post({ blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] });
    expect(longHeader.data.response_metadata?.messages).toEqual(['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]']);
    const mrkdwnHeader = await post({ blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] });
    expect(mrkdwnHeader.data.error).toBe('invalid_blocks');
    const unknownType = await post({ blocks: [{ type: 'banner' }] });
    expect(unknownType.data.response_metadata?.messages).toEqual(['[ERROR] unsupported type: banner [json-pointer:/blocks/0/type]']);
    const tooMany = await post({ blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) });
    expect(tooMany.data.error).toBe('invalid_blocks');
    expect((await post({ blocks: '{not json' })).data.error).toBe('invalid_blocks_format');
    expect((await post({ text: 'a'.repeat(40_001) })).data.error).toBe('msg_too_long');
    expect((await post({})).data.error).toBe('no_text');
    expect((await post({ channel: 'C0NOPE', text: 'x' })).data.error).toBe('channel_not_found');
    expect((await post({ channel: '#nope', text: 'x' })).data.error).toBe('channel_not_found');
    expect((await post({ channel: 'U0NOBODY', text: 'x' })).data.error).toBe('channel_not_found');
    expect((await post({ channel: 'C0PRIVATE', text: 'x' })).data.error).toBe('not_in_channel');
    expect(slack.messages()).toHaveLength(1);
  });

  it('updates the bot’s own messages and refuses others', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: BOB.id, text: 'pending', blocks: [section('PENDING')] });
    const updated = await web.chat.update({ channel: String(posted.channel), ts: String(posted.ts), text: 'approved', blocks: [section('APPROVED')] });
    expect(updated).toMatchObject({ ok: true, channel: posted.channel, ts: posted.ts, text: 'approved' });
    expect(slack.messages(BOB.id)).toEqual([
      { channel: posted.channel, ts: posted.ts, threadTs: undefined, text: 'approved', blocks: [section('APPROVED')], updatedCount: 1, user: 'U0GATEBOT' },
    ]);
    expect(slack.updates()).toHaveLength(1);

    const missing = await platformError(web.chat.update({ channel: String(posted.channel), ts: '1.000001', text: 'x' }));
    expect(missing.data.error).toBe('message_not_found');
    const byUserId = await platformError(web.chat.update({ channel: BOB.id, ts: String(posted.ts), text: 'x' }));
    expect(byUserId.data.error).toBe('channel_not_found');
    const humanTs = slack.postAsUser('C0ACCESS1', ALICE.id, 'written by a human');
    const foreign = await platformError(web.chat.update({ channel: 'C0ACCESS1', ts: humanTs, text: 'x' }));
    expect(foreign.data.error).toBe('cant_update_message');
    const badBlocks = await platformError(web.chat.update({ channel: String(posted.channel), ts: String(posted.ts), blocks: [section('')] }));
    expect(badBlocks.data.error).toBe('invalid_blocks');
  });

  it('looks users up by email case-insensitively and opens DMs', async () => {
    const web = client();
    const found = await web.users.lookupByEmail({ email: 'alice@example.COM' });
    expect(found.user).toMatchObject({ id: ALICE.id, name: 'alice', profile: { email: ALICE.email } });
    const missing = await platformError(web.users.lookupByEmail({ email: 'nobody@example.com' }));
    expect(missing.data.error).toBe('users_not_found');
    const opened = await web.conversations.open({ users: ALICE.id });
    const reopened = await web.conversations.open({ users: ALICE.id });
    expect(opened.channel?.id).toMatch(/^D/);
    expect(reopened).toMatchObject({ channel: { id: opened.channel?.id }, already_open: true });
    expect((await platformError(web.conversations.open({ users: 'U0NOBODY' }))).data.error).toBe('user_not_found');
  });

  it('rejects bad credentials the way Slack does', async () => {
    expect((await platformError(client('xoxb-wrong').auth.test())).data.error).toBe('invalid_auth');
    // An empty token makes the SDK send no Authorization header at all.
    expect((await platformError(client('').auth.test())).data.error).toBe('not_authed');
    expect((await platformError(client().apiCall('admin.nothing.here'))).data).toMatchObject({ error: 'unknown_method', req_method: 'admin.nothing.here' });
    slack.revokeToken();
    expect((await platformError(client().auth.test())).data.error).toBe('token_revoked');
  });

  it('accepts JSON bodies with a Bearer token only, and warns about a missing charset', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${slack.apiUrl()}chat.postMessage`, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) => r.json() as Promise<unknown>);
    const viaHeader = await post({ 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` }, { channel: 'C0ACCESS1', blocks: [section('json')] });
    expect(viaHeader).toMatchObject({ ok: true, warning: 'missing_charset', message: { blocks: [section('json')] } });
    const tokenInBody = await post({ 'Content-Type': 'application/json; charset=utf-8' }, { token: TOKEN, channel: 'C0ACCESS1', text: 'x' });
    expect(tokenInBody).toEqual({ ok: false, error: 'not_authed' });
  });

  it('lets waitForMessage resolve when the message arrives later', async () => {
    const waiting = slack.waitForMessage((m) => m.text === 'later', 1000);
    setTimeout(() => void client().chat.postMessage({ channel: 'C0ACCESS1', text: 'later' }), 20);
    await expect(waiting).resolves.toMatchObject({ channel: 'C0ACCESS1', text: 'later' });
    await expect(slack.waitFor(() => false, 30, 'nothing')).rejects.toThrow('timed out after 30 ms waiting for nothing');
  });
});

describe('fake Slack failure injection and the SDK’s retries', () => {
  it('429 with Retry-After: the SDK waits that long, then retries (rejectRateLimitedCalls defaults to false)', async () => {
    slack.failNext(1, { status: 429, retryAfterSeconds: 1 }, { path: '/api/chat.postMessage' });
    const started = Date.now();
    const result = await client().chat.postMessage({ channel: 'C0ACCESS1', text: 'eventually' });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const requests = slack.requests();
    expect(requests.map((r) => r.injected)).toEqual([{ status: 429, retryAfterSeconds: 1 }, undefined]);
    expect(slack.messages()).toHaveLength(1);
  });

  it('429 body and header match Slack; rejectRateLimitedCalls surfaces WebAPIRateLimitedError', async () => {
    slack.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const raw = await fetch(`${slack.apiUrl()}auth.test`, { method: 'POST' });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });

    slack.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const error = await client(TOKEN, { rejectRateLimitedCalls: true }).auth.test().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 3 });
  });

  it('429 without Retry-After is not retried by the SDK', async () => {
    slack.failNext(1, { status: 429 });
    await expect(client().auth.test()).rejects.toThrow('Retry header did not contain a valid timeout');
    expect(slack.requests()).toHaveLength(1);
  });

  it('500 is retried by the SDK; persistent 500 ends as WebAPIHTTPError after the configured retries', async () => {
    slack.failNext(1, { status: 500 });
    await expect(client().auth.test()).resolves.toMatchObject({ ok: true });
    expect(slack.requests()).toHaveLength(2);

    slack.failNext(3, { status: 500 });
    const error = await client().auth.test().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIHTTPError);
    expect(error).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500, body: { ok: false, error: 'internal_error' } });
    expect(slack.requests()).toHaveLength(5);
  });

  it('a dropped connection and a slow answer (client timeout) are retried as request errors', async () => {
    slack.failNext(1, { dropConnection: true });
    await expect(client().auth.test()).resolves.toMatchObject({ ok: true });
    slack.failNext(1, { delayMs: 400 });
    await expect(client(TOKEN, { timeout: 100 }).auth.test()).resolves.toMatchObject({ ok: true });
    expect(slack.requests().map((r) => r.injected)).toEqual([{ dropConnection: true }, undefined, { delayMs: 400 }, undefined]);
  });

  it('scopes failures to one path and keeps instances independent', async () => {
    const other = createFakeSlack({ token: TOKEN });
    await other.start();
    try {
      slack.failNext(1, { status: 500 }, { path: '/api/chat.postMessage' });
      await client().auth.test();
      expect(slack.requests().at(-1)?.injected).toBeUndefined();
      const web = new WebClient(TOKEN, { slackApiUrl: other.apiUrl(), retryConfig: { retries: 0 }, logger: silentLogger });
      await expect(web.auth.test()).resolves.toMatchObject({ ok: true });
      expect(other.requests()).toHaveLength(1);
    } finally {
      await other.stop();
      await other.stop();
    }
    await expect(fetch(`${other.apiUrl()}auth.test`, { method: 'POST' })).rejects.toThrow();
  });
});

describe('fake Slack message metadata, history and scopes', () => {
  const metadata = (effect: string) => ({ event_type: 'gatehouse_access_request', event_payload: { effect } });

  it('keeps metadata with a message and returns it from history only when asked, newest first', async () => {
    const web = client();
    const first = await web.chat.postMessage({ channel: 'access-requests', text: 'one', metadata: metadata('a') });
    const second = await web.chat.postMessage({ channel: 'C0ACCESS1', text: 'two' });
    await web.chat.postMessage({ channel: 'C0ACCESS1', text: 'reply', thread_ts: String(first.ts), metadata: metadata('r') });
    const plain = await web.conversations.history({ channel: 'C0ACCESS1' });
    expect(plain.messages?.map((m) => [m.text, m.metadata])).toEqual([['two', undefined], ['one', undefined]]);
    const full = await web.conversations.history({ channel: 'C0ACCESS1', include_all_metadata: true });
    expect(full.messages?.map((m) => [m.ts, m.metadata])).toEqual([[second.ts, undefined], [first.ts, metadata('a')]]);
    expect(slack.messages('C0ACCESS1')[0]?.metadata).toEqual(metadata('a'));

    const thread = await web.conversations.replies({ channel: 'C0ACCESS1', ts: String(first.ts), include_all_metadata: true });
    expect(thread.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([['one', { effect: 'a' }], ['reply', { effect: 'r' }]]);
    expect((await platformError(web.conversations.replies({ channel: 'C0ACCESS1', ts: '1.000001' }))).data.error).toBe('thread_not_found');
  });

  it('rejects malformed metadata, and reads by conversation ID only', async () => {
    const web = client();
    const post = (meta: unknown) => platformError(web.apiCall('chat.postMessage', { channel: 'C0ACCESS1', text: 'x', metadata: meta }));
    expect((await post('{not json')).data.error).toBe('invalid_metadata_format');
    expect((await post({ event_type: '', event_payload: {} })).data.error).toBe('invalid_metadata_format');
    expect((await post({ event_type: 'x' })).data.error).toBe('invalid_metadata_format');
    expect(slack.messages()).toHaveLength(0);
    expect((await platformError(web.conversations.history({ channel: 'access-requests' }))).data.error).toBe('channel_not_found');
    expect((await platformError(web.conversations.history({ channel: ALICE.id }))).data.error).toBe('channel_not_found');
    expect((await platformError(web.conversations.history({ channel: 'C0PRIVATE' }))).data.error).toBe('not_in_channel');
    expect((await platformError(web.conversations.history({ channel: 'C0ACCESS1', oldest: 'yesterday' }))).data.error).toBe('invalid_ts_oldest');
    expect((await platformError(web.conversations.history({ channel: 'C0ACCESS1', cursor: 'bogus' }))).data.error).toBe('invalid_cursor');
  });

  it('bounds history by oldest/latest and pages it with cursors', async () => {
    const web = client();
    const ts: string[] = [];
    for (let i = 0; i < 5; i++) ts.push(String((await web.chat.postMessage({ channel: 'C0ACCESS1', text: `m${i}` })).ts));
    const since = await web.conversations.history({ channel: 'C0ACCESS1', oldest: ts[1]! });
    expect(since.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2']);
    const inclusive = await web.conversations.history({ channel: 'C0ACCESS1', oldest: ts[1]!, latest: ts[3]!, inclusive: true });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['m3', 'm2', 'm1']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await web.conversations.history({ channel: 'C0ACCESS1', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...(page.messages ?? []).map((m) => String(m.text)));
      expect(page.has_more).toBe(page.response_metadata?.next_cursor !== '');
      cursor = page.response_metadata?.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
  });

  it('lists channels and DMs by type, and reads a DM opened with conversations.open', async () => {
    const web = client();
    const dm = await web.chat.postMessage({ channel: ALICE.id, text: 'hello', metadata: metadata('dm') });
    const list = await web.conversations.list({ types: 'public_channel,private_channel' });
    expect(list.channels?.map((c) => c.name)).toEqual(['access-requests', 'private-ops']);
    const ims = await web.conversations.list({ types: 'im' });
    expect(ims.channels?.map((c) => [c.id, c.user])).toEqual([[dm.channel, ALICE.id]]);
    const opened = await web.conversations.open({ users: ALICE.id });
    const history = await web.conversations.history({ channel: String(opened.channel?.id), include_all_metadata: true });
    expect(history.messages?.map((m) => m.metadata?.event_payload)).toEqual([{ effect: 'dm' }]);
  });

  it('answers missing_scope with needed and provided when the token lacks a scope', async () => {
    const limited = createFakeSlack({ token: TOKEN, channels: [{ id: 'C0ACCESS1', name: 'access-requests' }], scopes: ['chat:write'] });
    await limited.start();
    try {
      const web = new WebClient(TOKEN, { slackApiUrl: limited.apiUrl(), retryConfig: { retries: 0 }, logger: silentLogger });
      await expect(web.chat.postMessage({ channel: 'C0ACCESS1', text: 'ok' })).resolves.toMatchObject({ ok: true });
      const history = await platformError(web.conversations.history({ channel: 'C0ACCESS1' }));
      expect(history.data).toMatchObject({ error: 'missing_scope', needed: 'channels:history', provided: 'chat:write' });
      expect((await platformError(web.conversations.list({}))).data).toMatchObject({ error: 'missing_scope', needed: 'channels:read' });
      expect((await platformError(web.users.lookupByEmail({ email: 'a@example.com' }))).data).toMatchObject({ error: 'missing_scope', needed: 'users:read.email' });
    } finally {
      await limited.stop();
    }
  });
});
