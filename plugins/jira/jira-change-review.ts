import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { RetryOptions } from '../common/with-retry.ts';
import type { AdfDoc } from './jira-adf.ts';
import type { IssueView, JiraApi, StatusChange } from './jira-api.ts';
import type { JiraConfig } from './jira-config.ts';
import { hasMarker } from './jira-effect-marker.ts';
import { renderRecordedComment, renderRefusalComment } from './jira-issue-text.ts';
import { findReason } from './jira-reason.ts';
import type { MappedAccount } from './jira-user-mapper.ts';

/** What came of looking at an issue. */
export type SyncOutcome =
  | { readonly kind: 'ignored'; readonly why: string }
  | { readonly kind: 'duplicate'; readonly why: string }
  /** An effect of it is claimed by another process (or still running here): look again later, it is not handled. */
  | { readonly kind: 'busy'; readonly why: string }
  | { readonly kind: 'reviewed'; readonly requestId: string; readonly author: string; readonly state: string }
  | { readonly kind: 'refused'; readonly requestId: string; readonly why: string };

/** One person's status change on a request's issue, and what acting on it needs. */
export interface ChangeReview {
  readonly api: JiraApi;
  readonly client: GatehouseClient;
  readonly config: JiraConfig;
  /** The plugin's Gatehouse user: the submitter of the reviews it makes. */
  readonly self: string;
  /** The plugin's Jira account: the author of its comments. */
  readonly botAccountId: string;
  readonly log: Logger;
  /** The issue as just read (status approved or denied, `change` its newest status change). */
  readonly issue: IssueView;
  readonly request: AccessRequest__Output;
  readonly change: StatusChange;
  readonly proposed: 'APPROVED' | 'DENIED';
  readonly mapped: MappedAccount | undefined;
  /** Budget and signal (the deadline) of the Jira calls. */
  readonly retry: RetryOptions;
}

/** Review reasons are limited to 4096 UTF-8 bytes by the server. */
const MAX_REASON_BYTES = 4000;

function cutBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  return `${bytes.subarray(0, max - 20).toString('utf8').replace(/\uFFFD+$/, '')}… (truncated)`;
}

/**
 * Acts on a person's status change: reviews on their behalf, or refuses; a refusal, or a review
 * that leaves the request pending, is commented and the issue moved back to pending.
 *
 * Safe to run again for the same change, which is how a run cut short is completed: each step
 * checks before it acts. The server takes one review per person, and a repeat is told apart from
 * someone else's earlier review by its submitter (the plugin); the comment is made only if no
 * comment of the plugin since the change carries its marker; the move back happens only while
 * the issue is still in the status the person chose (or this would not run).
 */
export async function reviewChange(c: ChangeReview): Promise<SyncOutcome> {
  const { request, change, proposed, mapped } = c;
  const author = change.author;
  const who = author?.displayName ?? 'Someone';
  const refuse = async (why: string): Promise<SyncOutcome> => {
    await moveBack(c, `refuse:${change.historyId}`, (movedBack) => renderRefusalComment(who, why, c.config.statuses, movedBack));
    return { kind: 'refused', requestId: request.id, why };
  };

  if (author === undefined || mapped === undefined) return refuse('Jira does not say who made the change.');
  if ('unmapped' in mapped) return refuse(`the Jira account is not mapped to a Gatehouse user: ${mapped.unmapped}.`);
  const user = mapped.user;
  if (user === request.user) return refuse(`${user} requested this access and cannot review their own request.`);
  const reason = cutBytes(findReason(c.issue.comments, author.accountId, change.at), MAX_REASON_BYTES);
  let after: AccessRequest__Output;
  try {
    after = await c.client.submitAccessReview({ requestId: request.id, proposedState: proposed, reason, author: user });
    c.log.info({ issue: c.issue.key, requestId: request.id, author: user, mappedBy: mapped.how, proposed, state: after.state }, 'submitted a review on behalf of the Jira user');
  } catch (err) {
    if (GatehouseError.is(err, 'PERMISSION_DENIED')) return refuse(`Gatehouse does not allow ${user} to review this request (${err.details}).`);
    if (GatehouseError.is(err, 'NOT_FOUND')) return refuse(`${user} is not a Gatehouse user.`);
    // Resolved or expired meanwhile: the request handler brings the issue in line.
    if (GatehouseError.is(err, 'FAILED_PRECONDITION')) return { kind: 'ignored', why: err.details };
    if (!GatehouseError.is(err, 'ALREADY_EXISTS')) throw err;
    const current = await c.client.getAccessRequest(request.id);
    const earlier = current.reviews.find((r) => r.author === user);
    if (earlier === undefined || earlier.submittedBy !== c.self || earlier.proposedState !== proposed) return refuse(`${user} has already reviewed this request; each person reviews once.`);
    // Their review from Jira stands (made by an earlier run for this change, or by an earlier move
    // of theirs): carry on as if it had just been made.
    after = current;
  }
  const reviewed: SyncOutcome = { kind: 'reviewed', requestId: request.id, author: user, state: after.state };
  if (after.state !== 'PENDING') return reviewed;
  // Recorded, not decided: back to pending so the next reviewer can move it again.
  await moveBack(c, `recorded:${change.historyId}`, (movedBack) => renderRecordedComment(user, proposed, c.config.statuses, movedBack));
  return reviewed;
}

/**
 * Comments (once: see reviewChange) and then moves the issue back to pending, or only comments if
 * the workflow has no way back. The comment comes first: if the plugin dies between the two, the
 * issue is still in the status the person chose, where Jira's redelivery and the reconciler find
 * it, and the next run completes the move.
 */
async function moveBack(c: ChangeReview, op: string, comment: (movedBack: boolean) => AdfDoc): Promise<void> {
  const { api, config, issue, request, retry } = c;
  const pending = config.statuses.pending.toLowerCase();
  const transition = (await api.transitions(issue.id, retry)).find((t) => t.toName.toLowerCase() === pending);
  if (transition === undefined) c.log.warn({ issue: issue.key, status: issue.status.name, pending: config.statuses.pending }, 'no transition back to the pending status; only commenting');
  const since = issue.comments.filter((x) => x.author?.accountId === c.botAccountId && x.at >= c.change.at).map((x) => x.id);
  const commented = since.length > 0 && hasMarker(await api.effectMarkers(since, retry), request.id, op);
  if (!commented) await api.addComment(issue.id, comment(transition !== undefined), { requestId: request.id, op }, retry);
  if (transition !== undefined) await api.transition(issue.id, transition.id, retry);
}
