import { describe, expect, it } from 'vitest';
import { applyReview } from '../../../core/domain/apply-review.ts';
import type { Reviewer } from '../../../core/domain/apply-review.ts';
import { buildAccessRequest } from '../../../core/domain/create-request.ts';
import { PRESET_ROLES } from '../../../core/domain/presets.ts';
import { parseRoles } from '../../../core/domain/role-yaml.ts';
import type { AccessRequest, Role } from '../../../core/domain/types.ts';
import { expectAppError, readFixture, roleFrom } from './role-fixtures.ts';

const NOW = Date.UTC(2025, 0, 1);
const seed = parseRoles(readFixture('seed-roles.yaml'), 'seed.yaml');
const all: Role[] = [...seed, ...PRESET_ROLES];
const named = (name: string): Role => {
  const r = all.find((x) => x.name === name);
  if (r === undefined) throw new Error(name);
  return r;
};

// The worked example of reference 2.3.
const worked = roleFrom(
  'worked',
  `allow:
  request:
    roles: [prodaccess]
    thresholds:
      - {name: non-dev, approve: 3, deny: 2, filter: '!contains(reviewer.traits.team, "dev")'}
      - {name: admin, approve: 1, deny: 1, filter: 'contains(reviewer.roles, "admin")'}`,
);

const reviewer = (name: string, roles: string[], team: string): Reviewer => ({
  name,
  roles: roles.map(named),
  traits: { team: [team] },
});
const ops = (name: string) => reviewer(name, ['reviewer'], 'ops');
const dev = (name: string) => reviewer(name, ['reviewer'], 'dev');
const admin = (name: string, team = 'dev') => reviewer(name, ['admin'], team);

function requestWith(requesterRoles: Role[], roles = ['prodaccess']): AccessRequest {
  return buildAccessRequest({ roles, reason: 'incident' }, { name: 'alice', roles: requesterRoles }, [...all, ...requesterRoles], NOW);
}

function review(
  request: AccessRequest,
  who: Reviewer,
  proposedState: 'APPROVED' | 'DENIED',
  reason = `${proposedState.toLowerCase()} by ${who.name}`,
  at = NOW + 1000,
): AccessRequest {
  return applyReview(request, { author: who.name, proposedState, reason }, who, at);
}

describe('applyReview: the worked example (reference 2.3)', () => {
  it('approves on the third non-dev approval, with the trigger\'s reason', () => {
    let r = requestWith([worked]);
    r = review(r, ops('n1'), 'APPROVED');
    r = review(r, ops('n2'), 'APPROVED');
    expect(r.state).toBe('PENDING');
    r = review(r, dev('d1'), 'APPROVED'); // dev approvals do not count
    expect(r.state).toBe('PENDING');
    expect(r.reviews.map((x) => x.thresholdIndexes)).toEqual([[0], [0], []]);
    r = review(r, ops('n3'), 'APPROVED', 'third one');
    expect(r).toMatchObject({ state: 'APPROVED', resolveReason: 'third one', resolvedBy: 'n3' });
    expect(r.reviews).toHaveLength(4);
  });

  it('approves on one admin approval', () => {
    const r = review(requestWith([worked]), admin('root'), 'APPROVED', 'ok by admin');
    expect(r).toMatchObject({ state: 'APPROVED', resolveReason: 'ok by admin', resolvedBy: 'root' });
    expect(r.reviews[0]).toMatchObject({ author: 'root', submittedBy: '', proposedState: 'APPROVED', thresholdIndexes: [1], createdMs: NOW + 1000 });
  });

  it('denies on one admin denial', () => {
    const r = review(requestWith([worked]), admin('root'), 'DENIED', 'no');
    expect(r).toMatchObject({ state: 'DENIED', resolveReason: 'no', resolvedBy: 'root' });
  });

  it('denies on two non-admin denials, not on one', () => {
    let r = requestWith([worked]);
    r = review(r, ops('n1'), 'DENIED');
    expect(r.state).toBe('PENDING');
    r = review(r, ops('n2'), 'APPROVED');
    expect(r.state).toBe('PENDING');
    r = review(r, ops('n3'), 'DENIED', 'second denial');
    expect(r).toMatchObject({ state: 'DENIED', resolveReason: 'second denial', resolvedBy: 'n3' });
  });

  it('stores a review that matches no threshold but changes nothing', () => {
    let r = requestWith([worked]);
    r = review(r, dev('d1'), 'DENIED');
    r = review(r, dev('d2'), 'DENIED');
    expect(r.state).toBe('PENDING');
    expect(r.reviews.map((x) => x.thresholdIndexes)).toEqual([[], []]);
  });
});

describe('applyReview: OR within a role, AND across roles', () => {
  const adminOrTwo = roleFrom(
    'admin-or-two',
    `allow:
  request:
    roles: [prodaccess]
    thresholds:
      - {name: admin, approve: 1, deny: 1, filter: 'contains(reviewer.roles, "admin")'}
      - {name: two, approve: 2, deny: 1}`,
  );
  const security = roleFrom(
    'security',
    `allow:
  request:
    roles: [prodaccess]
    thresholds:
      - {name: security, approve: 1, deny: 1, filter: 'contains(reviewer.traits.team, "security")'}`,
  );

  it('lets any threshold of a single role satisfy it', () => {
    expect(review(requestWith([adminOrTwo]), admin('root'), 'APPROVED').state).toBe('APPROVED');
    let r = review(requestWith([adminOrTwo]), ops('n1'), 'APPROVED');
    expect(r.state).toBe('PENDING');
    r = review(r, ops('n2'), 'APPROVED');
    expect(r.state).toBe('APPROVED');
  });

  it('needs every role that allows the request satisfied', () => {
    let r = requestWith([adminOrTwo, security]);
    expect(r.roleThresholdMapping).toEqual({ prodaccess: [[0, 1], [2]] });
    r = review(r, admin('root'), 'APPROVED');
    expect(r.state).toBe('PENDING');
    r = review(r, reviewer('sec', ['reviewer'], 'security'), 'APPROVED', 'security ok');
    expect(r).toMatchObject({ state: 'APPROVED', resolvedBy: 'sec', resolveReason: 'security ok' });
  });

  it('needs every requested role approved', () => {
    const dbRequester = roleFrom(
      'db-requester',
      `allow:
  request:
    roles: [db]
    thresholds:
      - {name: sec, approve: 1, deny: 1, filter: 'contains(reviewer.traits.team, "security")'}`,
    );
    const db = roleFrom('db', '{}');
    const r0 = buildAccessRequest(
      { roles: ['db', 'prodaccess'] },
      { name: 'alice', roles: [adminOrTwo, dbRequester] },
      [...all, db],
      NOW,
    );
    let r = review(r0, admin('root', 'ops'), 'APPROVED');
    expect(r.state).toBe('PENDING'); // prodaccess approved, db not yet
    r = review(r, reviewer('sec', ['reviewer'], 'security'), 'APPROVED');
    expect(r.state).toBe('APPROVED');
  });

  it('denies when any threshold\'s deny count is met', () => {
    const r = review(requestWith([adminOrTwo, security]), ops('n1'), 'DENIED');
    expect(r.state).toBe('DENIED'); // "two" has deny: 1 and an empty filter
  });
});

describe('applyReview: zero counts', () => {
  it('never approves with approve: 0 and never denies with deny: 0', () => {
    const lopsided = roleFrom(
      'lopsided',
      `allow:
  request:
    roles: [prodaccess]
    thresholds:
      - {name: approve-only, approve: 1, deny: 0}`,
    );
    const denyOnly = roleFrom(
      'deny-only',
      `allow:
  request:
    roles: [prodaccess]
    thresholds:
      - {name: deny-only, approve: 0, deny: 1}`,
    );
    let r = review(requestWith([lopsided]), ops('n1'), 'DENIED');
    expect(r.state).toBe('PENDING');
    r = review(r, ops('n2'), 'APPROVED');
    expect(r.state).toBe('APPROVED');
    let d = review(requestWith([denyOnly]), ops('n1'), 'APPROVED');
    expect(d.state).toBe('PENDING');
    d = review(d, ops('n2'), 'DENIED');
    expect(d.state).toBe('DENIED');
  });
});

describe('applyReview: refusals', () => {
  const base = () => requestWith([named('sres')]);

  it('refuses self-review, also when submitted on the requester\'s behalf', () => {
    const alice = reviewer('alice', ['admin'], 'ops');
    expectAppError(() => review(base(), alice, 'APPROVED'), 'permission_denied', 'users cannot review their own requests');
    const bob = admin('bob');
    expectAppError(
      () => applyReview(base(), { author: 'bob', submittedBy: 'alice', proposedState: 'APPROVED', reason: '' }, bob, NOW),
      'permission_denied',
      'users cannot review their own requests',
    );
  });

  it('refuses a second review by the same author', () => {
    const r = review(requestWith([worked]), ops('n1'), 'APPROVED');
    expectAppError(() => review(r, ops('n1'), 'DENIED'), 'already_exists', 'user "n1" has already reviewed this request');
  });

  it('refuses reviews on resolved requests', () => {
    const r = review(base(), reviewer('rita', ['access-reviewer'], 'ops'), 'APPROVED');
    expect(r.state).toBe('APPROVED');
    expectAppError(() => review(r, ops('n1'), 'DENIED'), 'failed_precondition', `access request ${r.id} is already APPROVED`);
    const denied = review(base(), ops('n1'), 'DENIED');
    expectAppError(() => review(denied, ops('n2'), 'APPROVED'), 'failed_precondition', `access request ${denied.id} is already DENIED`);
  });

  it('refuses reviewers whose roles do not cover the request (seed sres)', () => {
    const sam = reviewer('sam', ['sres'], 'ops');
    const r = base();
    expectAppError(
      () => review(r, sam, 'APPROVED'),
      'permission_denied',
      `user "sam" cannot review request ${r.id}: no review_requests rule covers role "prodaccess"`,
    );
  });

  it('refuses bad proposals, long reasons, mismatched authors and expired requests', () => {
    const r = base();
    const rita = reviewer('rita', ['access-reviewer'], 'ops');
    expectAppError(
      () => applyReview(r, { author: 'rita', proposedState: 'PENDING', reason: '' }, rita, NOW),
      'invalid_argument',
      'invalid state proposal: "PENDING" (expected APPROVED or DENIED)',
    );
    expectAppError(
      () => applyReview(r, { author: 'rita', proposedState: 'APPROVED', reason: 'x'.repeat(4097) }, rita, NOW),
      'invalid_argument',
      'review reason is too long, max 4096 bytes',
    );
    expectAppError(
      () => applyReview(r, { author: 'mallory', proposedState: 'APPROVED', reason: '' }, rita, NOW),
      'invalid_argument',
      'mismatched review author (expected "rita", got "mallory")',
    );
    expectAppError(
      () => review(r, rita, 'APPROVED', 'late', r.pendingExpiresMs),
      'failed_precondition',
      `access request ${r.id} has expired (it waited for review until 2025-01-02T06:00:00.000Z)`,
    );
  });

  it('never mutates its input', () => {
    const r = base();
    const copy = structuredClone(r);
    review(r, reviewer('rita', ['access-reviewer'], 'ops'), 'APPROVED');
    expect(r).toEqual(copy);
  });

  it('records who submitted a review on the author\'s behalf', () => {
    const rita = reviewer('rita', ['access-reviewer'], 'ops');
    const r = applyReview(base(), { author: 'rita', submittedBy: 'slack-plugin', proposedState: 'APPROVED', reason: 'via slack' }, rita, NOW);
    expect(r.reviews[0]?.submittedBy).toBe('slack-plugin');
    expect(r.state).toBe('APPROVED');
  });
});
