import type { KnownBlock } from '@slack/types';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { Review__Output } from '../../proto/gen/gatehouse/v1/Review.ts';
import { truncateText } from '../common/truncate-text.ts';

/** Longest reason shown (request, resolution and review reasons), like the reference. */
export const REASON_LIMIT = 500;
const LIST_LIMIT = 300;

export interface RenderedMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export interface RenderOptions {
  /** Web console base URL; adds a link to the request. */
  readonly webConsoleUrl?: string | undefined;
}

const STATUS: Readonly<Record<string, string>> = {
  PENDING: '⏳ PENDING',
  APPROVED: '✅ APPROVED',
  DENIED: '❌ DENIED',
  EXPIRED: '⌛ EXPIRED',
  REVOKED: '🚫 REVOKED',
};

/** Escapes the three characters Slack mrkdwn gives meaning to. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A user-supplied reason as a quote block, cut cleanly at REASON_LIMIT. */
function quote(reason: string): string {
  return escapeMrkdwn(truncateText(reason, REASON_LIMIT))
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/** The request message: who, which roles, reason, id, status and how to review (or the outcome). */
export function renderRequestMessage(request: AccessRequest__Output, options: RenderOptions = {}): RenderedMessage {
  const { id, user, state } = request;
  const roles = escapeMrkdwn(truncateText(request.roles.join(', '), LIST_LIMIT));
  const pending = state === 'PENDING';
  const fields = [`*ID*: \`${id}\``, `*User*: ${escapeMrkdwn(user)}`, `*Role(s)*: ${roles}`];
  if (options.webConsoleUrl) fields.push(`*Link*: <${options.webConsoleUrl}/web/requests/${encodeURIComponent(id)}|open in the web console>`);
  if (pending) {
    fields.push(`*Approve*: \`gatehouse request review ${id} --approve\``, `*Deny*: \`gatehouse request review ${id} --deny\``);
  }
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(user)}* requests access to *${roles}*` } },
    { type: 'section', text: { type: 'mrkdwn', text: fields.join('\n') } },
  ];
  if (request.reason.trim() !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Reason*:\n${quote(request.reason)}` } });
  let status = `*Status*: ${STATUS[state] ?? state}`;
  if (!pending && request.resolveReason.trim() !== '') status += `\n*Resolution reason*:\n${quote(request.resolveReason)}`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: status }] });
  const text = `Access request ${id} by ${user} for ${truncateText(request.roles.join(', '), LIST_LIMIT)}: ${state}`;
  return { text, blocks };
}

/** A review, as a reply in the request message's thread. */
export function renderReviewReply(review: Review__Output): string {
  const verdict = review.proposedState === 'APPROVED' ? '✅ approved' : review.proposedState === 'DENIED' ? '❌ denied' : escapeMrkdwn(review.proposedState);
  const by = review.submittedBy !== '' && review.submittedBy !== review.author ? ` (submitted by ${escapeMrkdwn(review.submittedBy)})` : '';
  const when = review.createdMs > 0 ? ` at ${new Date(review.createdMs).toISOString().replace('T', ' ').slice(0, 16)} UTC` : '';
  const reason = review.reason.trim() !== '' ? `\n${quote(review.reason)}` : '';
  return `*${escapeMrkdwn(review.author)}*${by} ${verdict} the request${when}.${reason}`;
}

/** The DM to the requester when their request is resolved. */
export function renderRequesterNotice(request: AccessRequest__Output, options: RenderOptions = {}): string {
  const roles = escapeMrkdwn(truncateText(request.roles.join(', '), LIST_LIMIT));
  const outcome =
    request.state === 'APPROVED'
      ? `was *approved*${request.resolvedBy ? ` by ${escapeMrkdwn(request.resolvedBy)}` : ''}. Assume it with \`gatehouse request assume ${request.id}\``
      : request.state === 'DENIED'
        ? `was *denied*${request.resolvedBy ? ` by ${escapeMrkdwn(request.resolvedBy)}` : ''}`
        : `has *expired*`;
  const reason = request.resolveReason.trim() !== '' ? `\n*Reason*:\n${quote(request.resolveReason)}` : '';
  const link = options.webConsoleUrl ? `\n<${options.webConsoleUrl}/web/requests/${encodeURIComponent(request.id)}|Open in the web console>` : '';
  return `Your access request \`${request.id}\` for *${roles}* ${outcome}.${reason}${link}`;
}
