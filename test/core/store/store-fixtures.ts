import { expect } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import type { ErrorCode } from '../../../core/domain/app-error.ts';
import type { AccessRequest, AuditDraft, Role, RoleConditions, UserDraft } from '../../../core/domain/types.ts';

/** Request ids sort in creation order, like the UUIDv7 ids the server makes. */
export function requestId(n: number): string {
  return `0198a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
}

export function makeRequest(n: number, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: requestId(n),
    user: 'alice',
    roles: ['dba'],
    state: 'PENDING',
    reason: `need access ${n}`,
    resolveReason: '',
    resolvedBy: '',
    createdMs: 1_000,
    pendingExpiresMs: 10_000,
    accessExpiresMs: 20_000,
    thresholds: [{ name: 'default', filter: '', approve: 1, deny: 1 }],
    roleThresholdMapping: { dba: [[0]] },
    reviews: [],
    suggestedReviewers: ['bob'],
    annotations: { pagerduty_services: ['db'] },
    revision: 0,
    updatedMs: 0,
    ...overrides,
  };
}

const emptyConditions = (): RoleConditions => ({
  logins: [],
  nodeLabels: {},
  rules: [],
  request: { roles: [], thresholds: [], annotations: {}, suggestedReviewers: [], maxDurationMs: 0 },
  reviewRequests: { roles: [], where: '' },
});

export function makeRole(name: string, overrides: Partial<Role> = {}): Role {
  const allow = emptyConditions();
  allow.request.roles = ['dba'];
  allow.nodeLabels = { env: ['dev'] };
  return {
    name,
    allow,
    deny: emptyConditions(),
    options: { maxSessionTtlMs: 3_600_000, requestAccess: 'optional' },
    yaml: `kind: role\nmetadata:\n  name: ${name}\n`,
    preset: false,
    ...overrides,
  };
}

/** A user as written (the store assigns the incarnation). */
export function makeUser(name: string, overrides: Partial<UserDraft> = {}): UserDraft {
  return { name, roles: ['requester'], traits: { logins: [name] }, createdMs: 1_000, ...overrides };
}

export function audit(type: string, requestId = '', actor = 'admin', details: Record<string, unknown> = {}): AuditDraft {
  return { type, actor, requestId, details };
}

/** Asserts that `promise` rejects with an AppError of `code` whose message mentions `mentions`. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode, mentions?: string): Promise<AppError> {
  const err = await promise.then(
    () => { throw new Error(`expected AppError ${code}, but the call succeeded`); },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ code });
  if (mentions !== undefined) expect(String((err as Error).message)).toContain(mentions);
  return err as AppError;
}

/** Retries `check` until it passes (listeners may run in a microtask or after a NOTIFY). */
export async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Lets pending microtasks, timers and notifications run. */
export async function settle(ms = 50): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
