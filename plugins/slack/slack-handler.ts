import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { isEmail } from '../common/is-email.ts';
import { PermanentError } from '../common/permanent-error.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import { isSkipped } from '../common/plugin-data-key.ts';
import { CasConflict, EffectBusy, type RequestPluginData } from '../common/request-plugin-data.ts';
import { TtlCache } from '../common/ttl-cache.ts';
import type { SlackApi } from './slack-api.ts';
import { recipientsFor, type SlackConfig } from './slack-config.ts';
import { isPermanentSlackError, isSlackRefusal, slackErrorFields } from './slack-errors.ts';
import { renderRequesterNotice } from './slack-message.ts';
import { effectMarker, isNotifyState, NOTICE_KEY, recipientKeyNamed } from './slack-plugin-data.ts';
import { createRecipientSync } from './slack-recipient-sync.ts';

export interface SlackHandlerOptions {
  config: SlackConfig;
  api: SlackApi;
  client: () => GatehouseClient;
  log: Logger;
  webConsoleUrl: string | undefined;
  now: () => number;
}

const USER_EMAIL_TTL_MS = 10 * 60_000;

/**
 * The Slack plugin's request handling: one message per recipient, reviews replied in its thread,
 * the outcome shown on it, and a DM to the requester when the request is resolved. Every Slack
 * write is an effect of the one protocol (plugins/common/request-plugin-data.ts) on the keys of
 * slack-plugin-data.ts, so replays, restarts, crashes and replicas never repeat or lose one.
 */
export function createSlackHandler(options: SlackHandlerOptions): PluginHandler {
  const { config, api, log, now } = options;
  const emails = new TtlCache<string | undefined>(now);
  const render = { webConsoleUrl: options.webConsoleUrl };
  const syncRecipient = createRecipientSync({ api, log, render });

  async function requesterEmail(user: string): Promise<string | undefined> {
    const cached = emails.get(user);
    if (cached !== undefined) return cached.value;
    let email: string | undefined;
    try {
      const found = await options.client().getUser(user);
      email = found.traits['email']?.values.find(isEmail);
    } catch (err) {
      if (!GatehouseError.is(err, 'NOT_FOUND')) throw err;
    }
    email ??= isEmail(user) ? user : undefined;
    emails.set(user, email, USER_EMAIL_TTL_MS);
    return email;
  }

  /**
   * DMs the requester the outcome, once. The DM is found by its marker in the DM conversation
   * when the notice is in doubt (the process died between posting and recording it).
   */
  async function notifyRequester(request: AccessRequest__Output, data: RequestPluginData): Promise<void> {
    const { state } = request;
    if (!config.notifyRequester || !isNotifyState(state) || !isAnnounced(data)) return;
    if (data.get(NOTICE_KEY) !== undefined) return;
    const email = await requesterEmail(request.user);
    const userId = email === undefined ? undefined : await api.lookupUserId(email, data.signal);
    if (userId === undefined) {
      const why = email === undefined ? 'no email for the requester' : 'no Slack user with the requester email';
      // A notice in doubt cannot be looked for without the DM: an operator has to decide.
      if (data.pending(NOTICE_KEY) !== undefined) throw new PermanentError(`request ${request.id}: the requester notice is in doubt, and cannot be checked: ${why}`);
      await data.set(NOTICE_KEY, { skipped: why });
      return;
    }
    const op = `notice:${state}`;
    await data.effect(
      NOTICE_KEY,
      op,
      async (signal) => {
        await api.postMessage({ channel: userId, marker: effectMarker(request.id, NOTICE_KEY, op), text: renderRequesterNotice(request, render) }, signal);
        return { tag: 'sent' as const, rest: state };
      },
      {
        findInDoubt: async (doubt) => {
          const sent = /^notice:(.+)$/.exec(doubt.op)?.[1];
          if (sent === undefined || !isNotifyState(sent)) throw new PermanentError(`request ${request.id}: the requester notice is in doubt with an unknown step "${doubt.op}"`);
          const found = await api.findMarked(userId, effectMarker(request.id, NOTICE_KEY, doubt.op), doubt.at, doubt.signal);
          return found === undefined ? undefined : { tag: 'sent' as const, rest: sent };
        },
        notPerformed: isSlackRefusal,
      },
    );
    log.info({ requestId: request.id, user: request.user, state }, 'notified the requester');
  }

  return {
    async onRequest(request, data) {
      const suggested = request.suggestedReviewers.filter(isEmail);
      const steps = [
        ...recipientsFor(config, request.roles, suggested).map((recipient) => ({ recipient, run: () => syncRecipient(request, data, recipient) })),
        // After the recipients, so it sees whether the request was announced.
        { recipient: 'requester', run: () => notifyRequester(request, data) },
      ];
      const errors: unknown[] = [];
      const codes: string[] = [];
      for (const step of steps) {
        try {
          await step.run();
        } catch (err) {
          if (err instanceof CasConflict) throw err;
          // Busy is no failure: the runtime looks again when the claim can be taken over.
          if (err instanceof EffectBusy) {
            codes.push('busy');
            errors.push(err);
            continue;
          }
          const fields = slackErrorFields(err);
          log.warn({ requestId: request.id, recipient: step.recipient, ...fields, err: err instanceof Error ? err.message : String(err) }, 'Slack call failed for a recipient');
          codes.push(fields.slackError);
          errors.push(isPermanentSlackError(err) ? new PermanentError(`Slack refused (${fields.slackError}) for ${step.recipient}`, { cause: err }) : err);
        }
      }
      // The runtime classifies the lot: all busy, all permanent, or else retried with backoff.
      if (errors.length > 0) throw new AggregateError(errors, `Slack steps did not complete (${codes.join(', ')})`);
    },
  };
}

/** Whether a request message was posted to any recipient (the requester hears only of announced requests). */
function isAnnounced(data: RequestPluginData): boolean {
  return Object.keys(data.raw).some((name) => {
    const key = recipientKeyNamed(name);
    if (key === undefined) return false;
    try {
      const value = data.get(key);
      return value !== undefined && !isSkipped(value);
    } catch {
      return false; // reported by that recipient's own step
    }
  });
}
