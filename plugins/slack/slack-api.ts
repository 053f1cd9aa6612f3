import { LogLevel, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Logger } from 'pino';
import { TtlCache } from '../common/ttl-cache.ts';
import { withRetry, type RetryOptions } from '../common/with-retry.ts';
import type { Secret } from '../common/secret.ts';
import { isRetryableSlackError, isSlackRefusal, SlackCallInDoubt } from './slack-errors.ts';

export interface SlackApiOptions {
  token: Secret;
  apiUrl: string;
  log: Logger;
  /** Retry options (metrics hook); budgets default to 5 retries within 30 s. Each call brings its own signal. */
  retry: RetryOptions;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/** A message to post, named by the marker of its effect. */
export interface MarkedPost {
  /** A channel ID or name, or a user ID for their DM. */
  readonly channel: string;
  /** `<request id>/<key>/<op>`, kept in the message's metadata so `findMarked` can find it. */
  readonly marker: string;
  readonly text: string;
  readonly blocks?: KnownBlock[];
  /** Posts a reply in the thread under this message. */
  readonly threadTs?: string;
}

/** `event_type` of the metadata on every message the plugin posts. */
export const MESSAGE_EVENT_TYPE = 'gatehouse_access_request';
/** How far back (before the claim) `findMarked` looks, for clock skew between hosts. */
const FIND_SKEW_MS = 10 * 60_000;
/** How many pages of 200 messages `findMarked` reads before giving up. */
const FIND_MAX_PAGES = 25;
const CONVERSATION_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** How long an email -> user id lookup is trusted. */
const LOOKUP_TTL_MS = 10 * 60_000;

/**
 * The Slack Web API calls the plugin makes, over `@slack/web-api` with its own retries turned
 * off: ours honour `Retry-After`, back off with jitter, and give up within a time budget so the
 * runtime can re-queue the work instead of holding a slot. Every call takes the signal of the
 * event it serves, and aborts its HTTP request when that signal fires (the event deadline).
 */
export class SlackApi {
  readonly #options: SlackApiOptions;
  readonly #retry: RetryOptions;
  readonly #now: () => number;
  /** The SDK takes no per-call signal, so each signal gets its own (cheap) client whose fetch honours it. */
  readonly #clients = new WeakMap<AbortSignal, WebClient>();
  readonly #sdkLog: SlackLogger;
  readonly #userIds: TtlCache<string | undefined>;

  constructor(options: SlackApiOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sdkLog = sdkLogger(options.log.child({ component: 'slack-sdk' }));
    this.#userIds = new TtlCache(this.#now);
    this.#retry = {
      retries: 5,
      maxElapsedMs: 30_000,
      ...options.retry,
      isRetryable: isRetryableSlackError,
      retryAfterMs: (err) => (err instanceof WebAPIRateLimitedError ? err.retryAfter * 1000 : undefined),
    };
  }

  #client(signal: AbortSignal): WebClient {
    let client = this.#clients.get(signal);
    if (client === undefined) {
      client = new WebClient(this.#options.token.reveal(), {
        slackApiUrl: this.#options.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: this.#options.timeoutMs ?? 10_000,
        logLevel: LogLevel.ERROR,
        logger: this.#sdkLog,
        allowAbsoluteUrls: false,
        fetch: (url, init) => fetch(url, { ...init, signal: init?.signal === undefined ? signal : AbortSignal.any([init.signal, signal]) }),
      });
      this.#clients.set(signal, client);
    }
    return client;
  }

  #retryWith(signal: AbortSignal, retry: RetryOptions = {}): RetryOptions {
    return { ...this.#retry, ...retry, signal };
  }

  /** `auth.test`: who the token is, and its scopes when Slack names them (`x-oauth-scopes`). */
  async authTest(signal: AbortSignal, retry: RetryOptions = {}): Promise<{ team: string; teamId: string; user: string; userId: string; scopes: readonly string[] | undefined }> {
    const res = await withRetry(() => this.#client(signal).auth.test(), this.#retryWith(signal, retry));
    return { team: res.team ?? '', teamId: res.team_id ?? '', user: res.user ?? '', userId: res.user_id ?? '', scopes: res.response_metadata?.scopes };
  }

  /** The Slack user id of an email, or undefined when no user has it (`users_not_found`). Cached. */
  async lookupUserId(email: string, signal: AbortSignal): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.#userIds.get(key);
    if (cached !== undefined) return cached.value;
    let id: string | undefined;
    try {
      const res = await withRetry(() => this.#client(signal).users.lookupByEmail({ email }), this.#retryWith(signal));
      id = res.user?.id;
      if (typeof id !== 'string' || id === '') throw new Error('users.lookupByEmail answered without a user id');
    } catch (err) {
      if (!(err instanceof WebAPIPlatformError && err.data.error === 'users_not_found')) throw err;
      id = undefined;
    }
    this.#userIds.set(key, id, LOOKUP_TTL_MS);
    return id;
  }

  /**
   * `chat.postMessage` with the post's marker in the message's metadata. An attempt whose outcome
   * is unknown (no answer, a 5xx) is not simply repeated, which could post twice: the message is
   * first looked for by its marker, and posted again only if it is not there.
   * @throws SlackCallInDoubt when an attempt may have posted and no later look settled it; a
   *   refusal (`channel_not_found`, a rate limit past the budget) as Slack's error.
   */
  async postMessage(post: MarkedPost, signal: AbortSignal): Promise<PostedMessage> {
    const startedAt = this.#now();
    let inDoubt = false;
    try {
      return await withRetry(async () => {
        if (inDoubt) {
          const found = await this.findMarked(post.channel, post.marker, startedAt, signal, post.threadTs);
          if (found !== undefined) return found;
        }
        try {
          const res = await this.#client(signal).chat.postMessage({
            channel: post.channel,
            text: post.text,
            metadata: { event_type: MESSAGE_EVENT_TYPE, event_payload: { effect: post.marker } },
            ...(post.blocks === undefined ? {} : { blocks: post.blocks }),
            ...(post.threadTs === undefined ? {} : { thread_ts: post.threadTs }),
          });
          return readPosted(res, 'chat.postMessage');
        } catch (err) {
          if (!isSlackRefusal(err)) inDoubt = true;
          throw err;
        }
      }, this.#retryWith(signal));
    } catch (err) {
      throw inDoubt ? new SlackCallInDoubt('chat.postMessage', err) : err;
    }
  }

  /**
   * The message posted with `marker` since about `sinceMs`, in `channel` (an ID, a name, or a
   * user ID for their DM) or in the thread under `threadTs`; undefined if there is none.
   * Needs the `*:history` scope of the conversation (and `channels:read` for a name,
   * `im:write` for a DM); Slack's `missing_scope` error is thrown otherwise.
   */
  async findMarked(channel: string, marker: string, sinceMs: number, signal: AbortSignal, threadTs?: string): Promise<PostedMessage | undefined> {
    const id = await this.#conversationId(channel, signal);
    if (id === undefined) return undefined;
    const client = this.#client(signal);
    const oldest = (Math.max(0, sinceMs - FIND_SKEW_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < FIND_MAX_PAGES; page++) {
      const args = { channel: id, oldest, limit: 200, include_all_metadata: true, ...(cursor === undefined ? {} : { cursor }) };
      const res = await withRetry(
        () => (threadTs === undefined ? client.conversations.history(args) : client.conversations.replies({ ...args, ts: threadTs })),
        this.#retryWith(signal),
      );
      const found = res.messages?.find((m) => markerOf(m) === marker);
      if (found?.ts !== undefined) return { channel: id, ts: found.ts };
      cursor = res.response_metadata?.next_cursor;
      if (res.has_more !== true || cursor === undefined || cursor === '') return undefined;
    }
    throw new Error(`more than ${FIND_MAX_PAGES * 200} messages in ${channel} since ${new Date(sinceMs).toISOString()}; cannot tell whether ${marker} was posted`);
  }

  /** The conversation ID behind a recipient: itself, the DM of a user ID, or a channel by name. */
  async #conversationId(channel: string, signal: AbortSignal): Promise<string | undefined> {
    if (CONVERSATION_ID.test(channel)) return channel;
    const client = this.#client(signal);
    if (USER_ID.test(channel)) {
      const res = await withRetry(() => client.conversations.open({ users: channel }), this.#retryWith(signal));
      return res.channel?.id;
    }
    const name = channel.replace(/^#/, '');
    let cursor: string | undefined;
    do {
      const args = { types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor === undefined ? {} : { cursor }) };
      const res = await withRetry(() => client.conversations.list(args), this.#retryWith(signal));
      const match = res.channels?.find((c) => c.name === name);
      if (match?.id !== undefined) return match.id;
      cursor = res.response_metadata?.next_cursor;
    } while (cursor !== undefined && cursor !== '');
    return undefined;
  }

  /** `chat.update` of a message posted earlier (setting its content: safe to repeat). */
  async updateMessage(message: PostedMessage, text: string, blocks: KnownBlock[], signal: AbortSignal): Promise<void> {
    const res = await withRetry(() => this.#client(signal).chat.update({ channel: message.channel, ts: message.ts, text, blocks }), this.#retryWith(signal));
    readPosted(res, 'chat.update');
  }
}

function readPosted(res: { channel?: unknown; ts?: unknown }, method: string): PostedMessage {
  const { channel, ts } = res;
  if (typeof channel !== 'string' || channel === '' || typeof ts !== 'string' || !/^\d+\.\d+$/.test(ts)) {
    throw new Error(`${method} answered without a valid channel and ts`);
  }
  return { channel, ts };
}

/** The effect marker in a message's Gatehouse metadata, if it has one. */
function markerOf(message: { metadata?: { event_type?: string; event_payload?: object } }): string | undefined {
  const { metadata } = message;
  if (metadata?.event_type !== MESSAGE_EVENT_TYPE || metadata.event_payload === undefined) return undefined;
  const effect: unknown = Object.entries(metadata.event_payload).find(([key]) => key === 'effect')?.[1];
  return typeof effect === 'string' ? effect : undefined;
}

function sdkLogger(log: Logger): SlackLogger {
  let level = LogLevel.ERROR;
  const at = (...msg: unknown[]): void => log.debug({ sdk: msg.map(String).join(' ') }, 'slack sdk');
  return { debug: at, info: at, warn: at, error: at, setLevel: (l) => void (level = l), getLevel: () => level, setName: () => undefined };
}
