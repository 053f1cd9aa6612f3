import { describe, expect, it } from 'vitest';
import { createAccessChecker } from '../../../core/domain/access-checker.ts';
import { parseRoles } from '../../../core/domain/role-yaml.ts';
import { PRESET_ROLES } from '../../../core/domain/presets.ts';
import type { AccessRequest, Role } from '../../../core/domain/types.ts';
import { readFixture, roleFrom } from './role-fixtures.ts';

const seed = parseRoles(readFixture('seed-roles.yaml'), 'seed-roles.yaml');
const byName = (name: string): Role => {
  const role = [...seed, ...PRESET_ROLES].find((r) => r.name === name);
  if (role === undefined) throw new Error(name);
  return role;
};

function pending(user: string, roles: string[], extra: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    user,
    roles,
    state: 'PENDING',
    reason: '',
    resolveReason: '',
    resolvedBy: '',
    createdMs: 0,
    pendingExpiresMs: 1000,
    accessExpiresMs: 1000,
    thresholds: [{ name: 'default', filter: '', approve: 1, deny: 1 }],
    roleThresholdMapping: Object.fromEntries(roles.map((r) => [r, [[0]]])),
    reviews: [],
    suggestedReviewers: [],
    annotations: {},
    revision: 1,
    updatedMs: 0,
    ...extra,
  };
}

describe('rules: allows / explainDenied', () => {
  it('allows by rule with * wildcards and denies before allowing', () => {
    const ops = roleFrom('ops', 'allow:\n  rules:\n    - resources: [access_request]\n      verbs: ["*"]\n    - resources: ["*"]\n      verbs: [read]');
    const noDelete = roleFrom('no-delete', 'deny:\n  rules:\n    - resources: [access_request]\n      verbs: [delete]');
    const checker = createAccessChecker({ name: 'bob' }, [ops, noDelete]);
    expect(checker.allows('access_request', 'update')).toBe(true);
    expect(checker.allows('role', 'read')).toBe(true);
    expect(checker.allows('role', 'update')).toBe(false);
    expect(checker.allows('access_request', 'delete')).toBe(false);
    expect(checker.explainDenied('access_request', 'delete')).toBe(
      'user "bob" (roles ops, no-delete) may not delete access_request: denied by role "no-delete"',
    );
    expect(checker.explainDenied('role', 'update')).toBe('user "bob" (roles ops, no-delete) may not update role: no rule allows it');
    expect(checker.explainDenied('access_request', 'update')).toBe('');
  });

  it('gives the seed roles no rules', () => {
    const checker = createAccessChecker({ name: 'bob' }, [byName('sres')]);
    expect(checker.allows('access_request', 'update')).toBe(false);
    expect(checker.explainDenied('access_request', 'update')).toBe(
      'user "bob" (roles sres) may not update access_request: no rule allows it',
    );
    expect(createAccessChecker({ name: 'nobody' }, []).explainDenied('user', 'read')).toBe(
      'user "nobody" (roles none) may not read user: no rule allows it',
    );
  });

  it('lets a deny * rule beat the admin preset', () => {
    const lockdown = roleFrom('lockdown', 'deny:\n  rules:\n    - resources: ["*"]\n      verbs: ["*"]');
    const checker = createAccessChecker({ name: 'root' }, [byName('admin'), lockdown]);
    expect(checker.allows('user', 'read')).toBe(false);
  });
});

describe('canRequestRole', () => {
  const requester = roleFrom(
    'requester-x',
    "allow:\n  request:\n    roles: ['prodaccess', 'db-*', '^ops-(reader|writer)$']\ndeny:\n  request:\n    roles: ['db-admin', '^ops-w.*$']",
  );
  const checker = createAccessChecker({ name: 'alice' }, [requester]);
  const cases: [string, boolean][] = [
    ['prodaccess', true],
    ['prodaccess2', false],
    ['db-reader', true],
    ['db-admin', false], // denied literally
    ['ops-reader', true],
    ['ops-writer', false], // denied by regex
    ['ops-readers', false], // regex is anchored
    ['xdb-reader', false], // glob is anchored
  ];
  for (const [role, want] of cases) {
    it(`${role}: ${want}`, () => expect(checker.canRequestRole(role)).toBe(want));
  }

  it('follows the seed: sres may request prodaccess, access-reviewer may not', () => {
    expect(createAccessChecker({ name: 'a' }, [byName('sres')]).canRequestRole('prodaccess')).toBe(true);
    expect(createAccessChecker({ name: 'a' }, [byName('access-reviewer')]).canRequestRole('prodaccess')).toBe(false);
  });
});

describe('reason and session limits', () => {
  it('requires a reason when any role says request_access: reason', () => {
    const strict = roleFrom('strict', 'options:\n  request_access: reason');
    expect(createAccessChecker({ name: 'a' }, [byName('sres')]).requiresReason()).toBe(false);
    const checker = createAccessChecker({ name: 'a' }, [byName('sres'), strict]);
    expect(checker.requiresReason()).toBe(true);
    expect(checker.reasonRequiredBy).toBe('strict');
  });

  it('takes the smallest max_session_ttl, capped at 30h', () => {
    const short = roleFrom('short', 'options:\n  max_session_ttl: 2h');
    const long = roleFrom('long', 'options:\n  max_session_ttl: 100h');
    expect(createAccessChecker({ name: 'a' }, [byName('sres')]).maxSessionTtlMs).toBe(30 * 3_600_000);
    expect(createAccessChecker({ name: 'a' }, [long]).maxSessionTtlMs).toBe(30 * 3_600_000);
    expect(createAccessChecker({ name: 'a' }, [long, short]).maxSessionTtlMs).toBe(2 * 3_600_000);
  });
});

describe('canReviewRequest (reference 2.4)', () => {
  it('follows the seed: access-reviewer may review prodaccess requests, sres may not', () => {
    const request = pending('alice', ['prodaccess']);
    const reviewer = createAccessChecker({ name: 'rita' }, [byName('access-reviewer')]);
    expect(reviewer.canReviewRequest(request)).toBe(true);
    const sre = createAccessChecker({ name: 'sam' }, [byName('sres')]);
    expect(sre.canReviewRequest(request)).toBe(false);
    expect(sre.explainReviewDenied(request)).toBe(
      `user "sam" cannot review request ${request.id}: no review_requests rule covers role "prodaccess"`,
    );
    expect(reviewer.mayReviewRequests()).toBe(true);
    expect(sre.mayReviewRequests()).toBe(false);
  });

  it('never lets users review their own requests', () => {
    const admin = createAccessChecker({ name: 'alice' }, [byName('admin')]);
    expect(admin.canReviewRequest(pending('alice', ['prodaccess']))).toBe(false);
    expect(admin.explainReviewDenied(pending('alice', ['prodaccess']))).toBe('users cannot review their own requests');
    expect(admin.canReviewRequest(pending('alice', ['prodaccess']), 'bob')).toBe(true);
  });

  it('needs every requested role covered, possibly by different rules', () => {
    const dbReviewer = roleFrom('db-reviewer', "allow:\n  review_requests:\n    roles: ['db-*']");
    const request = pending('alice', ['db-reader', 'prodaccess']);
    const partial = createAccessChecker({ name: 'rita' }, [dbReviewer]);
    expect(partial.explainReviewDenied(request)).toBe(
      `user "rita" cannot review request ${request.id}: no review_requests rule covers role "prodaccess"`,
    );
    const both = createAccessChecker({ name: 'rita' }, [dbReviewer, byName('access-reviewer')]);
    expect(both.canReviewRequest(request)).toBe(true);
  });

  it('applies deny rules first, to any requested role', () => {
    const noProd = roleFrom('no-prod', "deny:\n  review_requests:\n    roles: ['prod*']");
    const checker = createAccessChecker({ name: 'rita' }, [byName('admin'), noProd]);
    const request = pending('alice', ['db-reader', 'prodaccess']);
    expect(checker.explainReviewDenied(request)).toBe(
      `user "rita" cannot review request ${request.id}: reviewing role "prodaccess" is denied by role "no-prod"`,
    );
    expect(checker.canReviewRequest(pending('alice', ['db-reader']))).toBe(true);
  });

  it('evaluates where against the reviewer and the request', () => {
    const teamReviewer = roleFrom(
      'team-reviewer',
      "allow:\n  review_requests:\n    roles: ['*']\n    where: 'contains(reviewer.traits[\"team\"], \"dba\") && request.reason != \"\"'",
    );
    const noReasonDeny = roleFrom(
      'deny-unexplained',
      "deny:\n  review_requests:\n    roles: ['*']\n    where: 'equals(request.reason, \"\")'",
    );
    const dba = createAccessChecker({ name: 'dan', traits: { team: ['dba'] } }, [teamReviewer]);
    const dev = createAccessChecker({ name: 'dev', traits: { team: ['dev'] } }, [teamReviewer]);
    const withReason = pending('alice', ['db-reader'], { reason: 'ticket 1' });
    expect(dba.canReviewRequest(withReason)).toBe(true);
    expect(dba.canReviewRequest(pending('alice', ['db-reader']))).toBe(false);
    expect(dev.canReviewRequest(withReason)).toBe(false);
    const admin = createAccessChecker({ name: 'root' }, [byName('admin'), noReasonDeny]);
    expect(admin.canReviewRequest(withReason)).toBe(true);
    expect(admin.canReviewRequest(pending('alice', ['db-reader']))).toBe(false);
  });

  it('lets the reviewer preset review anything but not change rules', () => {
    const checker = createAccessChecker({ name: 'rita' }, [byName('reviewer')]);
    expect(checker.canReviewRequest(pending('alice', ['anything']))).toBe(true);
    expect(checker.allows('access_request', 'watch')).toBe(true);
    expect(checker.allows('access_request', 'update')).toBe(false);
  });
});
