import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { isEmail } from '../common/is-email.ts';
import { PermanentError } from '../common/permanent-error.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import { CasConflict, parseClaim, type EffectClaim, type RequestPluginData } from '../common/request-plugin-data.ts';
import { isRetryableSlackError, slackErrorCode, slackErrorFields, type PostedMessage, type SlackApi } from './slack-api.ts';
import { recipientsFor, type SlackConfig } from './slack-config.ts';
import { renderRequestMessage, renderRequesterNotice, renderReviewReply } from './slack-message.ts';

export interface SlackHandlerOptions {
  config: SlackConfig;
  api: SlackApi;
  client: () => GatehouseClient;
  log: Logger;
  webConsoleUrl: string | undefined;
  now: () => number;
}

/** What the plugin knows about the message it posted to one recipient. */
interface PostedState extends PostedMessage {
  /** Reviews already replied in the thread. */
  readonly reviews: number;
  /** The state the message shows. */
  readonly shows: string;
}

const RESOLVED = new Set(['APPROVED', 'DENIED', 'EXPIRED', 'REVOKED']);
/** States the requester is told about. */
const NOTIFY = new Set(['APPROVED', 'DENIED', 'EXPIRED']);
/**
 * After this long a claim's owner is taken to have died mid-effect: an update is redone, and a
 * post is looked for in Slack (by its metadata marker) and recorded or posted again. Longer than
 * any one effect can take (SlackApi gives up on a call within about 40 s).
 */
const STALE_CLAIM_MS = 60_000;
/** Slack errors that no retry will fix for this recipient. */
const PERMANENT = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_blocks', 'msg_too_long', 'cant_update_message', 'message_not_found', 'restricted_action', 'thread_not_found', 'user_not_found', 'missing_scope']);
const USER_EMAIL_TTL_MS = 10 * 60_000;

/**
 * Plugin data of the Slack plugin (plugin name `slack`), one key per recipient and one for the
 * requester notice:
 * - `r:<recipient>`: a claim while posting, then `{"channel","ts","reviews","shows"}` (JSON),
 *   or `skip:<why>` when the recipient cannot be reached (an email with no Slack user).
 * - `notice`: a claim, then `sent:<STATE>` or `skip:<why>`.
 * Every message carries the marker `<request id>/<key>/<op>` in its metadata, so an effect left in
 * doubt by a process that died mid-post can be checked in Slack instead of dropped or duplicated.
 */
export function createSlackHandler(options: SlackHandlerOptions): PluginHandler {
  const { config, api, log, now } = options;
  const emails = new Map<string, { email: string | undefined; until: number }>();
  const render = { webConsoleUrl: options.webConsoleUrl };

  const marker = (request: AccessRequest__Output, key: string, op: string): string => `${request.id}/${key}/${op}`;

  /** A fresh claim means another process is at work ('busy'); a stale one is ours to take over. */
  function checkClaim(request: AccessRequest__Output, key: string, value: string | undefined): EffectClaim | undefined | 'busy' {
    const claim = parseClaim(value);
    if (claim === undefined) return undefined;
    if (now() - claim.at <= STALE_CLAIM_MS) {
      log.debug({ requestId: request.id, key, claim }, 'effect is claimed by another process; skipping');
      return 'busy';
    }
    log.warn({ requestId: request.id, key, claim }, 'taking over a stale claim (its process probably died mid-call)');
    return claim;
  }

  /**
   * Whether the message of a stale claim's effect is in Slack after all (found by its marker in
   * the channel, or in the thread under `threadTs`), so it is recorded rather than posted again.
   */
  async function findInDoubt(request: AccessRequest__Output, key: string, stale: EffectClaim, channel: string, threadTs?: string): Promise<PostedMessage | undefined> {
    const found = await api.findMarked(channel, marker(request, key, stale.op), stale.at, threadTs);
    log.warn({ requestId: request.id, key, op: stale.op }, found === undefined ? 'the effect left in doubt was not done; doing it now' : 'the effect left in doubt was done; recorded it');
    return found;
  }

  /** Runs one recipient's steps; returns the error to report, if any. */
  async function reconcileRecipient(request: AccessRequest__Output, data: RequestPluginData, recipient: string): Promise<void> {
    const key = `r:${recipient}`;
    const value = data.get(key);
    if (value?.startsWith('skip:') === true) return;
    const stale = checkClaim(request, key, value);
    if (stale === 'busy') return;
    // Taking over a stale claim redoes its effect: a post or reply after looking for its message,
    // an update as is (it is idempotent).
    let state = parsePosted(stale === undefined ? value : stale.prev);

    if (state === undefined) {
      if (request.state !== 'PENDING' && stale?.op !== 'post') return;
      const channel = await resolveRecipient(recipient);
      if (channel === undefined) {
        await data.set({ [key]: 'skip:no Slack user with this email' });
        log.warn({ requestId: request.id, recipient }, 'no Slack user has this email; not notifying it');
        return;
      }
      const message = renderRequestMessage(request, render);
      const posted = await data.effect(key, 'post', async () => {
        const found = stale?.op === 'post' ? await findInDoubt(request, key, stale, channel) : undefined;
        const m = found ?? (await api.postMessage(channel, marker(request, key, 'post'), message.text, message.blocks));
        return JSON.stringify({ channel: m.channel, ts: m.ts, reviews: 0, shows: 'PENDING' } satisfies PostedState);
      });
      state = parsePosted(posted);
      log.info({ requestId: request.id, recipient, channel }, 'posted request message');
      if (state === undefined) return;
    }

    for (let i = state.reviews; i < request.reviews.length; i++) {
      const review = request.reviews[i]!;
      const current: PostedState = state;
      const op = `review:${i}`;
      const next = await data.effect(key, op, async () => {
        const found = stale !== undefined && stale.op === op ? await findInDoubt(request, key, stale, current.channel, current.ts) : undefined;
        if (found === undefined) await api.postMessage(current.channel, marker(request, key, op), renderReviewReply(review), undefined, current.ts);
        return JSON.stringify({ ...current, reviews: i + 1 } satisfies PostedState);
      });
      state = parsePosted(next) ?? current;
    }

    if (RESOLVED.has(request.state) && state.shows === 'PENDING') {
      const current: PostedState = state;
      const message = renderRequestMessage(request, render);
      await data.effect(key, `update:${request.state}`, async () => {
        await api.updateMessage(current, message.text, message.blocks);
        return JSON.stringify({ ...current, shows: request.state } satisfies PostedState);
      });
      log.info({ requestId: request.id, recipient, state: request.state }, 'updated request message');
    }
  }

  /** A user id (DM) for an email, the channel as given otherwise; undefined when no such user. */
  async function resolveRecipient(recipient: string): Promise<string | undefined> {
    return isEmail(recipient) ? api.lookupUserId(recipient, now()) : recipient;
  }

  async function requesterEmail(user: string): Promise<string | undefined> {
    const cached = emails.get(user);
    if (cached !== undefined && cached.until > now()) return cached.email;
    let email: string | undefined;
    try {
      const found = await options.client().getUser(user);
      email = found.traits['email']?.values.find(isEmail);
    } catch (err) {
      if (!(err instanceof GatehouseError && err.code === 'NOT_FOUND')) throw err;
    }
    email ??= isEmail(user) ? user : undefined;
    emails.set(user, { email, until: now() + USER_EMAIL_TTL_MS });
    return email;
  }

  async function notifyRequester(request: AccessRequest__Output, data: RequestPluginData, announced: boolean): Promise<void> {
    if (!config.notifyRequester || !NOTIFY.has(request.state) || !announced) return;
    const notice = data.get('notice');
    const stale = checkClaim(request, 'notice', notice);
    if (stale === 'busy' || (notice !== undefined && stale === undefined)) return;
    const email = await requesterEmail(request.user);
    const userId = email === undefined ? undefined : await api.lookupUserId(email, now());
    if (userId === undefined) {
      await data.set({ notice: `skip:${email === undefined ? 'no email for the requester' : 'no Slack user with the requester email'}` });
      return;
    }
    const op = `notice:${request.state}`;
    await data.effect('notice', op, async () => {
      const found = stale !== undefined ? await findInDoubt(request, 'notice', stale, userId) : undefined;
      if (found === undefined) await api.postMessage(userId, marker(request, 'notice', op), renderRequesterNotice(request, render));
      return `sent:${request.state}`;
    });
    log.info({ requestId: request.id, user: request.user, state: request.state }, 'notified the requester');
  }

  return {
    async onRequest(request, data) {
      const suggested = request.suggestedReviewers.filter(isEmail);
      const recipients = recipientsFor(config, request.roles, suggested);
      const errors: unknown[] = [];
      for (const recipient of recipients) {
        try {
          await reconcileRecipient(request, data, recipient);
        } catch (err) {
          if (err instanceof CasConflict) throw err;
          log.warn({ requestId: request.id, recipient, ...slackErrorFields(err), err: err instanceof Error ? err.message : String(err) }, 'Slack call failed for a recipient');
          errors.push(err);
        }
      }
      const announced = Object.entries(data.values).some(([k, v]) => k.startsWith('r:') && parsePosted(v) !== undefined);
      try {
        await notifyRequester(request, data, announced);
      } catch (err) {
        if (err instanceof CasConflict) throw err;
        errors.push(err);
      }
      if (errors.length === 0) return;
      const permanent = errors.every((e) => !isRetryableSlackError(e) && PERMANENT.has(slackErrorCode(e)));
      const summary = errors.map((e) => slackErrorCode(e)).join(', ');
      if (permanent) throw new PermanentError(`Slack refused: ${summary}`, { cause: errors[0] });
      throw new AggregateError(errors, `Slack calls failed (${summary}); will retry`);
    },
  };
}

function parsePosted(value: string | undefined): PostedState | undefined {
  if (value === undefined || !value.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null) return undefined;
    const { channel, ts, reviews, shows } = v as Record<string, unknown>;
    if (typeof channel !== 'string' || typeof ts !== 'string' || typeof reviews !== 'number' || typeof shows !== 'string') return undefined;
    return { channel, ts, reviews, shows };
  } catch {
    return undefined;
  }
}
