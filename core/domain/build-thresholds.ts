import { AppError } from './app-error.ts';
import { matchesAnyPattern } from './compile-name-pattern.ts';
import type { Role, Threshold } from './types.ts';

/** The threshold used by a role that allows a request but sets none: one approval, one denial. */
export const DEFAULT_THRESHOLD: Readonly<Threshold> = Object.freeze({ name: 'default', filter: '', approve: 1, deny: 1 });

/**
 * Builds a request's thresholds and role→threshold mapping (reference §2.3): every requester
 * role whose `allow.request.roles` matches a requested role contributes one set (its thresholds,
 * or the default one) to that role's entry. Any threshold of a set satisfies the set (OR); every
 * set must be satisfied (AND). Thresholds are deduplicated by deep equality; identical sets of
 * one role are kept once.
 *
 * @throws AppError `internal` when a requested role matches no requester role (callers check
 *   `canRequestRole` first, so this is a bug).
 */
export function buildThresholds(
  requestedRoles: readonly string[],
  requesterRoles: readonly Role[],
): { thresholds: Threshold[]; roleThresholdMapping: Record<string, number[][]> } {
  const thresholds: Threshold[] = [];
  const indexOf = (t: Threshold): number => {
    const found = thresholds.findIndex(
      (x) => x.name === t.name && x.filter === t.filter && x.approve === t.approve && x.deny === t.deny,
    );
    if (found >= 0) return found;
    thresholds.push({ name: t.name, filter: t.filter, approve: t.approve, deny: t.deny });
    return thresholds.length - 1;
  };
  const roleThresholdMapping: Record<string, number[][]> = {};
  for (const requested of requestedRoles) {
    const sets: number[][] = [];
    for (const role of requesterRoles) {
      if (!matchesAnyPattern(role.allow.request.roles, requested, false)) continue;
      const own = role.allow.request.thresholds.length > 0 ? role.allow.request.thresholds : [DEFAULT_THRESHOLD];
      const set = [...new Set(own.map(indexOf))].sort((a, b) => a - b);
      if (!sets.some((s) => s.length === set.length && s.every((x, i) => x === set[i]))) sets.push(set);
    }
    if (sets.length === 0) {
      throw new AppError('internal', `role "${requested}" matches no threshold sets (this is a bug)`);
    }
    roleThresholdMapping[requested] = sets;
  }
  return { thresholds, roleThresholdMapping };
}
