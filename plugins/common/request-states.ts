/** The states a request ends in; once in one, it never changes again. */
export const RESOLVED_STATES = ['APPROVED', 'DENIED', 'EXPIRED', 'REVOKED'] as const;
export type ResolvedState = (typeof RESOLVED_STATES)[number];

/** Whether a request in `state` is resolved (its outcome is known). */
export function isResolved(state: string): state is ResolvedState {
  return (RESOLVED_STATES as readonly string[]).includes(state);
}
