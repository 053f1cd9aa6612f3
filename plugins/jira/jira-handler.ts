import { isApiError } from 'jira.js';
import type { Logger } from 'pino';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { PermanentError } from '../common/permanent-error.ts';
import { isSkipped } from '../common/plugin-data-key.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import type { InDoubt, RequestPluginData } from '../common/request-plugin-data.ts';
import { isResolved, type ResolvedState } from '../common/request-states.ts';
import { describeJiraError, isRefusedByJira, jqlString, type JiraApi } from './jira-api.ts';
import type { JiraConfig } from './jira-config.ts';
import { hasMarker } from './jira-effect-marker.ts';
import { renderDeletedComment, renderDescription, renderResolutionComment, renderReviewsComment, renderSummary } from './jira-issue-text.ts';
import { ISSUE, RESOLUTION, REVIEWS, requestLabel, type IssueRef } from './jira-plugin-data.ts';

export interface JiraHandlerOptions {
  config: JiraConfig;
  api: JiraApi;
  log: Logger;
  /** The plugin's Gatehouse user: reviews it submitted on someone's behalf came from Jira itself. */
  self: string;
  /** The plugin's Jira account: the author of the comments it looks for when an effect is in doubt. */
  botAccountId: string;
  webConsoleUrl: string | undefined;
}

/** Jira answers that no retry fixes (a bad field, a missing project or issue type). */
function isPermanentJiraError(err: unknown): boolean {
  return isApiError(err) && (err.status === 400 || err.status === 403 || err.status === 404);
}

/** The number N of a `reviews:N` op. */
function reviewsOf(op: string): number | undefined {
  const m = /^reviews:(\d{1,6})$/.exec(op);
  return m === null ? undefined : Number(m[1]);
}

/** The state S of a `resolve:S` op. */
function resolvedOf(op: string): ResolvedState | undefined {
  const state = op.startsWith('resolve:') ? op.slice('resolve:'.length) : '';
  return isResolved(state) ? state : undefined;
}

/**
 * The request side of the Jira plugin: one issue per request, a comment for reviews made outside
 * Jira, and on resolution a move to the matching status with a comment saying who decided and
 * why. Each is an effect of the protocol in request-plugin-data.ts; one left in doubt by a crash
 * is looked up in Jira: the issue by its per-request label, a comment by the marker property the
 * plugin gives every comment it makes (jira-effect-marker.ts).
 */
export function createJiraHandler(options: JiraHandlerOptions): Pick<PluginHandler, 'onRequest' | 'onDeleted'> {
  const { config, api, botAccountId } = options;
  const log = options.log.child({ component: 'jira-handler' });

  /** The request's issue, by its per-request label. */
  async function findIssue(requestId: string, signal: AbortSignal): Promise<IssueRef | undefined> {
    const jql = `project = ${jqlString(config.project)} AND labels = ${jqlString(requestLabel(requestId))} ORDER BY created ASC`;
    const id = (await api.searchIds(jql, undefined, { signal })).ids[0];
    return id === undefined ? undefined : api.issueRef(id, { signal });
  }

  /** Whether the plugin's comments on the issue include the one of effect `op` of the request. */
  async function commented(issueId: string, requestId: string, op: string, signal: AbortSignal): Promise<boolean> {
    return hasMarker(await api.markersBy(issueId, botAccountId, { signal }), requestId, op);
  }

  async function ensureIssue(request: AccessRequest__Output, data: RequestPluginData): Promise<IssueRef | undefined> {
    const recorded = data.get(ISSUE);
    if (recorded !== undefined) return isSkipped(recorded) ? undefined : recorded;
    // A request resolved before the plugin first saw it gets no issue (unless one was under way).
    if (data.pending(ISSUE) === undefined && request.state !== 'PENDING') return undefined;
    const value = await data.effect(
      ISSUE,
      'create',
      async (signal) => {
        // Only when a creation left in doubt turned out not to have happened.
        if (request.state !== 'PENDING') return { skipped: 'never created' };
        const created = await api.createIssue(
          {
            project: config.project,
            issueType: config.issueType,
            summary: renderSummary(request),
            description: renderDescription(request, { statuses: config.statuses, webConsoleUrl: options.webConsoleUrl }),
            labels: [config.label, requestLabel(request.id)],
            requestId: request.id,
          },
          { signal },
        );
        log.info({ requestId: request.id, issue: created.key, issueId: created.id }, 'created Jira issue');
        return created;
      },
      {
        // Jira's search index may lag a write by a moment; an issue in doubt is looked for only
        // after a retry's backoff (own claim) or the takeover window (another process's).
        findInDoubt: ({ signal }) => findIssue(request.id, signal),
        notPerformed: isRefusedByJira,
      },
    );
    return isSkipped(value) ? undefined : value;
  }

  async function announceReviews(request: AccessRequest__Output, data: RequestPluginData, issue: IssueRef): Promise<void> {
    const told = data.get(REVIEWS) ?? 0;
    const count = request.reviews.length;
    if (told >= count) return;
    const op = `reviews:${count}`;
    await data.effect(
      REVIEWS,
      op,
      async (signal) => {
        // Reviews made from Jira are already visible there (the transition and the plugin's comment).
        const fresh = request.reviews.slice(told).filter((r) => r.submittedBy === '' || r.submittedBy !== options.self);
        if (fresh.length > 0) await api.addComment(issue.id, renderReviewsComment(fresh), { requestId: request.id, op }, { signal });
        return count;
      },
      {
        findInDoubt: async (doubt: InDoubt<number>) => {
          const n = reviewsOf(doubt.op);
          return n !== undefined && (await commented(issue.id, request.id, doubt.op, doubt.signal)) ? n : undefined;
        },
        notPerformed: isRefusedByJira,
      },
    );
  }

  /**
   * Moves the issue to the outcome's status (when the workflow has one and it is not there yet),
   * then comments. The comment comes last and carries the marker, so it says the whole effect
   * happened; a redo after a crash between the two finds the issue moved and only comments.
   */
  async function showOutcome(request: AccessRequest__Output, state: ResolvedState, issue: IssueRef, op: string, signal: AbortSignal): Promise<void> {
    const target = state === 'APPROVED' ? config.statuses.approved : state === 'DENIED' ? config.statuses.denied : state === 'EXPIRED' ? config.statuses.expired : undefined;
    const status = await api.issueStatus(issue.id, { signal });
    if (target !== undefined && status.name.toLowerCase() !== target.toLowerCase()) {
      const transition = (await api.transitions(issue.id, { signal })).find((t) => t.toName.toLowerCase() === target.toLowerCase());
      if (transition === undefined) log.warn({ requestId: request.id, issue: issue.key, from: status.name, to: target }, 'the workflow has no transition to the outcome status; only commenting');
      else await api.transition(issue.id, transition.id, { signal });
    }
    await api.addComment(issue.id, renderResolutionComment(request), { requestId: request.id, op }, { signal });
    log.info({ requestId: request.id, issue: issue.key, state }, 'issue shows the outcome');
  }

  async function resolve(request: AccessRequest__Output, state: ResolvedState, data: RequestPluginData, issue: IssueRef): Promise<void> {
    if (data.get(RESOLUTION)?.rest === state) return;
    const op = `resolve:${state}`;
    await data.effect(
      RESOLUTION,
      op,
      async (signal) => {
        await showOutcome(request, state, issue, op, signal);
        return { tag: 'done', rest: state } as const;
      },
      {
        findInDoubt: async (doubt) => {
          const s = resolvedOf(doubt.op);
          return s !== undefined && (await commented(issue.id, request.id, doubt.op, doubt.signal)) ? ({ tag: 'done', rest: s } as const) : undefined;
        },
        notPerformed: isRefusedByJira,
      },
    );
  }

  return {
    async onRequest(request, data) {
      try {
        const issue = await ensureIssue(request, data);
        if (issue === undefined) return;
        // Once resolved, the resolution comment lists every review instead.
        if (request.state === 'PENDING') await announceReviews(request, data, issue);
        else if (isResolved(request.state)) await resolve(request, request.state, data, issue);
      } catch (err) {
        if (isPermanentJiraError(err)) throw new PermanentError(`Jira refused: ${describeJiraError(err)}`, { cause: err });
        throw err;
      }
    },

    async onDeleted(requestId, signal) {
      // The plugin data went with the request: find the issue by its request label.
      const jql = `project = ${jqlString(config.project)} AND labels = ${jqlString(requestLabel(requestId))} AND status = ${jqlString(config.statuses.pending)}`;
      const { ids } = await api.searchIds(jql, undefined, { signal });
      for (const id of ids) {
        const target = config.statuses.expired;
        const transition = target === undefined ? undefined : (await api.transitions(id, { signal })).find((t) => t.toName.toLowerCase() === target.toLowerCase());
        if (transition !== undefined) await api.transition(id, transition.id, { signal });
        // A replayed deletion finds an issue that could not be moved still pending: comment once.
        if (!(await commented(id, requestId, 'deleted', signal))) await api.addComment(id, renderDeletedComment(), { requestId, op: 'deleted' }, { signal });
        log.info({ requestId, issueId: id }, 'closed the issue of a deleted request');
      }
    },
  };
}
