import { describe, expect, it } from 'vitest';
import { buildAccessRequest } from '../../../core/domain/create-request.ts';
import type { CreateRequestInput, Requester } from '../../../core/domain/create-request.ts';
import { PRESET_ROLES } from '../../../core/domain/presets.ts';
import { parseRoles } from '../../../core/domain/role-yaml.ts';
import type { Role } from '../../../core/domain/types.ts';
import { expectAppError, readFixture } from './role-fixtures.ts';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2025, 0, 1);

const extra = parseRoles(
  `kind: role
version: v7
metadata: {name: dev}
spec:
  allow:
    request:
      roles: ['db-*']
      thresholds:
        - {name: two, approve: 2, deny: 1}
        - {name: admin, filter: 'contains(reviewer.roles, "admin")', approve: 1, deny: 1}
      annotations:
        ticket: [DEV-1]
        pagerduty_services: [dev-svc]
      suggested_reviewers: [carol]
      max_duration: 1d
---
kind: role
version: v7
metadata: {name: oncall}
spec:
  allow:
    request:
      roles: [prodaccess, db-reader]
      annotations:
        pagerduty_services: ['{{external.pd}}', 'infra', 'secret']
      suggested_reviewers: [dave, carol]
      max_duration: 2d
---
kind: role
version: v7
metadata: {name: dev-twin}
spec:
  allow:
    request:
      roles: ['db-*']
      thresholds:
        - {name: two, approve: 2, deny: 1}
---
kind: role
version: v7
metadata: {name: no-secrets}
spec:
  deny:
    request:
      roles: [db-admin]
      annotations:
        pagerduty_services: [secret]
        ticket: ['*']
---
kind: role
version: v7
metadata: {name: strict}
spec:
  options:
    request_access: reason
---
kind: role
version: v7
metadata: {name: db-reader}
---
kind: role
version: v7
metadata: {name: db-writer}
spec:
  options:
    max_session_ttl: 4h
---
kind: role
version: v7
metadata: {name: db-admin}
`,
  'extra.yaml',
);
const allRoles: Role[] = [...parseRoles(readFixture('seed-roles.yaml'), 'seed.yaml'), ...extra, ...PRESET_ROLES];
const role = (name: string): Role => {
  const r = allRoles.find((x) => x.name === name);
  if (r === undefined) throw new Error(name);
  return r;
};
const user = (name: string, roles: string[], traits: Record<string, string[]> = {}): Requester => ({
  name,
  roles: roles.map(role),
  traits,
});
const build = (input: CreateRequestInput, requester: Requester, options = {}) =>
  buildAccessRequest(input, requester, allRoles, NOW, options);

describe('buildAccessRequest: the seed flow', () => {
  it('builds a PENDING request for sres -> prodaccess with the default threshold', () => {
    const request = build({ roles: ['prodaccess'], reason: 'incident 7' }, user('alice', ['sres']));
    expect(request).toMatchObject({
      user: 'alice',
      roles: ['prodaccess'],
      state: 'PENDING',
      reason: 'incident 7',
      resolveReason: '',
      resolvedBy: '',
      createdMs: NOW,
      updatedMs: NOW,
      revision: 0,
      reviews: [],
      thresholds: [{ name: 'default', filter: '', approve: 1, deny: 1 }],
      roleThresholdMapping: { prodaccess: [[0]] },
      annotations: {},
      suggestedReviewers: [],
      accessExpiresMs: NOW + 30 * H,
      pendingExpiresMs: NOW + 30 * H,
    });
    expect(request.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses and validates a given id', () => {
    const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    expect(build({ id, roles: ['prodaccess'] }, user('alice', ['sres'])).id).toBe(id);
    expectAppError(() => build({ id: 'nope', roles: ['prodaccess'] }, user('alice', ['sres'])), 'invalid_argument', 'invalid access request id "nope"');
  });
});

describe('buildAccessRequest: which roles', () => {
  it('refuses roles the user may not request, naming both', () => {
    expectAppError(
      () => build({ roles: ['db-reader'] }, user('alice', ['sres'])),
      'permission_denied',
      'user "alice" can not request role "db-reader"',
    );
    expectAppError(
      () => build({ roles: ['db-admin'] }, user('alice', ['dev', 'no-secrets'])),
      'permission_denied',
      'user "alice" can not request role "db-admin"',
    );
  });

  it('refuses held, unknown, malformed, empty and too many roles', () => {
    expectAppError(
      () => build({ roles: ['prodaccess'] }, user('alice', ['sres', 'prodaccess'])),
      'invalid_argument',
      'user "alice" already holds role "prodaccess"',
    );
    expectAppError(() => build({ roles: ['ghost'] }, user('root', ['admin'])), 'invalid_argument', 'requested role "ghost" does not exist');
    expectAppError(() => build({ roles: ['Bad Role'] }, user('root', ['admin'])), 'invalid_argument', /^roles: invalid name "Bad Role"/);
    expectAppError(() => build({ roles: [] }, user('alice', ['sres'])), 'invalid_argument', 'access request does not specify any roles');
    const many = Array.from({ length: 33 }, (_, i) => `r${i}`);
    expectAppError(() => build({ roles: many }, user('root', ['admin'])), 'invalid_argument', 'access request names 33 roles, max 32');
  });

  it('sorts and deduplicates roles', () => {
    const request = build({ roles: ['db-writer', 'db-reader', 'db-writer'] }, user('alice', ['dev']));
    expect(request.roles).toEqual(['db-reader', 'db-writer']);
  });

  it('expands * to every requestable role the user does not hold', () => {
    expect(build({ roles: ['*'] }, user('alice', ['dev', 'db-reader'])).roles).toEqual(['db-admin', 'db-writer']);
    expect(build({ roles: ['*'] }, user('alice', ['dev', 'no-secrets'])).roles).toEqual(['db-reader', 'db-writer']);
    expect(build({ roles: ['*'] }, user('alice', ['sres'])).roles).toEqual(['prodaccess']);
    expectAppError(
      () => build({ roles: ['*'] }, user('rita', ['access-reviewer'])),
      'invalid_argument',
      /^user "rita" has no requestable roles: .*please verify static RBAC configuration$/,
    );
    expectAppError(() => build({ roles: ['*', 'prodaccess'] }, user('alice', ['sres'])), 'invalid_argument', 'roles: "*" must be the only requested role');
  });
});

describe('buildAccessRequest: reason', () => {
  it('requires a reason when a role says so', () => {
    expectAppError(
      () => build({ roles: ['prodaccess'] }, user('alice', ['sres', 'strict'])),
      'invalid_argument',
      'request reason must be specified (required by role "strict")',
    );
    expectAppError(
      () => build({ roles: ['prodaccess'], reason: ' \n\t' }, user('alice', ['sres', 'strict'])),
      'invalid_argument',
      'request reason must be specified (required by role "strict")',
    );
    expect(build({ roles: ['prodaccess'], reason: 'INC-1' }, user('alice', ['sres', 'strict'])).reason).toBe('INC-1');
  });

  it('caps the reason at 4096 bytes, not characters', () => {
    expect(build({ roles: ['prodaccess'], reason: 'a'.repeat(4096) }, user('alice', ['sres'])).reason).toHaveLength(4096);
    expectAppError(
      () => build({ roles: ['prodaccess'], reason: 'é'.repeat(2049) }, user('alice', ['sres'])),
      'invalid_argument',
      'access request reason is too long, max 4096 bytes',
    );
  });
});

describe('buildAccessRequest: thresholds (reference 2.3)', () => {
  it('gives each allowing role one set: OR inside, AND across', () => {
    const request = build({ roles: ['db-reader'] }, user('alice', ['dev', 'oncall']));
    expect(request.thresholds).toEqual([
      { name: 'two', filter: '', approve: 2, deny: 1 },
      { name: 'admin', filter: 'contains(reviewer.roles, "admin")', approve: 1, deny: 1 },
      { name: 'default', filter: '', approve: 1, deny: 1 },
    ]);
    expect(request.roleThresholdMapping).toEqual({ 'db-reader': [[0, 1], [2]] });
  });

  it('deduplicates thresholds by deep equality and maps each requested role', () => {
    const request = build({ roles: ['db-writer', 'db-reader'] }, user('alice', ['dev', 'dev-twin', 'oncall']));
    expect(request.thresholds.map((t) => t.name)).toEqual(['two', 'admin', 'default']);
    expect(request.roleThresholdMapping).toEqual({
      'db-reader': [[0, 1], [0], [2]],
      'db-writer': [[0, 1], [0]],
    });
  });
});

describe('buildAccessRequest: identical sets', () => {
  it('keeps one copy of a set two roles contribute alike', () => {
    const twin = parseRoles("kind: role\nversion: v7\nmetadata: {name: sres-twin}\nspec:\n  allow:\n    request:\n      roles: [prodaccess]\n", 't.yaml');
    const request = buildAccessRequest({ roles: ['prodaccess'] }, { name: 'alice', roles: [role('sres'), ...twin] }, allRoles, NOW);
    expect(request.thresholds).toHaveLength(1);
    expect(request.roleThresholdMapping).toEqual({ prodaccess: [[0]] });
  });
});

describe('buildAccessRequest: annotations and suggested reviewers', () => {
  it('copies annotations from roles allowing a requested role, interpolated, minus denied ones', () => {
    const alice = user('alice', ['dev', 'oncall'], { pd: ['svc-b', 'svc-a'] });
    expect(build({ roles: ['prodaccess'] }, alice).annotations).toEqual({
      pagerduty_services: ['infra', 'secret', 'svc-a', 'svc-b'],
    });
    expect(build({ roles: ['db-reader'] }, alice).annotations).toEqual({
      pagerduty_services: ['dev-svc', 'infra', 'secret', 'svc-a', 'svc-b'],
      ticket: ['DEV-1'],
    });
    const guarded = user('alice', ['dev', 'oncall', 'no-secrets'], { pd: ['svc-a'] });
    expect(build({ roles: ['db-reader'] }, guarded).annotations).toEqual({
      pagerduty_services: ['dev-svc', 'infra', 'svc-a'],
    });
    // A missing trait drops the templated value.
    expect(build({ roles: ['prodaccess'] }, user('bob', ['oncall'])).annotations).toEqual({
      pagerduty_services: ['infra', 'secret'],
    });
  });

  it('defaults suggested reviewers to the union from the roles, or takes the given list', () => {
    const alice = user('alice', ['dev', 'oncall']);
    expect(build({ roles: ['db-reader'] }, alice).suggestedReviewers).toEqual(['carol', 'dave']);
    expect(build({ roles: ['db-reader'], suggestedReviewers: ['erin', 'erin', 'frank'] }, alice).suggestedReviewers).toEqual([
      'erin',
      'frank',
    ]);
  });

  it('caps suggested reviewers', () => {
    const alice = user('alice', ['sres']);
    const many = Array.from({ length: 65 }, (_, i) => `r${i}`);
    expectAppError(() => build({ roles: ['prodaccess'], suggestedReviewers: many }, alice), 'invalid_argument', 'suggested_reviewers: more than 64 entries');
    expectAppError(
      () => build({ roles: ['prodaccess'], suggestedReviewers: ['ok', 'x'.repeat(257)] }, alice),
      'invalid_argument',
      'suggested_reviewers[1]: longer than 256 characters',
    );
    expectAppError(() => build({ roles: ['prodaccess'], suggestedReviewers: [' '] }, alice), 'invalid_argument', 'suggested_reviewers[0]: must not be empty');
    expectAppError(
      () => build({ roles: ['prodaccess'], suggestedReviewers: ['a\u0007b'] }, alice),
      'invalid_argument',
      'suggested_reviewers[0]: must not contain control characters',
    );
  });
});

describe('buildAccessRequest: times (reference 1.5)', () => {
  const times = (input: CreateRequestInput, requester: Requester, options = {}) => {
    const r = build(input, requester, options);
    return { access: r.accessExpiresMs - NOW, pending: r.pendingExpiresMs - NOW };
  };

  it('caps access at 30h or the requested roles\' max_session_ttl when no max_duration is set', () => {
    expect(times({ roles: ['prodaccess'] }, user('alice', ['sres']))).toEqual({ access: 30 * H, pending: 30 * H });
    const root = user('root', ['admin']);
    expect(times({ roles: ['db-writer'] }, root)).toEqual({ access: 4 * H, pending: 4 * H });
    expect(times({ roles: ['db-reader', 'db-writer'] }, root)).toEqual({ access: 4 * H, pending: 4 * H });
  });

  it('uses max_duration: largest among blocks allowing a role, smallest across roles', () => {
    const alice = user('alice', ['dev', 'oncall']);
    expect(times({ roles: ['db-reader'] }, alice).access).toBe(2 * D); // dev 1d, oncall 2d
    expect(times({ roles: ['db-writer'] }, alice).access).toBe(1 * D); // only dev
    expect(times({ roles: ['db-reader', 'db-writer'] }, alice).access).toBe(1 * D);
    expect(times({ roles: ['prodaccess'] }, alice)).toEqual({ access: 2 * D, pending: 2 * D });
  });

  it('lets a client hint only shorten access', () => {
    const alice = user('alice', ['dev', 'oncall']);
    expect(times({ roles: ['db-reader'], maxDurationMs: H }, alice)).toEqual({ access: H, pending: H });
    expect(times({ roles: ['db-reader'], maxDurationMs: 10 * D }, alice).access).toBe(2 * D);
    expect(times({ roles: ['prodaccess'], maxDurationMs: 2 * H }, user('alice', ['sres'])).access).toBe(2 * H);
    expectAppError(
      () => build({ roles: ['db-reader'], maxDurationMs: 15 * D }, alice),
      'invalid_argument',
      'max_duration must be less than or equal to 336h',
    );
    expectAppError(
      () => build({ roles: ['db-reader'], maxDurationMs: -1 }, alice),
      'invalid_argument',
      'max_duration: must be a positive whole number of milliseconds',
    );
  });

  it('waits for review at most 7 days and never longer than the access', () => {
    const alice = user('alice', ['dev', 'oncall']);
    expect(times({ roles: ['db-reader'], pendingTtlMs: 2 * H }, alice)).toEqual({ access: 2 * D, pending: 2 * H });
    const long = roleFrom7d();
    expect(buildAccessRequest({ roles: ['db-reader'] }, { name: 'alice', roles: [long] }, allRoles, NOW).pendingExpiresMs).toBe(
      NOW + 7 * D,
    );
    expectAppError(
      () => build({ roles: ['db-reader'], pendingTtlMs: 8 * D }, alice),
      'invalid_argument',
      'invalid request TTL: 192h greater than maximum allowed (168h)',
    );
  });

  it('never outlives the caller\'s certificate without max_duration', () => {
    expect(times({ roles: ['prodaccess'] }, user('alice', ['sres']), { identityExpiresMs: NOW + 3 * H }).access).toBe(3 * H);
    expectAppError(
      () => build({ roles: ['prodaccess'] }, user('alice', ['sres']), { identityExpiresMs: NOW }),
      'unauthenticated',
      "the requester's certificate has expired",
    );
  });
});

function roleFrom7d(): Role {
  const [r] = parseRoles(
    "kind: role\nversion: v7\nmetadata: {name: long}\nspec:\n  allow:\n    request:\n      roles: ['db-*']\n      max_duration: 14d\n",
    'long.yaml',
  );
  if (r === undefined) throw new Error('no role');
  return r;
}
