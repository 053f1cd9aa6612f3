import { matchesAnyPattern } from './compile-name-pattern.ts';
import { interpolateTraits } from './interpolate-traits.ts';
import type { Role } from './types.ts';

/**
 * A request's annotations (Teleport's system annotations, e.g. `pagerduty_services`): the
 * `allow.request.annotations` of every requester role that allows at least one requested role,
 * trait-interpolated, minus any key/value pair denied by any role's `deny.request.annotations`
 * (a denied value `*` removes the whole key). Values are sorted and deduplicated; keys left
 * without values are dropped.
 */
export function collectAnnotations(
  requestedRoles: readonly string[],
  requesterRoles: readonly Role[],
  traits: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  const allowed = new Map<string, Set<string>>();
  for (const role of requesterRoles) {
    const patterns = role.allow.request.roles;
    if (!requestedRoles.some((r) => matchesAnyPattern(patterns, r, false))) continue;
    for (const [key, values] of Object.entries(role.allow.request.annotations)) {
      const set = allowed.get(key) ?? new Set<string>();
      for (const v of values) for (const x of interpolateTraits(v, traits)) set.add(x);
      allowed.set(key, set);
    }
  }
  const denied = new Map<string, Set<string>>();
  for (const role of requesterRoles) {
    for (const [key, values] of Object.entries(role.deny.request.annotations)) {
      const set = denied.get(key) ?? new Set<string>();
      for (const v of values) set.add(v);
      denied.set(key, set);
    }
  }
  const out: Record<string, string[]> = {};
  for (const key of [...allowed.keys()].sort()) {
    const deny = denied.get(key);
    if (deny?.has('*')) continue;
    const values = [...(allowed.get(key) ?? [])].filter((v) => !deny?.has(v)).sort();
    if (values.length > 0) out[key] = values;
  }
  return out;
}
