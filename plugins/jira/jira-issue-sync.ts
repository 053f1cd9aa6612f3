import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { CasConflict, parseClaim, RequestPluginData } from '../common/request-plugin-data.ts';
import type { RetryOptions } from '../common/with-retry.ts';
import type { AdfDoc } from './jira-adf.ts';
import type { JiraApi, IssueView, StatusChange } from './jira-api.ts';
import type { JiraConfig } from './jira-config.ts';
import { parseIssueRef, PLUGIN_NAME, STALE_CLAIM_MS } from './jira-plugin-data.ts';
import { findReason } from './jira-reason.ts';
import { renderRecordedComment, renderRefusalComment } from './jira-issue-text.ts';
import type { JiraUserMapper, MappedAccount } from './jira-user-mapper.ts';

export interface IssueSyncOptions {
  api: JiraApi;
  client: () => GatehouseClient;
  config: JiraConfig;
  /** The plugin's own Jira account: its transitions are never reviews. */
  botAccountId: string;
  mapper: JiraUserMapper;
  /** The plugin's Gatehouse user: the submitter of the reviews it makes. */
  self: string;
  log: Logger;
  /** Identifies this process in plugin-data claims. */
  owner: string;
  now: () => number;
}

/** What came of looking at an issue. */
export type SyncOutcome =
  | { readonly kind: 'ignored'; readonly why: string }
  | { readonly kind: 'duplicate'; readonly why: string }
  | { readonly kind: 'reviewed'; readonly requestId: string; readonly author: string; readonly state: string }
  | { readonly kind: 'refused'; readonly requestId: string; readonly why: string };

/** Review reasons are limited to 4096 UTF-8 bytes by the server. */
const MAX_REASON_BYTES = 4000;

function cutBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  return `${bytes.subarray(0, max - 20).toString('utf8').replace(/\uFFFD+$/, '')}… (truncated)`;
}

/**
 * Turns a person's status change on an issue into a review on their behalf. The issue is always
 * re-read through the API (a webhook only says "look at issue N"): its label, project and
 * request property must be ours, the request's plugin data must name this very issue, and the
 * newest status change (from the changelog) says who decided. Each status change is acted on
 * at most once, guarded by the plugin-data key `change` (the changelog history id).
 */
export class IssueSync {
  readonly #o: IssueSyncOptions;
  readonly #log: Logger;
  /** One sync per issue at a time in this process (webhook retries and the reconciler overlap). */
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(options: IssueSyncOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'jira-sync' });
  }

  /** Looks at the issue and acts on its newest status change if it is a review to make. */
  sync(issueId: string, source: 'webhook' | 'reconcile', retry?: RetryOptions): Promise<SyncOutcome> {
    const previous = this.#chains.get(issueId) ?? Promise.resolve();
    const run = previous.then(
      () => this.#sync(issueId, source, retry),
      () => this.#sync(issueId, source, retry),
    );
    this.#chains.set(issueId, run);
    void run.then(
      () => this.#release(issueId, run),
      () => this.#release(issueId, run),
    );
    return run;
  }

  #release(issueId: string, run: Promise<unknown>): void {
    if (this.#chains.get(issueId) === run) this.#chains.delete(issueId);
  }

  async #sync(issueId: string, source: string, retry: RetryOptions | undefined): Promise<SyncOutcome> {
    const { api, config } = this.#o;
    const issue = await api.issue(issueId, retry);
    const ignore = (why: string): SyncOutcome => {
      this.#log.debug({ issue: issue.key, source, why }, 'issue change ignored');
      return { kind: 'ignored', why };
    };
    if (!issue.labels.includes(config.label)) return ignore(`no label ${config.label}`);
    if (issue.projectKey !== undefined && issue.projectKey.toUpperCase() !== config.project.toUpperCase()) return ignore(`project ${issue.projectKey}`);
    if (issue.requestId === undefined) return ignore('no request property');
    const status = issue.status.name.toLowerCase();
    const proposed = status === config.statuses.approved.toLowerCase() ? 'APPROVED' : status === config.statuses.denied.toLowerCase() ? 'DENIED' : undefined;
    if (proposed === undefined) return ignore(`status ${issue.status.name}`);
    const change = issue.statusChanges[0];
    if (change === undefined) return ignore('no status change in the changelog');
    if (change.toName.toLowerCase() !== status && (change.toId === undefined || change.toId !== issue.status.id)) {
      this.#log.warn({ issue: issue.key, status: issue.status.name, newest: change.toName }, 'the changelog does not explain the current status; ignoring');
      return ignore('changelog and status disagree');
    }
    if (change.author?.accountId === this.#o.botAccountId) return ignore('changed by the plugin itself');

    const client = this.#o.client();
    const requestId = issue.requestId;
    const author = change.author;
    // Independent reads, at once: this is the webhook's critical path.
    const [request, res, mapped] = await Promise.all([
      client.getAccessRequest(requestId).catch((err: unknown) => {
        if (err instanceof GatehouseError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_ARGUMENT')) return undefined;
        throw err;
      }),
      client.getPluginData(requestId, PLUGIN_NAME).catch((err: unknown) => {
        if (err instanceof GatehouseError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_ARGUMENT')) return undefined;
        throw err;
      }),
      author === undefined ? Promise.resolve(undefined) : this.#o.mapper.map(author),
    ]);
    if (request === undefined || res === undefined) return ignore(`request ${requestId} does not exist`);
    const values = res.entries[PLUGIN_NAME]?.data ?? {};
    const ref = parseIssueRef(values['issue']);
    const creating = parseClaim(values['issue']);
    if (ref === undefined && creating !== undefined && this.#o.now() - creating.at < STALE_CLAIM_MS) {
      // The issue was just created and is not recorded yet: fail, so the delivery is retried.
      throw new Error(`the issue of request ${request.id} is still being recorded`);
    }
    if (ref === undefined || ref.id !== issue.id) {
      this.#log.warn({ issue: issue.key, requestId: request.id, recorded: ref?.key }, 'issue carries a request id but is not the issue of that request; ignoring');
      return ignore('not the issue recorded for the request');
    }
    if (request.state !== 'PENDING') return ignore(`request is ${request.state}`);

    const handled = values['change'];
    if (handled === change.historyId) return { kind: 'duplicate', why: 'status change already handled' };
    const claim = parseClaim(handled);
    if (claim !== undefined && this.#o.now() - claim.at < STALE_CLAIM_MS) return { kind: 'duplicate', why: 'status change being handled elsewhere' };

    const data = new RequestPluginData({ client, plugin: PLUGIN_NAME, requestId: request.id, values, owner: this.#o.owner, now: this.#o.now });
    const result = await this.#decide({ issue, request, change, proposed, mapped, data, retry });
    this.#log.info({ issue: issue.key, requestId: request.id, source, historyId: change.historyId, jiraAccount: author?.accountId, ...result }, 'issue status change handled');
    return result;
  }

  /**
   * Reviews on the person's behalf, or refuses. The review itself needs no claim: the server
   * takes one review per person, and a repeat is told apart from someone else's earlier review
   * by its submitter. Refusals and "recorded, back to pending" comment on the issue, so they run
   * as a claimed effect on `change`: once per status change across replicas and retries.
   */
  async #decide(d: {
    issue: IssueView;
    request: AccessRequest__Output;
    change: StatusChange;
    proposed: 'APPROVED' | 'DENIED';
    mapped: MappedAccount | undefined;
    data: RequestPluginData;
    retry: RetryOptions | undefined;
  }): Promise<SyncOutcome> {
    const { issue, request, change, proposed, mapped, data, retry } = d;
    const author = change.author;
    const who = author?.displayName ?? 'Someone';
    const once = async (op: string, comment: (movedBack: boolean) => AdfDoc, outcome: SyncOutcome): Promise<SyncOutcome> => {
      try {
        await data.effect('change', `${op}:${change.historyId}`, async () => {
          await this.#moveBack(issue, comment, retry);
          return change.historyId;
        });
        return outcome;
      } catch (err) {
        if (err instanceof CasConflict) return { kind: 'duplicate', why: 'handled concurrently' };
        throw err;
      }
    };
    const refuse = (why: string): Promise<SyncOutcome> =>
      once('refuse', (movedBack) => renderRefusalComment(who, why, this.#o.config.statuses, movedBack), { kind: 'refused', requestId: request.id, why });
    const markHandled = async (): Promise<void> => {
      try {
        await data.set({ change: change.historyId });
      } catch (err) {
        if (!(err instanceof CasConflict)) this.#log.warn({ issue: issue.key, err: err instanceof Error ? err.message : String(err) }, 'could not record the handled status change; a later pass finds the review already made');
      }
    };

    if (author === undefined || mapped === undefined) return refuse('Jira does not say who made the change.');
    if ('unmapped' in mapped) return refuse(`the Jira account is not mapped to a Gatehouse user: ${mapped.unmapped}.`);
    const user = mapped.user;
    if (user === request.user) return refuse(`${user} requested this access and cannot review their own request.`);
    const reason = cutBytes(findReason(issue.comments, author.accountId, change.at), MAX_REASON_BYTES);
    let after: AccessRequest__Output;
    try {
      after = await this.#o.client().submitAccessReview({ requestId: request.id, proposedState: proposed, reason, author: user });
    } catch (err) {
      if (!(err instanceof GatehouseError)) throw err;
      switch (err.code) {
        case 'PERMISSION_DENIED':
          return refuse(`Gatehouse does not allow ${user} to review this request (${err.details}).`);
        case 'ALREADY_EXISTS': {
          const current = await this.#o.client().getAccessRequest(request.id);
          const earlier = current.reviews.find((r) => r.author === user);
          if (earlier !== undefined && earlier.submittedBy === this.#o.self && earlier.proposedState === proposed) {
            await markHandled();
            return { kind: 'duplicate', why: 'review already submitted from Jira' };
          }
          return refuse(`${user} has already reviewed this request; each person reviews once.`);
        }
        case 'NOT_FOUND':
          return refuse(`${user} is not a Gatehouse user.`);
        case 'FAILED_PRECONDITION':
          // Resolved or expired meanwhile: the request handler brings the issue in line.
          return { kind: 'ignored', why: err.details };
        default:
          throw err;
      }
    }
    this.#log.info({ issue: issue.key, requestId: request.id, author: user, mappedBy: mapped.how, proposed, state: after.state }, 'submitted a review on behalf of the Jira user');
    const reviewed: SyncOutcome = { kind: 'reviewed', requestId: request.id, author: user, state: after.state };
    if (after.state !== 'PENDING') {
      await markHandled();
      return reviewed;
    }
    // Recorded, not decided: back to pending so the next reviewer can move it again. The review
    // stands whatever happens to the issue now, so a Jira failure here is logged, not thrown.
    try {
      return await once('recorded', (movedBack) => renderRecordedComment(user, proposed, this.#o.config.statuses, movedBack), reviewed);
    } catch (err) {
      this.#log.warn({ issue: issue.key, err: err instanceof Error ? err.message : String(err) }, 'review recorded but the issue could not be moved back to pending');
      return reviewed;
    }
  }

  /** Comments and moves the issue back to pending in one change (comment only if the workflow has no way back). */
  async #moveBack(issue: IssueView, comment: (movedBack: boolean) => AdfDoc, retry: RetryOptions | undefined): Promise<void> {
    const { api, config } = this.#o;
    const pending = config.statuses.pending.toLowerCase();
    const transition = (await api.transitions(issue.id, retry)).find((t) => t.toName.toLowerCase() === pending);
    if (transition === undefined) {
      this.#log.warn({ issue: issue.key, status: issue.status.name, pending: config.statuses.pending }, 'no transition back to the pending status; only commenting');
      await api.addComment(issue.id, comment(false), retry);
      return;
    }
    await api.transition(issue.id, transition.id, comment(true), retry);
  }
}
