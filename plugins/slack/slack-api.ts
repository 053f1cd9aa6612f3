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

  /** `auth.test`: who the token is. */
  async authTest(retry: RetryOptions = {}): Promise<{ team: string; teamId: string; user: string; userId: string }> {
    const res = await withRetry(() => this.#client.auth.test(), { ...this.#retry, ...retry });
    return { team: res.team ?? '', teamId: res.team_id ?? '', user: res.user ?? '', userId: res.user_id ?? '' };
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

  /** `chat.postMessage`; a user id as channel posts to their DM. */
  async postMessage(channel: string, text: string, blocks?: KnownBlock[], threadTs?: string): Promise<PostedMessage> {
    const res = await withRetry(
      () =>
        this.#client.chat.postMessage({
          channel,
          text,
          ...(blocks === undefined ? {} : { blocks }),
          ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        }),
      this.#retry,
    );
    return readPosted(res, 'chat.postMessage');
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

function sdkLogger(log: Logger): SlackLogger {
  let level = LogLevel.ERROR;
  const at = (...msg: unknown[]): void => log.debug({ sdk: msg.map(String).join(' ') }, 'slack sdk');
  return { debug: at, info: at, warn: at, error: at, setLevel: (l) => void (level = l), getLevel: () => level, setName: () => undefined };
}
