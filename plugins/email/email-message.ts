import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { Review__Output } from '../../proto/gen/gatehouse/v1/Review.ts';
import { truncateText } from '../common/truncate-text.ts';
import { renderHtml, renderText, type Block, type Field } from './email-document.ts';

/** Longest reason shown; the server allows 4 KiB, mail has room for most of it. */
export const REASON_LIMIT = 2000;
const LIST_LIMIT = 300;
const SUBJECT_LIMIT = 160;

/** What every message needs besides the request. */
export interface MessageContext {
  /** The server's cluster name, in the subject. */
  readonly cluster: string;
  /** Web console base URL; adds a link to the request. */
  readonly webConsoleUrl: string | undefined;
}

/** Subject and both bodies of one email. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const STATUS: Readonly<Record<string, string>> = {
  PENDING: '⏳ PENDING',
  APPROVED: '✅ APPROVED',
  DENIED: '❌ DENIED',
  EXPIRED: '⌛ EXPIRED',
  REVOKED: '🚫 REVOKED',
  DELETED: '🗑️ DELETED',
};

/**
 * Text fit for a header: control characters (CR and LF among them) become spaces, runs of
 * white space one space, and it is cut at `limit`. What reaches a header never ends it.
 */
export function headerText(text: string, limit = SUBJECT_LIMIT): string {
  return truncateText(text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' '), limit);
}

/** `2025-01-02 15:04 UTC`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

const roleList = (request: AccessRequest__Output): string => truncateText(request.roles.join(', '), LIST_LIMIT);
const reasonField = (label: string, reason: string): Field[] => (reason.trim() === '' ? [] : [{ label, value: truncateText(reason, REASON_LIMIT), style: 'quote' }]);

/** The subject of every message about a request (replies add `Re: `): the same, so clients thread them. */
export function threadSubject(request: AccessRequest__Output, ctx: MessageContext): string {
  return headerText(`[${ctx.cluster}] Access request ${request.id} by ${request.user} for ${roleList(request)}`);
}

function finish(subject: string, blocks: readonly Block[]): RenderedMail {
  return { subject, text: renderText(blocks), html: renderHtml(blocks) };
}

function linkFields(request: AccessRequest__Output, ctx: MessageContext): Field[] {
  return ctx.webConsoleUrl === undefined ? [] : [{ label: 'Web console', value: `${ctx.webConsoleUrl}/web/requests/${encodeURIComponent(request.id)}`, style: 'link' }];
}

/**
 * The first message of a request's thread: who asks for what and why, until when, and how to
 * review it. Always rendered as the request was when it was new, so a resent copy (same
 * Message-ID) says the same as the first.
 */
export function renderNewRequest(request: AccessRequest__Output, ctx: MessageContext): RenderedMail {
  const fields: Field[] = [
    { label: 'Request', value: request.id, style: 'code' },
    { label: 'Cluster', value: ctx.cluster },
    { label: 'User', value: request.user },
    { label: 'Roles', value: roleList(request) },
    ...reasonField('Reason', request.reason),
  ];
  if (request.suggestedReviewers.length > 0) fields.push({ label: 'Suggested reviewers', value: truncateText(request.suggestedReviewers.join(', '), LIST_LIMIT) });
  if (request.pendingExpiresMs > 0) fields.push({ label: 'Review by', value: formatTime(request.pendingExpiresMs) });
  if (request.accessExpiresMs > 0) fields.push({ label: 'Access until', value: formatTime(request.accessExpiresMs) });
  const blocks: Block[] = [
    { kind: 'para', text: `${request.user} requests access to ${roleList(request)}.` },
    { kind: 'fields', fields },
    {
      kind: 'commands',
      intro: 'To review it:',
      lines: [`gatehouse request review ${request.id} --approve --reason "..."`, `gatehouse request review ${request.id} --deny --reason "..."`],
    },
  ];
  const link = linkFields(request, ctx);
  if (link.length > 0) blocks.push({ kind: 'fields', fields: link });
  blocks.push({ kind: 'fields', fields: [{ label: 'Status', value: STATUS['PENDING'] ?? 'PENDING' }] });
  return finish(threadSubject(request, ctx), blocks);
}

/** A review, as a reply in the thread. */
export function renderReview(request: AccessRequest__Output, review: Review__Output, ctx: MessageContext): RenderedMail {
  const verdict = review.proposedState === 'APPROVED' ? 'approved' : review.proposedState === 'DENIED' ? 'denied' : `reviewed (${review.proposedState})`;
  const by = review.submittedBy !== '' && review.submittedBy !== review.author ? ` (submitted by ${review.submittedBy})` : '';
  const when = review.createdMs > 0 ? ` at ${formatTime(review.createdMs)}` : '';
  const blocks: Block[] = [
    { kind: 'para', text: `${review.author}${by} ${verdict} the request${when}.` },
    { kind: 'fields', fields: [...reasonField('Reason', review.reason), { label: 'Request', value: request.id, style: 'code' }, ...linkFields(request, ctx)] },
  ];
  return finish(threadSubject(request, ctx), blocks);
}

/** What a state says happened, for reviewers and for the requester. */
function outcome(request: AccessRequest__Output, state: string): string {
  const by = request.resolvedBy !== '' && request.resolvedBy !== 'system' ? ` by ${request.resolvedBy}` : '';
  switch (state) {
    case 'APPROVED':
      return `was approved${by}`;
    case 'DENIED':
      return `was denied${by}`;
    case 'EXPIRED':
      return request.reviews.some((r) => r.proposedState === 'APPROVED') ? 'has expired: the access it granted has ended' : 'has expired without a decision';
    case 'REVOKED':
      return `was revoked${by}: the access it granted has ended`;
    case 'DELETED':
      return 'was deleted';
    default:
      return `is now ${state}`;
  }
}

function stateBlocks(request: AccessRequest__Output, state: string, ctx: MessageContext, lead: string): Block[] {
  const blocks: Block[] = [{ kind: 'para', text: lead }];
  if (state === 'APPROVED') blocks.push({ kind: 'commands', intro: `${request.user} can use it with:`, lines: [`gatehouse request assume ${request.id}`] });
  blocks.push({
    kind: 'fields',
    fields: [
      ...reasonField('Reason', state === 'DELETED' ? '' : request.resolveReason),
      { label: 'Request', value: request.id, style: 'code' },
      { label: 'Roles', value: roleList(request) },
      ...linkFields(request, ctx),
      { label: 'Status', value: STATUS[state] ?? state },
    ],
  });
  return blocks;
}

/** A change of the request's state after it was announced (approved, denied, expired, revoked, deleted), as a reply in the thread. */
export function renderStateChange(request: AccessRequest__Output, state: string, ctx: MessageContext): RenderedMail {
  return finish(threadSubject(request, ctx), stateBlocks(request, state, ctx, `The access request of ${request.user} ${outcome(request, state)}.`));
}

/** The message to the requester when their request reaches `state`. */
export function renderRequesterNotice(request: AccessRequest__Output, state: string, ctx: MessageContext): RenderedMail {
  return finish(threadSubject(request, ctx), stateBlocks(request, state, ctx, `Your access request for ${roleList(request)} ${outcome(request, state)}.`));
}
