import type { Logger } from 'pino';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { PermanentError } from '../common/permanent-error.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import { parseClaim, type RequestPluginData } from '../common/request-plugin-data.ts';
import { isApiError } from 'jira.js';
import { describeJiraError, jqlString, type JiraApi } from './jira-api.ts';
import type { JiraConfig } from './jira-config.ts';
import { renderDeletedComment, renderDescription, renderResolutionComment, renderReviewsComment, renderSummary } from './jira-issue-text.ts';
import { formatIssueRef, parseIssueRef, requestLabel, STALE_CLAIM_MS, type IssueRef } from './jira-plugin-data.ts';

export interface JiraHandlerOptions {
  config: JiraConfig;
  api: JiraApi;
  log: Logger;
  /** The plugin's Gatehouse user: reviews it submitted on someone's behalf came from Jira itself. */
  self: string;
  webConsoleUrl: string | undefined;
  now: () => number;
}

const RESOLVED = new Set(['APPROVED', 'DENIED', 'EXPIRED', 'REVOKED']);

/** Jira answers that no retry fixes (a bad field, a missing project or issue type). */
function isPermanentJiraError(err: unknown): boolean {
  return isApiError(err) && (err.status === 400 || err.status === 403 || err.status === 404);
}

/**
 * The request side of the Jira plugin: one issue per request (created exactly once, guarded by
 * the `issue` claim; an abandoned claim is recovered by finding the issue by its request label),
 * a comment for reviews made outside Jira, and on resolution a transition to the matching status
 * with a comment saying who decided and why.
 */
export function createJiraHandler(options: JiraHandlerOptions): Pick<PluginHandler, 'onRequest' | 'onDeleted'> {
  const { config, api, now } = options;
  const log = options.log.child({ component: 'jira-handler' });

  /** The request's issue, by its per-request label (after a crash between create and record). */
  async function findIssue(requestId: string): Promise<string | undefined> {
    const jql = `project = ${jqlString(config.project)} AND labels = ${jqlString(requestLabel(requestId))} ORDER BY created ASC`;
    return (await api.searchIds(jql)).ids[0];
  }

  async function ensureIssue(request: AccessRequest__Output, data: RequestPluginData): Promise<IssueRef | undefined> {
    const value = data.get('issue');
    const existing = parseIssueRef(value);
    if (existing !== undefined) return existing;
    const claim = parseClaim(value);
    if (claim !== undefined && now() - claim.at < STALE_CLAIM_MS) {
      // Another replica is creating it; retry later to see its result (or recover if it died).
      throw new Error(`issue creation for ${request.id} is in progress elsewhere (${claim.by})`);
    }
    if (claim === undefined && request.state !== 'PENDING') return undefined;
    const recorded = await data.effect('issue', claim === undefined ? 'create' : 'recover', async () => {
      if (claim !== undefined) {
        const found = await findIssue(request.id);
        if (found !== undefined) {
          const status = await api.issue(found);
          log.warn({ requestId: request.id, issue: status.key }, 'recovered the issue of an abandoned creation');
          return formatIssueRef({ id: status.id, key: status.key });
        }
        if (request.state !== 'PENDING') return 'skip:never created';
      }
      const created = await api.createIssue({
        project: config.project,
        issueType: config.issueType,
        summary: renderSummary(request),
        description: renderDescription(request, { statuses: config.statuses, webConsoleUrl: options.webConsoleUrl }),
        labels: [config.label, requestLabel(request.id)],
        requestId: request.id,
      });
      log.info({ requestId: request.id, issue: created.key, issueId: created.id }, 'created Jira issue');
      return formatIssueRef(created);
    });
    return parseIssueRef(recorded);
  }

  async function announceReviews(request: AccessRequest__Output, data: RequestPluginData, issue: IssueRef): Promise<void> {
    const value = data.get('reviews');
    if (parseClaim(value) !== undefined) return;
    const told = Number(value ?? '0');
    if (!Number.isInteger(told) || told >= request.reviews.length) return;
    const fresh = request.reviews.slice(told).filter((r) => r.submittedBy === '' || r.submittedBy !== options.self);
    await data.effect('reviews', `reviews:${request.reviews.length}`, async () => {
      // Reviews made from Jira are already visible there (the transition and its comment).
      if (fresh.length > 0) await api.addComment(issue.id, renderReviewsComment(fresh));
      return String(request.reviews.length);
    });
  }

  async function resolve(request: AccessRequest__Output, data: RequestPluginData, issue: IssueRef): Promise<void> {
    const value = data.get('resolution');
    const done = `done:${request.state}`;
    if (value === done) return;
    const claim = parseClaim(value);
    if (claim !== undefined && now() - claim.at < STALE_CLAIM_MS) return;
    await data.effect('resolution', `resolve:${request.state}`, async () => {
      const target = request.state === 'APPROVED' ? config.statuses.approved : request.state === 'DENIED' ? config.statuses.denied : request.state === 'EXPIRED' ? config.statuses.expired : undefined;
      const comment = renderResolutionComment(request);
      const status = await api.issueStatus(issue.id);
      if (target === undefined || status.name.toLowerCase() === target.toLowerCase()) {
        await api.addComment(issue.id, comment);
      } else {
        const transition = (await api.transitions(issue.id)).find((t) => t.toName.toLowerCase() === target.toLowerCase());
        if (transition === undefined) {
          log.warn({ requestId: request.id, issue: issue.key, from: status.name, to: target }, 'the workflow has no transition to the outcome status; only commenting');
          await api.addComment(issue.id, comment);
        } else {
          await api.transition(issue.id, transition.id, comment);
        }
      }
      log.info({ requestId: request.id, issue: issue.key, state: request.state }, 'issue shows the outcome');
      return done;
    });
  }

  return {
    async onRequest(request, data) {
      try {
        const issue = await ensureIssue(request, data);
        if (issue === undefined) return;
        // Once resolved, the resolution comment lists every review instead.
        if (request.state === 'PENDING') await announceReviews(request, data, issue);
        else if (RESOLVED.has(request.state)) await resolve(request, data, issue);
      } catch (err) {
        if (isPermanentJiraError(err)) throw new PermanentError(`Jira refused: ${describeJiraError(err)}`, { cause: err });
        throw err;
      }
    },

    async onDeleted(requestId) {
      // The plugin data went with the request: find the issue by its request label.
      const jql = `project = ${jqlString(config.project)} AND labels = ${jqlString(requestLabel(requestId))} AND status = ${jqlString(config.statuses.pending)}`;
      const { ids } = await api.searchIds(jql);
      for (const id of ids) {
        const target = config.statuses.expired;
        const transition = target === undefined ? undefined : (await api.transitions(id)).find((t) => t.toName.toLowerCase() === target.toLowerCase());
        if (transition === undefined) await api.addComment(id, renderDeletedComment());
        else await api.transition(id, transition.id, renderDeletedComment());
        log.info({ requestId, issueId: id }, 'closed the issue of a deleted request');
      }
    },
  };
}
