import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Logger } from 'pino';
import { withRetry, type RetryOptions } from '../common/with-retry.ts';
import type { Secret } from '../common/secret.ts';

export interface SlackApiOptions {
  token: Secret;
  apiUrl: string;
  log: Logger;
  /** Retry options (signal, metrics hook); budgets default to 5 retries within 30 s. */
  retry: RetryOptions;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
}

export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/** `event_type` of the metadata on every message the plugin posts. */
export const MESSAGE_EVENT_TYPE = 'gatehouse_access_request';
/** How far back (before the claim) `findMarked` looks, for clock skew between hosts. */
const FIND_SKEW_MS = 10 * 60_000;
/** How many pages of 200 messages `findMarked` reads before giving up. */
const FIND_MAX_PAGES = 25;
const CONVERSATION_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Slack errors that another attempt may fix. */
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** How long an email -> user id lookup is trusted. */
const LOOKUP_TTL_MS = 10 * 60_000;

/** The Slack error code (`channel_not_found`) or HTTP status of an error, for logs and decisions. */
export function slackErrorCode(err: unknown): string {
  if (err instanceof WebAPIPlatformError) return err.data.error;
  if (err instanceof WebAPIRateLimitedError) return 'ratelimited';
  if (err instanceof WebAPIHTTPError) return `http_${err.statusCode}`;
  if (err instanceof WebAPIRequestError) return 'request_error';
  return 'unknown';
}

/** Log fields for a Slack error: its code and, for `missing_scope`, the scope Slack says is needed. */
export function slackErrorFields(err: unknown): { slackError: string; needed?: string } {
  const slackError = slackErrorCode(err);
  if (err instanceof WebAPIPlatformError && 'needed' in err.data && typeof err.data.needed === 'string') return { slackError, needed: err.data.needed };
  return { slackError };
}

export function isRetryableSlackError(err: unknown): boolean {
  if (err instanceof WebAPIRateLimitedError || err instanceof WebAPIRequestError) return true;
  if (err instanceof WebAPIHTTPError) return err.statusCode >= 500 || err.statusCode === 408;
  if (err instanceof WebAPIPlatformError) return RETRYABLE_SLACK_ERRORS.has(err.data.error);
  return false;
}

/**
 * The Slack Web API calls the plugin makes, over `@slack/web-api` with its own retries turned
 * off: ours honour `Retry-After`, back off with jitter, and give up within a time budget so the
 * runtime can re-queue the work instead of holding a slot.
 */
export class SlackApi {
  readonly #client: WebClient;
  readonly #retry: RetryOptions;
  readonly #userIds = new Map<string, { id: string | undefined; until: number }>();

  constructor(options: SlackApiOptions) {
    const log = options.log.child({ component: 'slack-sdk' });
    this.#retry = {
      retries: 5,
      maxElapsedMs: 30_000,
      ...options.retry,
      isRetryable: isRetryableSlackError,
      retryAfterMs: (err) => (err instanceof WebAPIRateLimitedError ? err.retryAfter * 1000 : undefined),
    };
    this.#client = new WebClient(options.token.reveal(), {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: LogLevel.ERROR,
      logger: sdkLogger(log),
      allowAbsoluteUrls: false,
    });
  }

  /** `auth.test`: who the token is, and its scopes when Slack names them (`x-oauth-scopes`). */
  async authTest(retry: RetryOptions = {}): Promise<{ team: string; teamId: string; user: string; userId: string; scopes: readonly string[] | undefined }> {
    const res = await withRetry(() => this.#client.auth.test(), { ...this.#retry, ...retry });
    return { team: res.team ?? '', teamId: res.team_id ?? '', user: res.user ?? '', userId: res.user_id ?? '', scopes: res.response_metadata?.scopes };
  }

  /** The Slack user id of an email, or undefined when no user has it (`users_not_found`). Cached. */
  async lookupUserId(email: string, now: number): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.#userIds.get(key);
    if (cached !== undefined && cached.until > now) return cached.id;
    let id: string | undefined;
    try {
      const res = await withRetry(() => this.#client.users.lookupByEmail({ email }), this.#retry);
      id = res.user?.id;
      if (typeof id !== 'string' || id === '') throw new Error('users.lookupByEmail answered without a user id');
    } catch (err) {
      if (!(err instanceof WebAPIPlatformError && err.data.error === 'users_not_found')) throw err;
      id = undefined;
    }
    this.#userIds.set(key, { id, until: now + LOOKUP_TTL_MS });
    return id;
  }

  /**
   * `chat.postMessage`; a user id as channel posts to their DM. `marker` names the effect in the
   * message's metadata, so `findMarked` can tell later whether a post in doubt happened.
   */
  async postMessage(channel: string, marker: string, text: string, blocks?: KnownBlock[], threadTs?: string): Promise<PostedMessage> {
    const res = await withRetry(
      () =>
        this.#client.chat.postMessage({
          channel,
          text,
          metadata: { event_type: MESSAGE_EVENT_TYPE, event_payload: { effect: marker } },
          ...(blocks === undefined ? {} : { blocks }),
          ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        }),
      this.#retry,
    );
    return readPosted(res, 'chat.postMessage');
  }

  /**
   * The message posted with `marker` since about `sinceMs`, in `channel` (an ID, a name, or a
   * user ID for their DM) or in the thread under `threadTs`; undefined if there is none.
   * Needs the `*:history` scope of the conversation (and `channels:read` for a name,
   * `im:write` for a DM); Slack's `missing_scope` error is thrown otherwise.
   */
  async findMarked(channel: string, marker: string, sinceMs: number, threadTs?: string): Promise<PostedMessage | undefined> {
    const id = await this.#conversationId(channel);
    if (id === undefined) return undefined;
    const oldest = (Math.max(0, sinceMs - FIND_SKEW_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < FIND_MAX_PAGES; page++) {
      const args = { channel: id, oldest, limit: 200, include_all_metadata: true, ...(cursor === undefined ? {} : { cursor }) };
      const res = await withRetry(
        () => (threadTs === undefined ? this.#client.conversations.history(args) : this.#client.conversations.replies({ ...args, ts: threadTs })),
        this.#retry,
      );
      const found = res.messages?.find((m) => markerOf(m) === marker);
      if (found?.ts !== undefined) return { channel: id, ts: found.ts };
      cursor = res.response_metadata?.next_cursor;
      if (res.has_more !== true || cursor === undefined || cursor === '') return undefined;
    }
    throw new Error(`more than ${FIND_MAX_PAGES * 200} messages in ${channel} since ${new Date(sinceMs).toISOString()}; cannot tell whether ${marker} was posted`);
  }

  /** The conversation ID behind a recipient: itself, the DM of a user ID, or a channel by name. */
  async #conversationId(channel: string): Promise<string | undefined> {
    if (CONVERSATION_ID.test(channel)) return channel;
    if (USER_ID.test(channel)) {
      const res = await withRetry(() => this.#client.conversations.open({ users: channel }), this.#retry);
      return res.channel?.id;
    }
    const name = channel.replace(/^#/, '');
    let cursor: string | undefined;
    do {
      const args = { types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor === undefined ? {} : { cursor }) };
      const res = await withRetry(() => this.#client.conversations.list(args), this.#retry);
      const match = res.channels?.find((c) => c.name === name);
      if (match?.id !== undefined) return match.id;
      cursor = res.response_metadata?.next_cursor;
    } while (cursor !== undefined && cursor !== '');
    return undefined;
  }

  /** `chat.update` of a message posted earlier. */
  async updateMessage(message: PostedMessage, text: string, blocks: KnownBlock[]): Promise<void> {
    const res = await withRetry(() => this.#client.chat.update({ channel: message.channel, ts: message.ts, text, blocks }), this.#retry);
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
