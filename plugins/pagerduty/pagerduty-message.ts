import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { Review__Output } from '../../proto/gen/gatehouse/v1/Review.ts';
import { truncateText } from '../common/truncate-text.ts';

/** Longest reason shown (request, review and resolution reasons), like the reference. */
export const REASON_LIMIT = 500;
const LIST_LIMIT = 300;
const TITLE_LIMIT = 200;

/** The incident's dedup key: one open incident per request and service, whoever creates it. */
export function incidentKeyFor(requestId: string): string {
  return `gatehouse-access-request/${requestId}`;
}

function when(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'an unknown time';
}

export function renderIncidentTitle(request: AccessRequest__Output): string {
  return truncateText(`Access request from ${request.user} for ${request.roles.join(', ')}`, TITLE_LIMIT);
}

/** The incident body: who asked for what, why, and how to review it. */
export function renderIncidentDetails(request: AccessRequest__Output, webConsoleUrl: string | undefined): string {
  const lines = [
    `${request.user} requested the role(s) ${truncateText(request.roles.join(', '), LIST_LIMIT)} on Gatehouse at ${when(request.createdMs)}.`,
    `Request ID: ${request.id}`,
  ];
  if (request.reason.trim() !== '') lines.push(`Reason: ${truncateText(request.reason, REASON_LIMIT)}`);
  if (webConsoleUrl !== undefined) lines.push(`To approve or deny the request, open ${webConsoleUrl}/web/requests/${encodeURIComponent(request.id)}`);
  lines.push(`To approve or deny it from a terminal: gatehouse request review ${request.id} --approve (or --deny)`);
  return lines.join('\n');
}

export function renderReviewNote(review: Review__Output): string {
  const by = review.submittedBy !== '' && review.submittedBy !== review.author ? ` (submitted by ${review.submittedBy})` : '';
  const lines = [`${review.author}${by} reviewed the request at ${when(review.createdMs)}.`, `Resolution: ${review.proposedState}.`];
  if (review.reason.trim() !== '') lines.push(`Reason: ${truncateText(review.reason, REASON_LIMIT)}`);
  return lines.join('\n');
}

/** The note added before the incident is resolved. */
export function renderResolutionNote(request: AccessRequest__Output): string {
  const verb = request.state.toLowerCase();
  const lines = [`Access request has been ${verb}${request.resolvedBy !== '' && (request.state === 'APPROVED' || request.state === 'DENIED') ? ` by ${request.resolvedBy}` : ''}.`];
  if (request.resolveReason.trim() !== '') lines.push(`Reason: ${truncateText(request.resolveReason, REASON_LIMIT)}`);
  return lines.join('\n');
}
