import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { isEmail } from '../common/is-email.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import type { PluginDataStore } from '../common/plugin-data-store.ts';
import { isSkipped } from '../common/plugin-data-key.ts';
import { isResolved } from '../common/request-states.ts';
import { CasConflict, EffectBusy, type RequestPluginData } from '../common/request-plugin-data.ts';
import { TtlCache } from '../common/ttl-cache.ts';
import { recipientsFor, type EmailConfig } from './email-config.ts';
import { renderNewRequest, renderRequesterNotice, renderReview, renderStateChange, type MessageContext, type RenderedMail } from './email-message.ts';
import { isThreadKey, messageIdFor, REQUESTER_KEY, threadKey, type NoticeState, type ThreadState } from './email-thread.ts';
import { describeSmtpError, isSmtpReply, type OutgoingMail, type SendOutcome } from './smtp-mailer.ts';

/** What the handler needs of a mailer (SmtpMailer). */
export interface Mailer {
  send(mail: OutgoingMail, signal: AbortSignal): Promise<SendOutcome>;
  close(): void;
}

export interface EmailHandlerOptions {
  config: EmailConfig;
  mailer: Mailer;
  data: PluginDataStore;
  client: () => GatehouseClient;
  log: Logger;
  context: MessageContext;
  now: () => number;
}

/** How long a requester's address is trusted, and a request remembered for its deletion notice. */
const USER_EMAIL_TTL_MS = 10 * 60_000;
const REMEMBER_MS = 24 * 3600_000;

/**
 * Every send is an effect of the protocol (request-plugin-data.ts) declared `idempotent`: SMTP
 * cannot be asked afterwards whether a message went through, so an effect left in doubt (the
 * plugin died, or the connection dropped, after the server may have taken the message) is sent
 * again. It goes out under the same Message-ID (email-thread.ts): mailboxes that de-duplicate on
 * it (Gmail does) keep one copy, and any client shows the copy as the same message of the thread.
 * A server that answered with a refusal did not take it: the claim is released (`notPerformed`).
 */
const SEND = { idempotent: true, notPerformed: isSmtpReply } as const;

/** What is remembered of a request so its deletion can be told in the threads (plugin data goes with the request). */
interface Remembered {
  readonly request: AccessRequest__Output;
  readonly threads: readonly { readonly address: string; readonly state: ThreadState }[];
}

/**
 * The email plugin's handling: for each recipient of a request a thread (the request, then each
 * review and each later state as replies), and a notice to the requester of the outcome.
 * Recipients are handled concurrently, each through its own view of the plugin data.
 */
export function createEmailHandler(options: EmailHandlerOptions): PluginHandler {
  const { config, mailer, log, context } = options;
  const emails = new TtlCache<string | undefined>(options.now);
  const remembered = new TtlCache<Remembered>(options.now);
  const sender = config.sender.address;

  /** Sends one step of `requestId` to `to`, under the Message-ID of that step. */
  async function send(at: { requestId: string; signal: AbortSignal }, to: string, step: string, rendered: RenderedMail, replyTo: string | undefined): Promise<{ id: string; outcome: SendOutcome }> {
    const id = messageIdFor(at.requestId, step, to, sender);
    const outcome = await mailer.send({ to, ...rendered, messageId: id, ...(replyTo === undefined ? {} : { replyTo }) }, at.signal);
    const fields = { requestId: at.requestId, to, step, messageId: id };
    if (outcome.kind === 'accepted') log.info({ ...fields, response: outcome.response }, 'email sent');
    else log.warn({ ...fields, code: outcome.code, response: outcome.response }, 'the SMTP server refused the email; not retried');
    return { id, outcome };
  }

  /** Brings one recipient's thread up to date, one step (one email) at a time; returns its state. */
  async function runThread(request: AccessRequest__Output, view: RequestPluginData, to: string): Promise<ThreadState | undefined> {
    const key = threadKey(to);
    for (;;) {
      const value = view.get(key);
      if (isSkipped(value)) return undefined;
      if (value === undefined) {
        // A request first seen resolved (a plugin started later) is not announced after the fact,
        // unless a first message may be out already (a claim left in doubt).
        if (request.state !== 'PENDING' && view.pending(key) === undefined) return undefined;
        await view.effect(key, 'new', async () => {
          const { id, outcome } = await send(view, to, 'new', renderNewRequest(request, context), undefined);
          return outcome.kind === 'accepted' ? { root: id, reviews: 0, state: 'PENDING' } : { skipped: `refused: ${outcome.code} ${outcome.response}` };
        }, SEND);
        continue;
      }
      const thread = value;
      const review = request.reviews[thread.reviews];
      if (review !== undefined) {
        const i = thread.reviews;
        await view.effect(key, `review:${i}`, async () => {
          await send(view, to, `review-${i}`, renderReview(request, review, context), thread.root);
          return { ...thread, reviews: i + 1 };
        }, SEND);
        continue;
      }
      if (request.state !== 'PENDING' && request.state !== thread.state) {
        const state = request.state;
        await view.effect(key, `state:${state}`, async () => {
          await send(view, to, state.toLowerCase(), renderStateChange(request, state, context), thread.root);
          return { ...thread, state };
        }, SEND);
        continue;
      }
      return thread;
    }
  }

  async function requesterEmail(user: string): Promise<string | undefined> {
    const cached = emails.get(user);
    if (cached !== undefined) return cached.value;
    let email: string | undefined;
    try {
      const found = await options.client().getUser(user);
      email = found.traits['email']?.values.map((v) => v.trim().toLowerCase()).find(isEmail);
    } catch (err) {
      if (!GatehouseError.is(err, 'NOT_FOUND')) throw err;
    }
    email ??= isEmail(user.toLowerCase()) ? user.toLowerCase() : undefined;
    emails.set(user, email, USER_EMAIL_TTL_MS);
    return email;
  }

  /** Tells the requester each state the request reaches once resolved (approved, then expired...). */
  async function notifyRequester(request: AccessRequest__Output, view: RequestPluginData, recipients: readonly string[]): Promise<void> {
    const value = view.get(REQUESTER_KEY);
    if (isSkipped(value) || value?.state === request.state) return;
    const email = await requesterEmail(request.user);
    if (view.pending(REQUESTER_KEY) === undefined) {
      if (email === undefined) return view.set(REQUESTER_KEY, { skipped: 'no email address for the requester (user trait "email")' });
      if (recipients.includes(email)) return view.set(REQUESTER_KEY, { skipped: 'the requester gets the thread' });
    }
    if (email === undefined) return;
    const state = request.state;
    await view.effect(REQUESTER_KEY, `notice:${state}`, async (): Promise<NoticeState> => {
      const { id } = await send(view, email, `notice-${state.toLowerCase()}`, renderRequesterNotice(request, state, context), value?.root);
      return { root: value?.root ?? id, state };
    }, SEND);
  }

  async function onDeleted(requestId: string, signal: AbortSignal): Promise<void> {
    const known = remembered.get(requestId)?.value;
    if (known === undefined) return;
    // Its plugin data went with it: nothing can be recorded, so a deletion seen twice (two
    // replicas) is sent twice, under one Message-ID per address (see SEND).
    const open = known.threads.filter((t) => t.state.state === 'PENDING' || t.state.state === 'APPROVED');
    const results = await Promise.allSettled(open.map((t) => send({ requestId, signal }, t.address, 'deleted', renderStateChange(known.request, 'DELETED', context), t.state.root)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') log.warn({ requestId, to: open[i]?.address, err: describeSmtpError(r.reason) }, 'could not tell a recipient of the deletion');
    }
  }

  return {
    async onRequest(request, data) {
      const recipients = recipientsFor(config, request.roles, request.suggestedReviewers);
      // Threads already started stay in play when the config changes, so they get their outcome.
      for (const name of Object.keys(data.raw)) {
        if (!isThreadKey(name)) continue;
        const address = name.slice('to:'.length);
        if (isEmail(address) && !recipients.includes(address)) recipients.push(address);
      }
      const announced = Object.keys(data.raw).some(isThreadKey);
      // One view per recipient: each records its own key, so one recipient's slow or failed
      // send never holds up or confuses another's.
      const threads = recipients.map((to) => runThread(request, options.data.open(request.id, data.raw, data.signal), to));
      const notice = config.notifyRequester && announced && isResolved(request.state) ? notifyRequester(request, options.data.open(request.id, data.raw, data.signal), recipients) : Promise.resolve();
      const [noticed, ...sent] = await Promise.allSettled([notice, ...threads]);
      const errors: unknown[] = [];
      const failed = (to: string, err: unknown): void => {
        errors.push(err);
        // A lost compare-and-swap re-runs the handler; a claim held elsewhere is looked at
        // again later. Neither is a failure to report here; the runtime logs the outcome.
        if (!(err instanceof CasConflict) && !(err instanceof EffectBusy)) log.warn({ requestId: request.id, to, err: describeSmtpError(err) }, 'email step failed; will retry');
      };
      const open: { address: string; state: ThreadState }[] = [];
      for (const [i, result] of sent.entries()) {
        const address = recipients[i] ?? '';
        if (result.status === 'rejected') failed(address, result.reason);
        else if (result.value !== undefined) open.push({ address, state: result.value });
      }
      if (noticed?.status === 'rejected') failed('the requester', noticed.reason);
      remembered.set(request.id, { request, threads: open }, REMEMBER_MS);
      const conflict = errors.find((e) => e instanceof CasConflict);
      if (conflict !== undefined) throw conflict;
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} email steps failed`);
    },
    onDeleted,
    async stop() {
      mailer.close();
    },
  };
}
