import { createAccessChecker } from './access-checker.ts';
import { matchesAnyPattern } from './compile-name-pattern.ts';
import { REQUEST_LIMITS } from './request-limits.ts';
import type { Role } from './types.ts';

/** One role a user may request, and for how long at most. */
export interface RequestableRole {
  name: string;
  /** The longest access a request for this role alone can grant. */
  maxDurationMs: number;
}

/** What a user may ask for: the answer a request form is built from. */
export interface RequestCapabilities {
  roles: RequestableRole[];
  /** The role whose `options.request_access: reason` makes a reason mandatory, if any. */
  reasonRequiredBy: string | undefined;
  /** Suggested reviewers the user's roles name (used when the request names none). */
  suggestedReviewers: string[];
}

/**
 * The roles `requester` may request (the same rules `buildAccessRequest` enforces: allow and
 * deny `request.roles`, less the roles already held), each with the longest access it would
 * get: the largest `max_duration` of the blocks allowing it, else the role's session cap.
 * Pure; sorted by role name.
 */
export function requestCapabilities(
  requester: { name: string; roles: readonly Role[]; traits?: Readonly<Record<string, readonly string[]>> },
  allRoles: readonly Role[],
): RequestCapabilities {
  const checker = createAccessChecker(requester.traits === undefined ? { name: requester.name } : { name: requester.name, traits: requester.traits }, requester.roles);
  const held = new Set(requester.roles.map((r) => r.name));
  const roles: RequestableRole[] = [];
  for (const role of allRoles) {
    if (held.has(role.name) || !checker.canRequestRole(role.name)) continue;
    let largest = 0;
    for (const mine of requester.roles) {
      if (matchesAnyPattern(mine.allow.request.roles, role.name, false)) largest = Math.max(largest, mine.allow.request.maxDurationMs);
    }
    const session = role.options.maxSessionTtlMs > 0 ? Math.min(role.options.maxSessionTtlMs, REQUEST_LIMITS.maxSessionTtlMs) : REQUEST_LIMITS.maxSessionTtlMs;
    roles.push({ name: role.name, maxDurationMs: largest > 0 ? largest : session });
  }
  roles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    roles,
    reasonRequiredBy: checker.reasonRequiredBy,
    suggestedReviewers: [...new Set(requester.roles.flatMap((r) => r.allow.request.suggestedReviewers))],
  };
}
