import { describe, expect, it } from 'vitest';
import {
  expireRequest,
  isRequestActive,
  isRequestExpired,
  isTerminalState,
  setRequestState,
} from '../../../core/domain/transitions.ts';
import type { AccessRequest, RequestState } from '../../../core/domain/types.ts';
import { expectAppError } from './role-fixtures.ts';

const NOW = Date.UTC(2025, 0, 1);
const H = 3_600_000;
const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

function request(state: RequestState, extra: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: ID,
    user: 'alice',
    roles: ['prodaccess'],
    state,
    reason: 'incident',
    resolveReason: '',
    resolvedBy: '',
    createdMs: NOW,
    pendingExpiresMs: NOW + H,
    accessExpiresMs: NOW + 8 * H,
    thresholds: [{ name: 'default', filter: '', approve: 1, deny: 1 }],
    roleThresholdMapping: { prodaccess: [[0]] },
    reviews: [],
    suggestedReviewers: [],
    annotations: {},
    revision: 3,
    updatedMs: NOW,
    ...extra,
  };
}

describe('setRequestState', () => {
  it('approves or denies a pending request, recording who and why', () => {
    const approved = setRequestState(request('PENDING'), { state: 'APPROVED', reason: 'break glass', actor: 'root' }, NOW + 5);
    expect(approved).toMatchObject({ state: 'APPROVED', resolveReason: 'break glass', resolvedBy: 'root', updatedMs: NOW + 5 });
    expect(setRequestState(request('PENDING'), { state: 'DENIED', reason: 'no', actor: 'root' }, NOW).state).toBe('DENIED');
  });

  it('revokes only approved requests', () => {
    const revoked = setRequestState(request('APPROVED'), { state: 'REVOKED', reason: 'done', actor: 'root' }, NOW);
    expect(revoked).toMatchObject({ state: 'REVOKED', resolveReason: 'done', resolvedBy: 'root' });
    expectAppError(
      () => setRequestState(request('PENDING'), { state: 'REVOKED', reason: '', actor: 'root' }, NOW),
      'failed_precondition',
      `access request ${ID} is PENDING: only APPROVED requests can be revoked (deny it instead)`,
    );
    expectAppError(
      () => setRequestState(request('APPROVED'), { state: 'DENIED', reason: '', actor: 'root' }, NOW),
      'failed_precondition',
      `access request ${ID} is already APPROVED (revoke it to cut the access)`,
    );
  });

  it('never changes a terminal state', () => {
    for (const state of ['DENIED', 'EXPIRED', 'REVOKED'] as const) {
      for (const target of ['APPROVED', 'DENIED', 'REVOKED'] as const) {
        expectAppError(
          () => setRequestState(request(state), { state: target, reason: '', actor: 'root' }, NOW),
          'failed_precondition',
          `access request ${ID} is already ${state}`,
        );
      }
    }
  });

  it('refuses changes to your own request', () => {
    expectAppError(
      () => setRequestState(request('PENDING'), { state: 'APPROVED', reason: '', actor: 'alice' }, NOW),
      'permission_denied',
      'user "alice" cannot change the state of their own access request',
    );
  });

  it('refuses other states, long reasons and approving an expired request', () => {
    expectAppError(
      () => setRequestState(request('PENDING'), { state: 'PENDING' as 'APPROVED', reason: '', actor: 'root' }, NOW),
      'invalid_argument',
      'state: cannot set "PENDING" (expected APPROVED, DENIED or REVOKED)',
    );
    expectAppError(
      () => setRequestState(request('PENDING'), { state: 'DENIED', reason: 'x'.repeat(4097), actor: 'root' }, NOW),
      'invalid_argument',
      'reason: too long, max 4096 bytes',
    );
    expectAppError(
      () => setRequestState(request('PENDING'), { state: 'APPROVED', reason: '', actor: 'root' }, NOW + H),
      'failed_precondition',
      `access request ${ID} has expired and can no longer be approved`,
    );
  });
});

describe('expireRequest / isRequestActive', () => {
  it('expires pending requests at pendingExpiresMs', () => {
    const r = request('PENDING');
    expect(expireRequest(r, NOW + H - 1)).toBe(r);
    expect(isRequestExpired(r, NOW + H - 1)).toBe(false);
    expect(expireRequest(r, NOW + H)).toMatchObject({
      state: 'EXPIRED',
      resolvedBy: 'system',
      resolveReason: 'request was not reviewed before 2025-01-01T01:00:00.000Z',
    });
  });

  it('expires approved requests at accessExpiresMs, not at pendingExpiresMs', () => {
    const r = request('APPROVED');
    expect(expireRequest(r, NOW + 2 * H)).toBe(r);
    expect(isRequestActive(r, NOW + 2 * H)).toBe(true);
    expect(isRequestActive(r, NOW + 8 * H)).toBe(false);
    expect(expireRequest(r, NOW + 8 * H)).toMatchObject({
      state: 'EXPIRED',
      resolveReason: 'access ended at 2025-01-01T08:00:00.000Z',
    });
  });

  it('leaves terminal requests alone and only APPROVED is active', () => {
    for (const state of ['DENIED', 'EXPIRED', 'REVOKED'] as const) {
      const r = request(state);
      expect(expireRequest(r, NOW + 100 * H)).toBe(r);
      expect(isRequestActive(r, NOW)).toBe(false);
      expect(isTerminalState(state)).toBe(true);
    }
    expect(isRequestActive(request('PENDING'), NOW)).toBe(false);
    expect(isTerminalState('PENDING')).toBe(false);
    expect(isTerminalState('APPROVED')).toBe(false);
  });
});
