import { AppError, failedPrecondition, invalidArgument, permissionDenied } from './app-error.ts';
import { createAccessChecker } from './access-checker.ts';
import { evaluatePredicate, parsePredicate } from './predicate.ts';
import type { PredicateContext } from './predicate.ts';
import { quoteShort } from './quote-short.ts';
import { REQUEST_LIMITS, utf8Length } from './request-limits.ts';
import type { AccessRequest, Review, Role } from './types.ts';

/** A review as submitted. */
export interface ReviewInput {
  /** The person the review is judged as. */
  author: string;
  /** The identity that submitted it for the author (a plugin), or "" / absent. */
  submittedBy?: string;
  proposedState: string;
  reason: string;
}

/** The author with their roles resolved live (stored roles, not the certificate's). */
export interface Reviewer {
  name: string;
  roles: readonly Role[];
  traits?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Applies one review to a PENDING request and returns the new request (reference §1.4F, §2.3,
 * §2.4). The review records which thresholds its author matched (filters evaluated now); the
 * state is then recomputed from all reviews in order: any threshold whose deny count is met
 * denies; every requested role approved (each of its sets has a threshold whose approve count
 * is met) approves. The resolve reason and `resolvedBy` come from the triggering review. A review
 * that matches no threshold is stored but changes nothing. `pendingExpiresMs` is left as it was
 * (it only matters while PENDING).
 *
 * @throws AppError `invalid_argument` (bad proposal, long reason, author mismatch),
 *   `failed_precondition` (`access request <id> is already APPROVED`, expired, no thresholds),
 *   `permission_denied` (`users cannot review their own requests`, or the reviewer's roles do not
 *   cover the request), `already_exists` (`user "x" has already reviewed this request`).
 */
export function applyReview(
  request: AccessRequest,
  review: ReviewInput,
  reviewer: Reviewer,
  nowMs: number,
): AccessRequest {
  const proposedState = review.proposedState;
  if (proposedState !== 'APPROVED' && proposedState !== 'DENIED') {
    throw invalidArgument(`invalid state proposal: ${quoteShort(proposedState)} (expected APPROVED or DENIED)`);
  }
  if (review.author !== reviewer.name) {
    throw invalidArgument(
      `mismatched review author (expected ${quoteShort(reviewer.name)}, got ${quoteShort(review.author)})`,
    );
  }
  if (utf8Length(review.reason) > REQUEST_LIMITS.maxReasonBytes) {
    throw invalidArgument(`review reason is too long, max ${REQUEST_LIMITS.maxReasonBytes} bytes`);
  }
  if (request.state !== 'PENDING') throw failedPrecondition(`access request ${request.id} is already ${request.state}`);
  if (nowMs >= request.pendingExpiresMs) {
    throw failedPrecondition(`access request ${request.id} has expired (it waited for review until ${iso(request.pendingExpiresMs)})`);
  }
  const submittedBy = review.submittedBy === review.author ? '' : (review.submittedBy ?? '');
  if (review.author === request.user || submittedBy === request.user) {
    throw permissionDenied('users cannot review their own requests');
  }
  if (request.reviews.some((r) => r.author === review.author)) {
    throw new AppError('already_exists', `user ${quoteShort(review.author)} has already reviewed this request`);
  }
  const traits = reviewer.traits ?? {};
  const checker = createAccessChecker({ name: reviewer.name, traits }, reviewer.roles);
  const denied = checker.explainReviewDenied(request, reviewer.name);
  if (denied !== '') throw permissionDenied(denied);
  if (request.thresholds.length === 0) {
    throw failedPrecondition(`access request ${request.id} is uninitialized or does not support reviews`);
  }

  const ctx: PredicateContext = {
    reviewer: { roles: checker.roleNames, traits },
    review: { reason: review.reason },
    request: { roles: request.roles, reason: request.reason, annotations: request.annotations },
  };
  const thresholdIndexes: number[] = [];
  request.thresholds.forEach((t, i) => {
    let matched: boolean;
    try {
      matched = evaluatePredicate(parsePredicate(t.filter, { scope: 'filter' }), ctx);
    } catch (err) {
      // Filters are checked when roles load; refusing beats silently not counting a denial.
      throw failedPrecondition(
        `access request ${request.id}: threshold ${i} (${quoteShort(t.name)}) has an invalid filter: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (matched) thresholdIndexes.push(i);
  });

  const stored: Review = {
    author: review.author,
    submittedBy,
    proposedState,
    reason: review.reason,
    createdMs: nowMs,
    thresholdIndexes,
  };
  const next: AccessRequest = { ...request, reviews: [...request.reviews, stored], updatedMs: nowMs };
  const outcome = resolveByReviews(next);
  if (outcome === undefined) return next;
  return { ...next, state: outcome.state, resolveReason: outcome.review.reason, resolvedBy: outcome.review.author };
}

/**
 * Recomputes the outcome of a request's reviews in submission order (reference §2.3); the
 * review that tipped it is returned with the state. `undefined` = still PENDING.
 */
export function resolveByReviews(
  request: AccessRequest,
): { state: 'APPROVED' | 'DENIED'; review: Review } | undefined {
  const approvals = request.thresholds.map(() => 0);
  const denials = request.thresholds.map(() => 0);
  const roles = Object.keys(request.roleThresholdMapping);
  const approved = new Set<string>();
  for (const review of request.reviews) {
    for (const i of review.thresholdIndexes) {
      if (i < 0 || i >= request.thresholds.length) continue;
      if (review.proposedState === 'APPROVED') approvals[i]! += 1;
      else denials[i]! += 1;
    }
    if (review.proposedState === 'DENIED') {
      const met = request.thresholds.some((t, i) => t.deny > 0 && denials[i]! >= t.deny);
      if (met) return { state: 'DENIED', review };
      continue;
    }
    for (const role of roles) {
      if (approved.has(role)) continue;
      const sets = request.roleThresholdMapping[role] ?? [];
      const ok =
        sets.length > 0 &&
        sets.every((set) =>
          set.some((i) => {
            const t = request.thresholds[i];
            return t !== undefined && t.approve > 0 && approvals[i]! >= t.approve;
          }),
        );
      if (!ok) break;
      approved.add(role);
    }
    if (roles.length > 0 && approved.size === roles.length) return { state: 'APPROVED', review };
  }
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
