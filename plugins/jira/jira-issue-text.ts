import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { Review__Output } from '../../proto/gen/gatehouse/v1/Review.ts';
import { truncateText } from '../common/truncate-text.ts';
import { bulletList, doc, paragraph, quote, type AdfDoc, type AdfNode } from './jira-adf.ts';
import type { JiraStatuses } from './jira-config.ts';

/** Longest request or review reason shown on an issue (the reference's jiraReasonLimit). */
export const REASON_LIMIT = 3000;
const SUMMARY_LIMIT = 250;

export interface IssueTextOptions {
  readonly statuses: JiraStatuses;
  readonly webConsoleUrl: string | undefined;
}

/** `alice requested prodaccess, dbadmin`, on one line, within Jira's 255 characters. */
export function renderSummary(request: AccessRequest__Output): string {
  const text = `${request.user} requested ${request.roles.join(', ')}`.replace(/[\r\n\t]+/g, ' ');
  return truncateText(text, SUMMARY_LIMIT);
}

/** The description: who, which roles, the reason, the request id and how to review. */
export function renderDescription(request: AccessRequest__Output, options: IssueTextOptions): AdfDoc {
  const { statuses } = options;
  const created = request.createdMs > 0 ? new Date(request.createdMs).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'now';
  const content: AdfNode[] = [
    paragraph({ bold: request.user }, ` requested access on ${created} with the following roles:`),
    bulletList(request.roles.map((r) => [r])),
  ];
  if (request.reason.trim() !== '') content.push(paragraph({ bold: 'Reason:' }), quote(truncateText(request.reason, REASON_LIMIT)));
  content.push(paragraph({ bold: 'Request ID: ' }, { code: request.id }));
  if (request.suggestedReviewers.length > 0) content.push(paragraph('Suggested reviewers: ', request.suggestedReviewers.join(', ')));
  content.push(
    paragraph(
      { bold: 'To review: ' },
      `move this issue to ${statuses.approved} or ${statuses.denied}. Write your reason in the comment of the transition, or in a comment starting with "Reason:". `,
      'Your Jira account must belong to a Gatehouse user allowed to review these roles; you cannot review your own request.',
    ),
    paragraph('Or from the command line: ', { code: `gatehouse request review ${request.id} --approve` }, ' / ', { code: '--deny' }),
  );
  if (options.webConsoleUrl !== undefined) {
    const link = `${options.webConsoleUrl}/web/requests/${encodeURIComponent(request.id)}`;
    content.push(paragraph('Web console: ', { link, text: link }));
  }
  return doc(...content);
}

function verb(state: string): string {
  return state === 'APPROVED' ? 'approved' : state === 'DENIED' ? 'denied' : state.toLowerCase();
}

function reviewLine(review: Review__Output): AdfNode {
  const via = review.submittedBy !== '' && review.submittedBy !== review.author ? ` (submitted by ${review.submittedBy})` : '';
  const reason = review.reason.trim() === '' ? '' : `: ${truncateText(review.reason, REASON_LIMIT)}`;
  return paragraph({ bold: review.author }, `${via} ${verb(review.proposedState)} the request${reason}`);
}

/** A comment for reviews made outside Jira while the request is still pending. */
export function renderReviewsComment(reviews: readonly Review__Output[]): AdfDoc {
  return doc(...reviews.map(reviewLine), paragraph('The request is still pending.'));
}

/** The comment that goes with the resolution: the outcome, who decided and why. */
export function renderResolutionComment(request: AccessRequest__Output): AdfDoc {
  const content: AdfNode[] = [];
  switch (request.state) {
    case 'APPROVED':
    case 'DENIED':
      content.push(paragraph('Access request has been ', { bold: verb(request.state) }, request.resolvedBy ? ` by ${request.resolvedBy}.` : '.'));
      break;
    case 'EXPIRED':
      content.push(paragraph('Access request has ', { bold: 'expired' }, ': nobody resolved it in time.'));
      break;
    case 'REVOKED':
      content.push(paragraph('The access granted by this request has been ', { bold: 'revoked' }, request.resolvedBy ? ` by ${request.resolvedBy}.` : '.'));
      break;
    default:
      content.push(paragraph(`Access request is now ${request.state}.`));
  }
  if (request.resolveReason.trim() !== '') content.push(paragraph({ bold: 'Reason:' }), quote(truncateText(request.resolveReason, REASON_LIMIT)));
  if (request.reviews.length > 0) {
    content.push(paragraph({ bold: 'Reviews:' }), bulletList(request.reviews.map((r) => [{ bold: r.author }, `${r.submittedBy !== '' && r.submittedBy !== r.author ? ` (via ${r.submittedBy})` : ''} ${verb(r.proposedState)}${r.reason.trim() ? `: ${truncateText(r.reason, 300)}` : ''}`])));
  }
  return doc(...content);
}

/** The comment when a deleted request's issue is closed. */
export function renderDeletedComment(): AdfDoc {
  return doc(paragraph('The access request was deleted in Gatehouse; this issue no longer has any effect.'));
}

/** Why a status change was not taken as a review; the issue goes back to pending. */
export function renderRefusalComment(who: string, why: string, statuses: JiraStatuses, movedBack: boolean): AdfDoc {
  return doc(
    paragraph({ bold: who }, ` moved this issue, but it was not taken as a review: ${why}`),
    paragraph(movedBack ? `The request is unchanged and the issue is back in ${statuses.pending}.` : 'The request is unchanged.'),
  );
}

/** When a Jira review was recorded but the request needs more reviews. */
export function renderRecordedComment(author: string, state: 'APPROVED' | 'DENIED', statuses: JiraStatuses, movedBack: boolean): AdfDoc {
  const rest = movedBack ? `, so the issue is back in ${statuses.pending} for the next reviewer.` : '.';
  return doc(paragraph(`The ${state === 'APPROVED' ? 'approval' : 'denial'} by `, { bold: author }, ` is recorded as their review. The request needs more reviews${rest}`));
}
