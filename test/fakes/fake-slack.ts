/**
 * A faithful fake of the Slack Web API subset Gatehouse uses, for tests with the real
 * `@slack/web-api` client: `new WebClient(token, { slackApiUrl: fake.apiUrl() })`.
 *
 * Wire behaviour (as Slack does it):
 * - `POST` (or `GET`) `/api/<method>`; arguments from the query string and from a form-encoded
 *   body (what the SDK sends; nested values such as `blocks` arrive as JSON strings) or a JSON body.
 * - Token from `Authorization: Bearer` or, for form bodies only, the `token` field (Slack ignores a
 *   token inside a JSON body). Missing → `not_authed`, wrong → `invalid_auth`, after
 *   `revokeToken()` → `token_revoked`.
 * - Every API error is HTTP 200 `{ok: false, error, response_metadata?}`; unknown methods get
 *   `unknown_method` with `req_method`. JSON bodies without `charset` get the `missing_charset` warning.
 * - Injected 429s carry `Retry-After` and `{ok: false, error: 'ratelimited'}`.
 *
 * Choices where Slack is vague (documented so tests mean something):
 * - `thread_ts` not shaped like `123.456` → `invalid_thread_ts`; naming no message in the channel →
 *   `thread_not_found` (Slack does this for deleted/unknown parents; older behaviour silently posted).
 *   A reply's ts as `thread_ts` attaches to that reply's parent, as Slack flattens threads.
 * - `chat.update` keeps the old `text` / `blocks` when the argument is omitted; `blocks: []` clears them.
 * - `chat.update` needs a channel ID (`C…`, `G…`, `D…`), not a name or user ID, like Slack.
 * - `metadata` (`{event_type, event_payload}`, a JSON string in form bodies) is kept with the message;
 *   anything else → `invalid_metadata_format`. Reads: see `fake-slack-conversations.ts`.
 * - Each method needs its OAuth scope (`chat:write`, `users:read.email`, `channels:history`, …);
 *   a token without it gets `missing_scope` with `needed` and `provided`, as Slack answers.
 */
import { createHttpFakeServer, headerValue, isRecord } from './http-fake-server.ts';
import type { FailureMode, FailureScope, HttpFakeServer, RecordedRequest } from './http-fake-server.ts';
import { readBlocksArgument, validateBlocks } from './fake-slack-blocks.ts';
import { conversationMethods, slackFail as fail, slackOk as ok } from './fake-slack-conversations.ts';
import type { FakeConversation as Channel, FakeStoredMessage as StoredMessage, SlackArgs as Args, SlackMetadata, SlackResult } from './fake-slack-conversations.ts';

export const MAX_MESSAGE_TEXT = 40_000;

export interface FakeSlackUserSeed {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly realName?: string;
}

export interface FakeSlackChannelSeed {
  readonly id: string;
  readonly name: string;
  /** Whether the bot is in the channel; posting otherwise fails with `not_in_channel`. @default true */
  readonly isMember?: boolean;
}

export interface FakeSlackOptions {
  readonly token: string;
  readonly users?: readonly FakeSlackUserSeed[];
  readonly channels?: readonly FakeSlackChannelSeed[];
  /** @default { id: 'T0GATEHSE', name: 'Gatehouse Test', domain: 'gatehouse-test' } */
  readonly team?: { readonly id: string; readonly name: string; readonly domain: string };
  /** @default { userId: 'U0GATEBOT', botId: 'B0GATEBOT', name: 'gatehouse' } */
  readonly bot?: { readonly userId: string; readonly botId: string; readonly name: string };
  /** The token's OAuth scopes. @default ALL_SLACK_SCOPES */
  readonly scopes?: readonly string[];
}

/** Every scope a method of this fake needs. */
export const ALL_SLACK_SCOPES: readonly string[] = [
  'chat:write', 'users:read', 'users:read.email', 'im:write', 'channels:read', 'groups:read', 'im:read', 'mpim:read',
  'channels:history', 'groups:history', 'im:history', 'mpim:history',
];

/** A message as it stands now (after updates); thread replies have `threadTs`. */
export interface SlackMessageView {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly text: string;
  readonly blocks: readonly unknown[] | undefined;
  readonly updatedCount: number;
  /** The author's user ID; the bot's own user ID for messages the client posted. */
  readonly user: string;
  readonly metadata: SlackMetadata | undefined;
}

/** One successful `chat.update`, in call order. */
export interface SlackUpdateView {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: readonly unknown[] | undefined;
}

/** The shared fake-server controls (start, stop, requests, failures, waitFor) plus Slack's state. */
export interface FakeSlack extends Pick<HttpFakeServer, 'start' | 'stop' | 'requests' | 'failNext' | 'clearFailures' | 'waitFor'> {
  /** `http://127.0.0.1:<port>/api/`: pass as `slackApiUrl`. */
  apiUrl(): string;
  /** Scope by `{path: '/api/chat.postMessage'}` to fail one Slack method only. */
  failNext(count: number, mode: FailureMode, scope?: FailureScope): void;
  /** Messages in post order; `channel` may be an ID, `#name`, name, or a user ID (their DM). */
  messages(channel?: string): SlackMessageView[];
  updates(): SlackUpdateView[];
  /** Resolves with the first message (now or later) that matches. */
  waitForMessage(match: (message: SlackMessageView) => boolean, timeoutMs?: number): Promise<SlackMessageView>;
  addUser(user: FakeSlackUserSeed): void;
  addChannel(channel: FakeSlackChannelSeed): void;
  /** Posts as another user (e.g. a human), so `chat.update` on it fails with `cant_update_message`. */
  postAsUser(channel: string, userId: string, text: string): string;
  /** Every later call fails with `token_revoked`. */
  revokeToken(): void;
}

type Content =
  | { readonly kind: 'error'; readonly result: SlackResult }
  | { readonly kind: 'content'; readonly text: string | undefined; readonly blocks: readonly unknown[] | undefined; readonly hasAny: boolean };
/** The scope each write or lookup method needs (reads check theirs per conversation). */
const METHOD_SCOPES: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'users.lookupByEmail': 'users:read.email',
  'users.info': 'users:read',
  'conversations.open': 'im:write',
};

/** Creates an unstarted fake Slack. */
export function createFakeSlack(options: FakeSlackOptions): FakeSlack {
  const team = options.team ?? { id: 'T0GATEHSE', name: 'Gatehouse Test', domain: 'gatehouse-test' };
  const bot = options.bot ?? { userId: 'U0GATEBOT', botId: 'B0GATEBOT', name: 'gatehouse' };
  const users = new Map<string, FakeSlackUserSeed>();
  const channels = new Map<string, Channel>();
  const messages: StoredMessage[] = [];
  const updates: SlackUpdateView[] = [];
  let revoked = false;
  let lastTsMicros = 0;
  let nextConversation = 1;

  const addUser = (user: FakeSlackUserSeed): void => void users.set(user.id, user);
  const addChannel = (seed: FakeSlackChannelSeed): void =>
    void channels.set(seed.id, { id: seed.id, name: seed.name, kind: 'channel', members: [], isMember: seed.isMember ?? true });
  options.users?.forEach(addUser);
  options.channels?.forEach(addChannel);

  const nextTs = (): string => {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 100);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  const openConversation = (memberIds: readonly string[]): { channel: Channel; existed: boolean } => {
    const kind = memberIds.length === 1 ? 'im' : 'mpim';
    const key = [...memberIds].sort().join(',');
    const existing = [...channels.values()].find((c) => c.kind === kind && [...c.members].sort().join(',') === key);
    if (existing !== undefined) return { channel: existing, existed: true };
    const id = `${kind === 'im' ? 'D' : 'G'}${String(nextConversation++).padStart(8, '0')}`;
    const channel: Channel = { id, name: undefined, kind, members: [...memberIds], isMember: true };
    channels.set(id, channel);
    return { channel, existed: false };
  };

  /** Resolves what `chat.postMessage` accepts as `channel`; user IDs open their DM. */
  const resolveChannel = (raw: string, openDm: boolean): Channel | undefined => {
    const byName = (name: string): Channel | undefined => [...channels.values()].find((c) => c.name === name);
    if (raw.startsWith('#')) return byName(raw.slice(1));
    const byId = channels.get(raw);
    if (byId !== undefined) return byId;
    if (users.has(raw)) {
      if (openDm) return openConversation([raw]).channel;
      return [...channels.values()].find((c) => c.kind === 'im' && c.members[0] === raw);
    }
    return /^[CGD][A-Z0-9]+$/.test(raw) ? undefined : byName(raw);
  };

  const userJson = (user: FakeSlackUserSeed): SlackResult => ({
    id: user.id,
    team_id: team.id,
    name: user.name,
    real_name: user.realName ?? user.name,
    deleted: false,
    is_bot: false,
    profile: { email: user.email, real_name: user.realName ?? user.name, display_name: user.name },
  });

  const scopes = new Set(options.scopes ?? ALL_SLACK_SCOPES);
  const needScope = (scope: string): SlackResult | undefined =>
    scopes.has(scope) ? undefined : { ...fail('missing_scope'), needed: scope, provided: [...scopes].join(',') };

  const messageJson = (m: StoredMessage, withMetadata = true): SlackResult => ({
    type: 'message',
    user: m.user,
    ...(m.user === bot.userId ? { bot_id: bot.botId, app_id: 'A0GATEHSE' } : {}),
    text: m.text,
    ts: m.ts,
    team: team.id,
    ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
    ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
    ...(m.metadata === undefined || !withMetadata ? {} : { metadata: m.metadata }),
  });

  /** Validates `text`/`blocks`/`attachments`; returns the error or the parsed content. */
  const readContent = (args: Args): Content => {
    const text = stringArg(args, 'text');
    const blocksArg = readBlocksArgument(args['blocks']);
    if (blocksArg.kind === 'malformed') return { kind: 'error', result: fail('invalid_blocks_format') };
    const blocks = blocksArg.kind === 'blocks' ? blocksArg.blocks : undefined;
    if (blocks !== undefined) {
      const errors = validateBlocks(blocks);
      if (errors.length > 0) return { kind: 'error', result: fail('invalid_blocks', errors) };
    }
    const attachments = args['attachments'];
    const hasAttachments = attachments !== undefined && attachments !== '' && attachments !== '[]';
    if (text !== undefined && text.length > MAX_MESSAGE_TEXT) return { kind: 'error', result: fail('msg_too_long') };
    return { kind: 'content', text, blocks, hasAny: (text !== undefined && text !== '') || blocks !== undefined || hasAttachments };
  };

  const methods: Record<string, (args: Args) => SlackResult> = {
    'auth.test': () =>
      ok({ url: `https://${team.domain}.slack.com/`, team: team.name, user: bot.name, team_id: team.id, user_id: bot.userId, bot_id: bot.botId, is_enterprise_install: false }),

    'chat.postMessage': (args) => {
      const raw = stringArg(args, 'channel');
      if (raw === undefined || raw === '') return fail('channel_not_found');
      const channel = resolveChannel(raw, true);
      if (channel === undefined) return fail('channel_not_found');
      if (!channel.isMember) return fail('not_in_channel');
      const content = readContent(args);
      if (content.kind === 'error') return content.result;
      if (!content.hasAny) return fail('no_text');
      const metadata = readMetadata(args['metadata']);
      if (metadata === 'invalid') return fail('invalid_metadata_format');
      let threadTs = stringArg(args, 'thread_ts');
      if (threadTs === '') threadTs = undefined;
      if (threadTs !== undefined) {
        if (!/^\d+\.\d+$/.test(threadTs)) return fail('invalid_thread_ts', [`[ERROR] ${threadTs} is not a valid thread_ts`]);
        const parent = messages.find((m) => m.channel === channel.id && m.ts === threadTs);
        if (parent === undefined) return fail('thread_not_found');
        threadTs = parent.threadTs ?? parent.ts;
      }
      const message: StoredMessage = { channel: channel.id, ts: nextTs(), threadTs, user: bot.userId, metadata, text: content.text ?? '', blocks: content.blocks, updatedCount: 0 };
      messages.push(message);
      return ok({ channel: channel.id, ts: message.ts, message: messageJson(message) });
    },

    'chat.update': (args) => {
      const channelId = stringArg(args, 'channel');
      const ts = stringArg(args, 'ts');
      if (channelId === undefined || channelId === '') return fail('channel_not_found');
      if (ts === undefined || ts === '') return fail('invalid_arguments', ['[ERROR] missing required field: ts']);
      if (!channels.has(channelId)) return fail('channel_not_found');
      const message = messages.find((m) => m.channel === channelId && m.ts === ts);
      if (message === undefined) return fail('message_not_found');
      if (message.user !== bot.userId) return fail('cant_update_message');
      const content = readContent(args);
      if (content.kind === 'error') return content.result;
      if (!content.hasAny && args['blocks'] === undefined) return fail('no_text');
      if (content.text !== undefined) message.text = content.text;
      if (args['blocks'] !== undefined) message.blocks = content.blocks;
      message.updatedCount += 1;
      updates.push({ channel: message.channel, ts: message.ts, text: message.text, blocks: message.blocks });
      return ok({ channel: message.channel, ts: message.ts, text: message.text, message: messageJson(message) });
    },

    'users.lookupByEmail': (args) => {
      const email = stringArg(args, 'email');
      if (email === undefined || email === '') return fail('invalid_arguments', ['[ERROR] missing required field: email']);
      const user = [...users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
      return user === undefined ? fail('users_not_found') : ok({ user: userJson(user) });
    },

    'users.info': (args) => {
      const id = stringArg(args, 'user');
      if (id === undefined || id === '') return fail('invalid_arguments', ['[ERROR] missing required field: user']);
      const user = users.get(id);
      return user === undefined ? fail('user_not_found') : ok({ user: userJson(user) });
    },

    'conversations.open': (args) => {
      const existingId = stringArg(args, 'channel');
      if (existingId !== undefined && existingId !== '') {
        const channel = channels.get(existingId);
        return channel === undefined || channel.kind === 'channel' ? fail('channel_not_found') : ok({ channel: { id: channel.id }, no_op: true, already_open: true });
      }
      const ids = (stringArg(args, 'users') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (ids.length === 0) return fail('users_list_not_supplied');
      if (ids.length > 8) return fail('too_many_users');
      if (ids.some((id) => !users.has(id))) return fail('user_not_found');
      const { channel, existed } = openConversation(ids);
      return ok({ channel: { id: channel.id }, ...(existed ? { no_op: true, already_open: true } : {}) });
    },

    ...conversationMethods({ channels, messages, messageJson, needScope, stringArg }),
  };

  const handle = (request: RecordedRequest) => {
    const match = /^\/api\/([A-Za-z0-9._-]+)$/.exec(request.path);
    if (match === null) return { status: 404, body: 'Not Found' };
    const method = match[1] ?? '';
    const args: Args = {};
    for (const [key, values] of Object.entries(request.query)) args[key] = values[values.length - 1];
    if (isRecord(request.body)) Object.assign(args, request.body);
    const run = Object.hasOwn(methods, method) ? methods[method] : undefined;
    const scope = METHOD_SCOPES[method];
    const result = authenticate(request) ?? (scope === undefined ? undefined : needScope(scope)) ?? run?.(args) ?? { ...fail('unknown_method'), req_method: method };
    if (request.contentType === 'application/json' && !/charset=/i.test(headerValue(request.headers, 'content-type') ?? '')) {
      result['warning'] = 'missing_charset';
      const metadata = isRecord(result['response_metadata']) ? result['response_metadata'] : {};
      result['response_metadata'] = { ...metadata, warnings: ['missing_charset'] };
    }
    // Slack names the token's scopes on every answer (the SDK reads them into response_metadata.scopes).
    return { status: 200, headers: { 'X-OAuth-Scopes': [...scopes].join(',') }, body: result };
  };

  const authenticate = (request: RecordedRequest): SlackResult | undefined => {
    const header = headerValue(request.headers, 'authorization');
    const bearer = header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length).trim() : undefined;
    const formToken = request.contentType === 'application/x-www-form-urlencoded' && isRecord(request.body) ? request.body['token'] : undefined;
    const token = bearer ?? (typeof formToken === 'string' ? formToken : undefined);
    if (token === undefined || token === '') return fail('not_authed');
    if (token !== options.token) return fail('invalid_auth');
    return revoked ? fail('token_revoked') : undefined;
  };

  const server = createHttpFakeServer({
    handle,
    failureBody: (status) => (status === 429 ? fail('ratelimited') : fail('internal_error')),
  });

  const view = (m: StoredMessage): SlackMessageView => ({
    channel: m.channel,
    ts: m.ts,
    threadTs: m.threadTs,
    text: m.text,
    blocks: m.blocks,
    updatedCount: m.updatedCount,
    user: m.user,
    metadata: m.metadata,
  });
  const listMessages = (channel?: string): SlackMessageView[] => {
    if (channel === undefined) return messages.map(view);
    const resolved = resolveChannel(channel, false);
    return resolved === undefined ? [] : messages.filter((m) => m.channel === resolved.id).map(view);
  };

  return {
    start: () => server.start(),
    stop: () => server.stop(),
    apiUrl: () => `${server.url()}/api/`,
    requests: () => server.requests(),
    failNext: (count, mode, scope) => server.failNext(count, mode, scope),
    clearFailures: () => server.clearFailures(),
    messages: listMessages,
    updates: () => [...updates],
    waitFor: (probe, timeoutMs, description) => server.waitFor(probe, timeoutMs, description),
    waitForMessage: (match, timeoutMs) => server.waitFor(() => listMessages().find(match), timeoutMs, 'a matching Slack message'),
    addUser: (user) => {
      addUser(user);
      server.changed();
    },
    addChannel: (channel) => {
      addChannel(channel);
      server.changed();
    },
    postAsUser(channel, userId, text) {
      const resolved = resolveChannel(channel, true);
      if (resolved === undefined) throw new Error(`postAsUser: unknown channel ${channel}`);
      const message: StoredMessage = { channel: resolved.id, ts: nextTs(), threadTs: undefined, user: userId, metadata: undefined, text, blocks: undefined, updatedCount: 0 };
      messages.push(message);
      server.changed();
      return message.ts;
    },
    revokeToken() {
      revoked = true;
    },
  };
}

/** `metadata` as Slack reads it: absent, or `{event_type: non-empty string, event_payload: object}`. */
function readMetadata(raw: unknown): SlackMetadata | undefined | 'invalid' {
  if (raw === undefined || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return 'invalid';
    }
  }
  if (!isRecord(value)) return 'invalid';
  const { event_type: type, event_payload: payload } = value;
  if (typeof type !== 'string' || type === '' || !isRecord(payload)) return 'invalid';
  return { event_type: type, event_payload: payload };
}

/** Slack arguments are strings on the wire; JSON bodies may carry numbers or booleans. */
function stringArg(args: Args, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
