import { matchesAnyPattern } from './compile-name-pattern.ts';
import { evaluatePredicate, parsePredicate } from './predicate.ts';
import type { PredicateContext } from './predicate.ts';
import { quoteShort } from './quote-short.ts';
import { REQUEST_LIMITS } from './request-limits.ts';
import type { AccessRequest, Role, Rule } from './types.ts';

/** Who the checker is for. */
export interface CheckerIdentity {
  name: string;
  /** Used by `review_requests.where` predicates. @default {} */
  traits?: Readonly<Record<string, readonly string[]>>;
}

/** Answers what one user may do, from that user's roles as currently defined. */
export interface AccessChecker {
  readonly user: string;
  /** The names of the roles the checker was built from, in the given order. */
  readonly roleNames: readonly string[];
  /** Whether the rules allow `verb` on `resource`: any deny rule wins; `*` matches anything. */
  allows(resource: string, verb: string): boolean;
  /**
   * Why `allows(resource, verb)` is false, naming the rule, e.g.
   * `user "bob" (roles sres) may not update access_request: no rule allows it` or
   * `… denied by role "x"`. `""` when it is allowed.
   */
  explainDenied(resource: string, verb: string): string;
  /** Whether the user may request `role` (deny matchers first; literal, `*` glob or `^…$` regex). */
  canRequestRole(role: string): boolean;
  /** Whether every request by this user needs a reason (`options.request_access: reason`). */
  requiresReason(): boolean;
  /** The first role that makes a reason mandatory, if any. */
  readonly reasonRequiredBy: string | undefined;
  /** Whether any role has an allow `review_requests` rule (a cheap pre-check; may be a false positive). */
  mayReviewRequests(): boolean;
  /** Whether `reviewerName` (default: this user) may review `request` (reference §2.4). */
  canReviewRequest(request: AccessRequest, reviewerName?: string): boolean;
  /**
   * Why `canReviewRequest` is false, e.g. `user "x" cannot review request <id>: no
   * review_requests rule covers role "prodaccess"`; `""` when the review is allowed.
   */
  explainReviewDenied(request: AccessRequest, reviewerName?: string): string;
  /** Longest session for this user: the smallest `max_session_ttl` of the roles, at most 30h. */
  readonly maxSessionTtlMs: number;
}

/**
 * Builds a checker from the user's roles, resolved live by the caller (roles the user names but
 * that no longer exist are simply absent). Pure; cheap enough to build once per call.
 */
export function createAccessChecker(identity: CheckerIdentity, roles: readonly Role[]): AccessChecker {
  const roleNames = roles.map((r) => r.name);
  const traits = identity.traits ?? {};
  const label = `user ${quoteShort(identity.name)} (roles ${roleNames.length === 0 ? 'none' : roleNames.join(', ')})`;
  const reasonRole = roles.find((r) => r.options.requestAccess === 'reason');
  let maxSessionTtlMs: number = REQUEST_LIMITS.maxSessionTtlMs;
  for (const role of roles) {
    const ttl = role.options.maxSessionTtlMs;
    if (ttl > 0 && ttl < maxSessionTtlMs) maxSessionTtlMs = ttl;
  }

  const findRule = (side: 'allow' | 'deny', resource: string, verb: string): Role | undefined =>
    roles.find((role) => role[side].rules.some((rule) => ruleMatches(rule, resource, verb)));

  const explainReviewDenied = (request: AccessRequest, reviewerName: string = identity.name): string => {
    if (reviewerName === request.user) return 'users cannot review their own requests';
    const prefix = `user ${quoteShort(reviewerName)} cannot review request ${request.id}`;
    if (request.roles.length === 0) return `${prefix}: the request names no roles`;
    const ctx: PredicateContext = {
      reviewer: { roles: roleNames, traits },
      request: { roles: request.roles, reason: request.reason, annotations: request.annotations },
    };
    // Deny first: an applicable deny rule matching any requested role refuses the whole review.
    for (const role of roles) {
      const deny = role.deny.reviewRequests;
      if (deny.roles.length === 0 || !whereApplies(deny.where, ctx, true)) continue;
      const hit = request.roles.find((r) => matchesAnyPattern(deny.roles, r, true));
      if (hit !== undefined) return `${prefix}: reviewing role ${quoteShort(hit)} is denied by role ${quoteShort(role.name)}`;
    }
    // Allow: every requested role must be covered by some applicable allow rule.
    const uncovered = new Set(request.roles);
    for (const role of roles) {
      const allow = role.allow.reviewRequests;
      if (allow.roles.length === 0 || !whereApplies(allow.where, ctx, false)) continue;
      for (const r of uncovered) if (matchesAnyPattern(allow.roles, r, false)) uncovered.delete(r);
    }
    const [first] = uncovered;
    return first === undefined ? '' : `${prefix}: no review_requests rule covers role ${quoteShort(first)}`;
  };

  return {
    user: identity.name,
    roleNames,
    allows: (resource, verb) =>
      findRule('deny', resource, verb) === undefined && findRule('allow', resource, verb) !== undefined,
    explainDenied: (resource, verb) => {
      const denied = findRule('deny', resource, verb);
      if (denied !== undefined) return `${label} may not ${verb} ${resource}: denied by role ${quoteShort(denied.name)}`;
      if (findRule('allow', resource, verb) === undefined) return `${label} may not ${verb} ${resource}: no rule allows it`;
      return '';
    },
    canRequestRole: (role) =>
      !roles.some((r) => matchesAnyPattern(r.deny.request.roles, role, true)) &&
      roles.some((r) => matchesAnyPattern(r.allow.request.roles, role, false)),
    requiresReason: () => reasonRole !== undefined,
    reasonRequiredBy: reasonRole?.name,
    mayReviewRequests: () => roles.some((r) => r.allow.reviewRequests.roles.length > 0),
    canReviewRequest: (request, reviewerName) => explainReviewDenied(request, reviewerName) === '',
    explainReviewDenied,
    maxSessionTtlMs,
  };
}

function ruleMatches(rule: Rule, resource: string, verb: string): boolean {
  return (
    (rule.resources.includes('*') || rule.resources.includes(resource)) &&
    (rule.verbs.includes('*') || rule.verbs.includes(verb))
  );
}

/**
 * Whether a `where` expression applies. A predicate that fails to parse (it was validated when
 * the role was loaded, so this means a bug or an old stored role) applies to deny rules and
 * not to allow rules: fail closed both ways.
 */
function whereApplies(where: string, ctx: PredicateContext, failClosedTo: boolean): boolean {
  try {
    return evaluatePredicate(parsePredicate(where, { scope: 'where' }), ctx);
  } catch {
    return failClosedTo;
  }
}
