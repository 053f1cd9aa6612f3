import { AppError } from '../domain/app-error.ts';
import { createAccessChecker, type AccessChecker } from '../domain/access-checker.ts';
import type { AccessRequest } from '../domain/types.ts';
import type { Caller } from './authenticate.ts';

const checkers = new WeakMap<Caller, AccessChecker>();

/** The caller's rule checker over its live roles (built once per call). */
export function checkerOf(caller: Caller): AccessChecker {
  let checker = checkers.get(caller);
  if (!checker) {
    checker = createAccessChecker({ name: caller.name, traits: caller.traits }, caller.roles);
    checkers.set(caller, checker);
  }
  return checker;
}

export function isAllowed(caller: Caller, resource: string, verb: string): boolean {
  return checkerOf(caller).allows(resource, verb);
}

/** Throws PERMISSION_DENIED naming the missing rule unless the caller's roles allow `verb` on `resource`. */
export function requireAllowed(caller: Caller, resource: string, verb: string): void {
  const checker = checkerOf(caller);
  if (!checker.allows(resource, verb)) throw new AppError('permission_denied', checker.explainDenied(resource, verb));
}

/** May the caller see this request: read rule, their own, or one they may review. */
export function canSee(caller: Caller, request: AccessRequest): boolean {
  if (request.user === caller.name) return true;
  const checker = checkerOf(caller);
  return checker.allows('access_request', 'read') || checker.canReviewRequest(request, caller.name);
}
