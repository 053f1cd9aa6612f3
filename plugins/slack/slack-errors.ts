import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';

/** Slack errors that another attempt may fix. */
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/**
 * Slack errors after which Slack itself says part of the call may have been done ("It's possible
 * some aspect of the operation succeeded before the error was raised"): not a refusal.
 */
const MAYBE_DONE_SLACK_ERRORS = new Set(['internal_error', 'fatal_error']);
/** Slack errors that no retry will fix for this recipient. */
const PERMANENT_SLACK_ERRORS = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_blocks', 'msg_too_long', 'cant_update_message',
  'message_not_found', 'restricted_action', 'thread_not_found', 'user_not_found', 'missing_scope',
]);

/**
 * Thrown by a post whose outcome is unknown (Slack did not answer, or answered with an error that
 * may follow a partial success) and that could not be checked in Slack afterwards: the effect
 * stays in doubt, to be looked up again. `cause` is the last error, which logs and decisions read.
 */
export class SlackCallInDoubt extends Error {
  constructor(method: string, cause: unknown) {
    super(`${method} may or may not have been done: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SlackCallInDoubt';
  }
}

/** The error a decision is about: the cause of a SlackCallInDoubt, else the error itself. */
function underlying(err: unknown): unknown {
  return err instanceof SlackCallInDoubt ? err.cause : err;
}

/** The Slack error code (`channel_not_found`) or HTTP status of an error, for logs and decisions. */
export function slackErrorCode(err: unknown): string {
  const e = underlying(err);
  if (e instanceof WebAPIPlatformError) return e.data.error;
  if (e instanceof WebAPIRateLimitedError) return 'ratelimited';
  if (e instanceof WebAPIHTTPError) return `http_${e.statusCode}`;
  if (e instanceof WebAPIRequestError) return 'request_error';
  return 'unknown';
}

/** Log fields for a Slack error: its code and, for `missing_scope`, the scope Slack says is needed. */
export function slackErrorFields(err: unknown): { slackError: string; needed?: string } {
  const slackError = slackErrorCode(err);
  const e = underlying(err);
  if (e instanceof WebAPIPlatformError && 'needed' in e.data && typeof e.data.needed === 'string') return { slackError, needed: e.data.needed };
  return { slackError };
}

/** Whether another attempt of the call may succeed (a rate limit, a network error, a 5xx). */
export function isRetryableSlackError(err: unknown): boolean {
  if (err instanceof WebAPIRateLimitedError || err instanceof WebAPIRequestError) return true;
  if (err instanceof WebAPIHTTPError) return err.statusCode >= 500 || err.statusCode === 408;
  if (err instanceof WebAPIPlatformError) return RETRYABLE_SLACK_ERRORS.has(err.data.error);
  return false;
}

/** Whether no retry will fix it for this recipient (a channel that does not exist, a missing scope). */
export function isPermanentSlackError(err: unknown): boolean {
  return !isRetryableSlackError(underlying(err)) && PERMANENT_SLACK_ERRORS.has(slackErrorCode(err));
}

/**
 * Whether Slack refused the call, so it did nothing: an `ok: false` answer (but the two that may
 * follow a partial success), a rate limit, a 4xx. A network error, a timeout, an abort or a 5xx
 * leaves the call in doubt: it may have been done without us hearing so.
 */
export function isSlackRefusal(err: unknown): boolean {
  if (err instanceof WebAPIRateLimitedError) return true;
  if (err instanceof WebAPIPlatformError) return !MAYBE_DONE_SLACK_ERRORS.has(err.data.error);
  if (err instanceof WebAPIHTTPError) return err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 408;
  return false;
}
