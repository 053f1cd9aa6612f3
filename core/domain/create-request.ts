import { AppError, invalidArgument, permissionDenied } from './app-error.ts';
import { createAccessChecker } from './access-checker.ts';
import type { AccessChecker } from './access-checker.ts';
import { buildThresholds } from './build-thresholds.ts';
import { collectAnnotations } from './collect-annotations.ts';
import { matchesAnyPattern } from './compile-name-pattern.ts';
import { formatDuration } from './duration.ts';
import { quoteShort } from './quote-short.ts';
import { newRequestId, parseRequestId } from './request-id.ts';
import { REQUEST_LIMITS, utf8Length } from './request-limits.ts';
import type { AccessRequest, Role } from './types.ts';
import { parseRoleName } from './validate-names.ts';

/** What the client asks for. */
export interface CreateRequestInput {
  /** @default a new UUIDv7 ({@link newRequestId}) */
  id?: string;
  /** Role names, or exactly `["*"]` for every role the user may request and does not hold. */
  roles: readonly string[];
  /** @default "" */
  reason?: string;
  /** @default the union of the requester roles' `allow.request.suggested_reviewers` */
  suggestedReviewers?: readonly string[];
  /** Client hint: the longest access wanted, from now. 0 or absent = no hint. At most 336h. */
  maxDurationMs?: number;
  /** How long the request may wait for review. 0 or absent = 7 days, the maximum. */
  pendingTtlMs?: number;
}

/** The requesting user with their roles resolved live. */
export interface Requester {
  name: string;
  roles: readonly Role[];
  /** For `{{external.x}}` annotation templates. @default {} */
  traits?: Readonly<Record<string, readonly string[]>>;
}

export interface CreateRequestOptions {
  /** When the requester's current certificate expires: the elevated session cannot outlive it. */
  identityExpiresMs?: number;
}

/**
 * Validates a new access request and fills in everything the server computes (reference §1.4C,
 * §1.5, §2.2, §2.3): expands `["*"]`, checks every role is requestable, exists and is not held,
 * enforces the reason rules and caps, builds thresholds and the role→threshold mapping,
 * annotations, suggested reviewers and the expiry times. The result is PENDING, revision 0.
 *
 * Times: access lasts the requested roles' `max_duration` (per requested role the largest of the
 * requester blocks that allow it, then the smallest across roles) or, when none is set, the
 * session cap (30h, the requested roles' `max_session_ttl`, the caller's certificate); a client
 * hint may only shorten it. The request waits for review min(pending TTL, access duration).
 *
 * @param allRoles every existing role (for `*` expansion, existence and `max_session_ttl`).
 * @throws AppError `invalid_argument` (bad input, unknown or held role, missing reason, caps)
 *   or `permission_denied` (`user "x" can not request role "y"`), naming the rule at fault.
 */
export function buildAccessRequest(
  input: CreateRequestInput,
  requester: Requester,
  allRoles: readonly Role[],
  nowMs: number,
  options: CreateRequestOptions = {},
): AccessRequest {
  const checker = createAccessChecker(
    requester.traits === undefined ? { name: requester.name } : { name: requester.name, traits: requester.traits },
    requester.roles,
  );
  const id = input.id === undefined ? newRequestId() : parseRequestId(input.id);
  const held = new Set(requester.roles.map((r) => r.name));
  const byName = new Map(allRoles.map((r) => [r.name, r]));
  const roles = resolveRoles(input.roles, requester.name, checker, held, byName, allRoles);

  const reason = input.reason ?? '';
  if (utf8Length(reason) > REQUEST_LIMITS.maxReasonBytes) {
    throw invalidArgument(`access request reason is too long, max ${REQUEST_LIMITS.maxReasonBytes} bytes`);
  }
  if (reason.trim() === '' && checker.reasonRequiredBy !== undefined) {
    throw invalidArgument(`request reason must be specified (required by role ${quoteShort(checker.reasonRequiredBy)})`);
  }

  const { thresholds, roleThresholdMapping } = buildThresholds(roles, requester.roles);
  const times = computeTimes(input, roles, requester.roles, byName, nowMs, options);
  return {
    id,
    user: requester.name,
    roles,
    state: 'PENDING',
    reason,
    resolveReason: '',
    resolvedBy: '',
    createdMs: nowMs,
    pendingExpiresMs: times.pendingExpiresMs,
    accessExpiresMs: times.accessExpiresMs,
    thresholds,
    roleThresholdMapping,
    reviews: [],
    suggestedReviewers: resolveSuggestedReviewers(input.suggestedReviewers, requester.roles),
    annotations: collectAnnotations(roles, requester.roles, requester.traits ?? {}),
    revision: 0,
    updatedMs: nowMs,
  };
}

function resolveRoles(
  requested: readonly string[],
  user: string,
  checker: AccessChecker,
  held: ReadonlySet<string>,
  byName: ReadonlyMap<string, Role>,
  allRoles: readonly Role[],
): string[] {
  if (requested.length === 0) throw invalidArgument('access request does not specify any roles');
  if (requested.length > REQUEST_LIMITS.maxRoles) {
    throw invalidArgument(`access request names ${requested.length} roles, max ${REQUEST_LIMITS.maxRoles}`);
  }
  if (requested.includes('*')) {
    if (requested.length !== 1) throw invalidArgument('roles: "*" must be the only requested role');
    const expanded = allRoles
      .map((r) => r.name)
      .filter((name) => !held.has(name) && checker.canRequestRole(name));
    if (expanded.length === 0) {
      throw invalidArgument(
        `user ${quoteShort(user)} has no requestable roles: "*" stands for the roles their roles' allow.request.roles permit, less deny.request.roles and the roles they hold, and that leaves none; please verify static RBAC configuration`,
      );
    }
    if (expanded.length > REQUEST_LIMITS.maxRoles) {
      throw invalidArgument(
        `"*" expands to ${expanded.length} roles, max ${REQUEST_LIMITS.maxRoles}; request roles by name`,
      );
    }
    return [...new Set(expanded)].sort();
  }
  const roles = [...new Set(requested)].sort();
  for (const role of roles) {
    parseRoleName(role, 'roles');
    // Permission before existence, so users cannot probe which roles exist.
    if (!checker.canRequestRole(role)) {
      throw permissionDenied(`user ${quoteShort(user)} can not request role ${quoteShort(role)}`);
    }
    if (held.has(role)) throw invalidArgument(`user ${quoteShort(user)} already holds role ${quoteShort(role)}`);
    if (!byName.has(role)) throw invalidArgument(`requested role ${quoteShort(role)} does not exist`);
  }
  return roles;
}

function resolveSuggestedReviewers(given: readonly string[] | undefined, requesterRoles: readonly Role[]): string[] {
  const max = REQUEST_LIMITS.maxSuggestedReviewers;
  if (given !== undefined && given.length > 0) {
    if (given.length > max) throw invalidArgument(`suggested_reviewers: more than ${max} entries`);
    for (const [i, reviewer] of given.entries()) {
      if (reviewer.trim() === '') throw invalidArgument(`suggested_reviewers[${i}]: must not be empty`);
      if (reviewer.length > REQUEST_LIMITS.maxSuggestedReviewerLength) {
        throw invalidArgument(
          `suggested_reviewers[${i}]: longer than ${REQUEST_LIMITS.maxSuggestedReviewerLength} characters`,
        );
      }
      if (/[\u0000-\u001f\u007f]/.test(reviewer)) {
        throw invalidArgument(`suggested_reviewers[${i}]: must not contain control characters`);
      }
    }
    return [...new Set(given)];
  }
  return [...new Set(requesterRoles.flatMap((r) => r.allow.request.suggestedReviewers))].slice(0, max);
}

function computeTimes(
  input: CreateRequestInput,
  roles: readonly string[],
  requesterRoles: readonly Role[],
  byName: ReadonlyMap<string, Role>,
  nowMs: number,
  options: CreateRequestOptions,
): { accessExpiresMs: number; pendingExpiresMs: number } {
  const hint = checkPositive('max_duration', input.maxDurationMs);
  if (hint > REQUEST_LIMITS.maxAccessDurationMs) {
    throw invalidArgument(
      `max_duration must be less than or equal to ${formatDuration(REQUEST_LIMITS.maxAccessDurationMs)}`,
    );
  }
  const pendingTtl = checkPositive('pending_ttl', input.pendingTtlMs) || REQUEST_LIMITS.maxPendingTtlMs;
  if (pendingTtl > REQUEST_LIMITS.maxPendingTtlMs) {
    throw invalidArgument(
      `invalid request TTL: ${formatDuration(pendingTtl)} greater than maximum allowed (${formatDuration(REQUEST_LIMITS.maxPendingTtlMs)})`,
    );
  }

  let sessionCap: number = REQUEST_LIMITS.maxSessionTtlMs;
  for (const name of roles) {
    const ttl = byName.get(name)?.options.maxSessionTtlMs ?? 0;
    if (ttl > 0) sessionCap = Math.min(sessionCap, ttl);
  }
  if (options.identityExpiresMs !== undefined) {
    const left = options.identityExpiresMs - nowMs;
    if (left <= 0) throw new AppError('unauthenticated', 'the requester\'s certificate has expired');
    sessionCap = Math.min(sessionCap, left);
  }

  // Per requested role the largest max_duration of the blocks allowing it; then the smallest.
  let roleMax = 0;
  for (const name of roles) {
    let largest = 0;
    for (const role of requesterRoles) {
      if (matchesAnyPattern(role.allow.request.roles, name, false)) {
        largest = Math.max(largest, role.allow.request.maxDurationMs);
      }
    }
    if (largest > 0) roleMax = roleMax === 0 ? largest : Math.min(roleMax, largest);
  }
  let access = roleMax > 0 ? roleMax : sessionCap;
  if (hint > 0) access = Math.min(access, hint);
  return { accessExpiresMs: nowMs + access, pendingExpiresMs: nowMs + Math.min(pendingTtl, access) };
}

function checkPositive(field: string, value: number | undefined): number {
  if (value === undefined || value === 0) return 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${field}: must be a positive whole number of milliseconds`);
  }
  return value;
}
