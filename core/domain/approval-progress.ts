import type { AccessRequest, Threshold } from './types.ts';

/** How far one threshold of a request has come. */
export interface ThresholdProgress {
  threshold: Threshold;
  approvals: number;
  denials: number;
}

/** A request's thresholds with their counts, and how many more approvals it needs. */
export interface ApprovalProgress {
  thresholds: ThresholdProgress[];
  /**
   * Approvals still needed before the request can be approved, counting one reviewer per
   * approval: for every requested role and every set of its mapping, the cheapest threshold of
   * the set; the largest of those (reviewers matching several thresholds count for each).
   * 0 when resolved or already enough.
   */
  approvalsNeeded: number;
}

/** Counts reviews per threshold as `resolveByReviews` does (each review counts for the thresholds it matched). */
export function approvalProgress(request: AccessRequest): ApprovalProgress {
  const thresholds = request.thresholds.map((threshold) => ({ threshold, approvals: 0, denials: 0 }));
  for (const review of request.reviews) {
    for (const i of review.thresholdIndexes) {
      const t = thresholds[i];
      if (t === undefined) continue;
      if (review.proposedState === 'APPROVED') t.approvals += 1;
      else t.denials += 1;
    }
  }
  if (request.state !== 'PENDING') return { thresholds, approvalsNeeded: 0 };
  let needed = 0;
  for (const sets of Object.values(request.roleThresholdMapping)) {
    for (const set of sets) {
      let cheapest = Infinity;
      for (const i of set) {
        const t = thresholds[i];
        if (t === undefined || t.threshold.approve <= 0) continue;
        cheapest = Math.min(cheapest, Math.max(0, t.threshold.approve - t.approvals));
      }
      if (cheapest !== Infinity) needed = Math.max(needed, cheapest);
    }
  }
  return { thresholds, approvalsNeeded: needed };
}
