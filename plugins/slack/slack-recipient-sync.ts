import type { Logger } from 'pino';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { isEmail } from '../common/is-email.ts';
import { PermanentError } from '../common/permanent-error.ts';
import { isSkipped, type PluginDataKey, type Skipped } from '../common/plugin-data-key.ts';
import type { InDoubt, RequestPluginData } from '../common/request-plugin-data.ts';
import { isResolved } from '../common/request-states.ts';
import type { SlackApi } from './slack-api.ts';
import { isSlackRefusal } from './slack-errors.ts';
import { renderRequestMessage, renderReviewReply, type RenderOptions } from './slack-message.ts';
import { effectMarker, recipientKey, type PostedState } from './slack-plugin-data.ts';

export interface RecipientSyncOptions {
  api: SlackApi;
  log: Logger;
  render: RenderOptions;
}

/** Brings one recipient's request message in line with the request. */
export type RecipientSync = (request: AccessRequest__Output, data: RequestPluginData, recipient: string) => Promise<void>;

/**
 * One recipient's effects, in order, each on the recipient's key:
 * - `post`: the request message. In doubt: looked for by its marker in the conversation.
 * - `review:<i>`: review i replied in the message's thread. In doubt: looked for by its marker
 *   in the thread.
 * - `update:<STATE>`: the message shows the outcome. Idempotent (it sets the message's content),
 *   so an update in doubt is simply done again.
 */
export function createRecipientSync(options: RecipientSyncOptions): RecipientSync {
  const { api, log, render } = options;

  /** The value an effect in doubt on a recipient's key recorded, if Slack has its message. */
  async function findInDoubt(requestId: string, key: PluginDataKey<PostedState | Skipped>, channel: string, doubt: InDoubt<PostedState | Skipped>): Promise<PostedState | undefined> {
    const marker = effectMarker(requestId, key, doubt.op);
    if (doubt.op === 'post') {
      const found = await api.findMarked(channel, marker, doubt.at, doubt.signal);
      return found === undefined ? undefined : { channel: found.channel, ts: found.ts, reviews: 0, shows: 'PENDING' };
    }
    const review = /^review:(0|[1-9][0-9]{0,5})$/.exec(doubt.op)?.[1];
    const prev = doubt.prev;
    if (review !== undefined && prev !== undefined && !isSkipped(prev)) {
      const found = await api.findMarked(prev.channel, marker, doubt.at, doubt.signal, prev.ts);
      return found === undefined ? undefined : { ...prev, reviews: Number(review) + 1 };
    }
    // An update is never asked for while a post or reply of the key is unsettled; if one was in
    // doubt, it is done again with the message's next update.
    if (doubt.op.startsWith('update:')) return undefined;
    throw new PermanentError(`request ${requestId}: "${key.name}" is in doubt with the step "${doubt.op}", which this version cannot look up`);
  }

  return async (request, data, recipient) => {
    const key = recipientKey(recipient);
    let state = data.get(key);
    if (isSkipped(state)) return;

    if (state === undefined) {
      // A resolved request is not announced any more, but a post left in doubt is settled.
      const inDoubt = data.pending(key) === 'post';
      if (request.state !== 'PENDING' && !inDoubt) return;
      const channel = isEmail(recipient) ? await api.lookupUserId(recipient, data.signal) : recipient;
      if (channel === undefined) {
        if (inDoubt) throw new PermanentError(`request ${request.id}: the post to ${recipient} is in doubt, and cannot be checked: no Slack user has this email`);
        await data.set(key, { skipped: 'no Slack user with this email' });
        log.warn({ requestId: request.id, recipient }, 'no Slack user has this email; not notifying it');
        return;
      }
      const message = renderRequestMessage(request, render);
      const marker = effectMarker(request.id, key, 'post');
      state = await data.effect(
        key,
        'post',
        async (signal) => {
          const posted = await api.postMessage({ channel, marker, text: message.text, blocks: message.blocks }, signal);
          return { channel: posted.channel, ts: posted.ts, reviews: 0, shows: 'PENDING' };
        },
        { findInDoubt: (doubt) => findInDoubt(request.id, key, channel, doubt), notPerformed: isSlackRefusal },
      );
      log.info({ requestId: request.id, recipient, channel }, 'posted request message');
      if (isSkipped(state)) return;
    }

    for (let i = state.reviews; i < request.reviews.length; i++) {
      const review = request.reviews[i];
      if (review === undefined) break;
      const current: PostedState = state;
      const op = `review:${i}`;
      const marker = effectMarker(request.id, key, op);
      const next = await data.effect(
        key,
        op,
        async (signal) => {
          await api.postMessage({ channel: current.channel, marker, text: renderReviewReply(review), threadTs: current.ts }, signal);
          return { ...current, reviews: i + 1 };
        },
        { findInDoubt: (doubt) => findInDoubt(request.id, key, current.channel, doubt), notPerformed: isSlackRefusal },
      );
      if (isSkipped(next)) return;
      state = next;
    }

    if (isResolved(request.state) && state.shows === 'PENDING') {
      const current: PostedState = state;
      const shows = request.state;
      const message = renderRequestMessage(request, render);
      await data.effect(
        key,
        `update:${shows}`,
        async (signal) => {
          await api.updateMessage(current, message.text, message.blocks, signal);
          return { ...current, shows };
        },
        { idempotent: true, notPerformed: isSlackRefusal },
      );
      log.info({ requestId: request.id, recipient, state: shows }, 'updated request message');
    }
  };
}
