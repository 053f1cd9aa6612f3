import { Buffer } from 'node:buffer';

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Fixed limits of access requests and reviews (Teleport's values, see the reference §1.4-1.5).
 */
export const REQUEST_LIMITS = Object.freeze({
  /** Longest request or review reason, in UTF-8 bytes. */
  maxReasonBytes: 4096,
  /** Most roles in one request (also after `*` expansion). */
  maxRoles: 32,
  /** Most suggested reviewers, and the longest one (characters). */
  maxSuggestedReviewers: 64,
  maxSuggestedReviewerLength: 256,
  /** Longest and default time a request waits for review. */
  maxPendingTtlMs: 7 * DAY_MS,
  /** Longest access a request may grant (`max_duration`, 336h). */
  maxAccessDurationMs: 14 * DAY_MS,
  /** Longest certificate / session (Teleport's MaxCertDuration). */
  maxSessionTtlMs: 30 * HOUR_MS,
});

/**
 * How long after its creation a request can still change: its access ends at most
 * maxAccessDuration after it was created (its review deadline comes sooner), plus a day for an
 * expiry sweep that ran late. A request created longer ago is resolved for good.
 */
export const REQUEST_LIFESPAN_MS = REQUEST_LIMITS.maxAccessDurationMs + DAY_MS;

/** Length of `s` in UTF-8 bytes, the unit of the byte limits (without encoding it). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
