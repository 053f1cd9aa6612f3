import { failedPrecondition, invalidArgument, permissionDenied } from './app-error.ts';
import { quoteShort } from './quote-short.ts';
import { REQUEST_LIMITS, utf8Length } from './request-limits.ts';
import type { AccessRequest, RequestState } from './types.ts';

/**
 * The request state machine outside reviews:
 *
 * ```
 * PENDING  ── setRequestState APPROVED / DENIED ──► APPROVED / DENIED
 * APPROVED ── setRequestState REVOKED ───────────► REVOKED
 * PENDING  ── expireRequest (pendingExpiresMs) ──► EXPIRED
 * APPROVED ── expireRequest (accessExpiresMs) ───► EXPIRED
 * DENIED, EXPIRED, REVOKED: terminal, never change.
 * ```
 *
 * Decisions: REVOKED is only for cutting granted access, so it applies to APPROVED requests; a
 * PENDING request is DENIED instead. An APPROVED request can only be REVOKED (not moved back to
 * PENDING or to DENIED, which Teleport allows). Nobody changes the state of their own request
 * through this path (no self-approval, and no self-denial either; a requester withdraws a
 * pending request by deleting it).
 */

/** A direct state change by an administrator or plugin (the `update` verb on access_request). */
export interface StateChange {
  state: 'APPROVED' | 'DENIED' | 'REVOKED';
  reason: string;
  /** Who makes the change; becomes `resolvedBy`. */
  actor: string;
}

/**
 * Applies a direct state change and returns the new request.
 *
 * @throws AppError `invalid_argument` (other target states, reason over 4096 bytes),
 *   `permission_denied` (the actor owns the request), `failed_precondition` naming the current
 *   state (terminal states, revoking a non-approved request, approving twice, approving a
 *   request whose review window has passed).
 */
export function setRequestState(request: AccessRequest, change: StateChange, nowMs: number): AccessRequest {
  const target: string = change.state;
  if (target !== 'APPROVED' && target !== 'DENIED' && target !== 'REVOKED') {
    throw invalidArgument(`state: cannot set ${quoteShort(target)} (expected APPROVED, DENIED or REVOKED)`);
  }
  if (utf8Length(change.reason) > REQUEST_LIMITS.maxReasonBytes) {
    throw invalidArgument(`reason: too long, max ${REQUEST_LIMITS.maxReasonBytes} bytes`);
  }
  if (change.actor === request.user) {
    throw permissionDenied(`user ${quoteShort(change.actor)} cannot change the state of their own access request`);
  }
  const current = request.state;
  switch (current) {
    case 'PENDING':
      if (change.state === 'REVOKED') {
        throw failedPrecondition(
          `access request ${request.id} is PENDING: only APPROVED requests can be revoked (deny it instead)`,
        );
      }
      if (change.state === 'APPROVED' && nowMs >= request.pendingExpiresMs) {
        throw failedPrecondition(`access request ${request.id} has expired and can no longer be approved`);
      }
      break;
    case 'APPROVED':
      if (change.state !== 'REVOKED') {
        throw failedPrecondition(`access request ${request.id} is already APPROVED (revoke it to cut the access)`);
      }
      break;
    case 'DENIED':
    case 'EXPIRED':
    case 'REVOKED':
      throw failedPrecondition(`access request ${request.id} is already ${current}`);
    default: {
      const never: never = current;
      throw failedPrecondition(`access request ${request.id} has unknown state ${String(never)}`);
    }
  }
  return {
    ...request,
    state: change.state,
    resolveReason: change.reason,
    resolvedBy: change.actor,
    updatedMs: nowMs,
  };
}

/**
 * Moves a request that has run out of time to EXPIRED: a PENDING request at or after
 * `pendingExpiresMs`, an APPROVED one at or after `accessExpiresMs`. `resolveReason` says which;
 * `resolvedBy` is `system`.
 *
 * @returns the new request, or **the same object** when the request is not (or no longer)
 *   expirable, so a caller can tell with `===`.
 */
export function expireRequest(request: AccessRequest, nowMs: number): AccessRequest {
  const reason = expiryReason(request, nowMs);
  if (reason === undefined) return request;
  return { ...request, state: 'EXPIRED', resolveReason: reason, resolvedBy: 'system', updatedMs: nowMs };
}

/** Whether {@link expireRequest} would expire the request now. */
export function isRequestExpired(request: AccessRequest, nowMs: number): boolean {
  return expiryReason(request, nowMs) !== undefined;
}

/** Whether the request currently grants its roles: APPROVED and before `accessExpiresMs`. */
export function isRequestActive(request: AccessRequest, nowMs: number): boolean {
  return request.state === 'APPROVED' && nowMs < request.accessExpiresMs;
}

/** Whether a state never changes again. */
export function isTerminalState(state: RequestState): boolean {
  switch (state) {
    case 'PENDING':
    case 'APPROVED':
      return false;
    case 'DENIED':
    case 'EXPIRED':
    case 'REVOKED':
      return true;
    default: {
      const never: never = state;
      return never;
    }
  }
}

function expiryReason(request: AccessRequest, nowMs: number): string | undefined {
  const state = request.state;
  switch (state) {
    case 'PENDING':
      return nowMs >= request.pendingExpiresMs
        ? `request was not reviewed before ${new Date(request.pendingExpiresMs).toISOString()}`
        : undefined;
    case 'APPROVED':
      return nowMs >= request.accessExpiresMs
        ? `access ended at ${new Date(request.accessExpiresMs).toISOString()}`
        : undefined;
    case 'DENIED':
    case 'EXPIRED':
    case 'REVOKED':
      return undefined;
    default: {
      const never: never = state;
      return never;
    }
  }
}
