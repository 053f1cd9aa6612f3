import { describe, expect, it } from 'vitest';
import { parseRoles } from '../../../core/domain/role-yaml.ts';
import type { RoleConditions } from '../../../core/domain/types.ts';
import { expectAppError, readFixture } from './role-fixtures.ts';

const empty: RoleConditions = {
  logins: [],
  nodeLabels: {},
  rules: [],
  request: { roles: [], thresholds: [], annotations: {}, suggestedReviewers: [], maxDurationMs: 0 },
  reviewRequests: { roles: [], where: '' },
};

const HOUR = 3_600_000;

describe('parseRoles: the seed roles', () => {
  const text = readFixture('seed-roles.yaml');
  const roles = parseRoles(text, 'seed-roles.yaml');

  it('loads the three seed roles unchanged', () => {
    expect(roles.map((r) => r.name)).toEqual(['access-reviewer', 'sres', 'prodaccess']);
    const [reviewer, sres, prod] = roles;
    expect(reviewer).toMatchObject({
      allow: { ...empty, reviewRequests: { roles: ['prodaccess'], where: '' } },
      deny: empty,
      options: { maxSessionTtlMs: 0, requestAccess: 'optional' },
      preset: false,
    });
    expect(sres?.allow).toEqual({
      ...empty,
      logins: ['ec2-user'],
      nodeLabels: { env: ['^test|staging$'] },
      request: { ...empty.request, roles: ['prodaccess'] },
    });
    expect(prod?.allow).toEqual({ ...empty, logins: ['ec2-user'], nodeLabels: { env: ['prod'] } });
  });

  it('keeps each document\'s source text as written', () => {
    expect(roles[0]?.yaml).toBe(
      "kind: role\nversion: v4\nmetadata:\n  name: access-reviewer\nspec:\n  allow:\n    review_requests:\n      roles: ['prodaccess']\n",
    );
    // Joined back with the separators, the documents are the file itself (trailing spaces too).
    expect(roles.map((r) => r.yaml).join('---\n')).toBe(text);
  });
});

describe('parseRoles: every supported field', () => {
  const [dev] = parseRoles(readFixture('full-role.yaml'), 'full-role.yaml');

  it('maps the snake_case file shape onto the domain role', () => {
    expect(dev?.name).toBe('dev');
    expect(dev?.options).toEqual({ maxSessionTtlMs: 8 * HOUR, requestAccess: 'reason' });
    expect(dev?.allow.nodeLabels).toEqual({ env: ['dev', 'staging'], '*': ['*'] });
    expect(dev?.allow.request).toEqual({
      roles: ['prodaccess', 'db-*', '^ops-(reader|writer)$'],
      thresholds: [
        { name: 'non-dev', filter: '!contains(reviewer.traits["team"], "dev")', approve: 3, deny: 2 },
        { name: 'admin', filter: 'contains(reviewer.roles, "admin")', approve: 1, deny: 1 },
      ],
      annotations: { pagerduty_services: ['{{external.pd_service}}', 'infra'], ticket: ['required'] },
      suggestedReviewers: ['alice', 'bob@example.com'],
      maxDurationMs: 36 * HOUR,
    });
    expect(dev?.allow.reviewRequests.roles).toEqual(['dev-*']);
    // A deny rule's `where` is accepted and the rule then denies unconditionally (fail closed).
    expect(dev?.deny.rules).toEqual([{ resources: ['role'], verbs: ['*'] }]);
    expect(dev?.deny.request.annotations).toEqual({ ticket: ['*'] });
    expect(dev?.deny.reviewRequests.roles).toEqual(['prodaccess']);
  });

  it('accepts versions v3 to v7 and skips empty documents', () => {
    for (const v of ['v3', 'v4', 'v5', 'v6', 'v7']) {
      const roles = parseRoles(`---\nkind: role\nversion: ${v}\nmetadata:\n  name: r\n---\n---\n`, 'r.yaml');
      expect(roles).toHaveLength(1);
    }
  });
});

describe('parseRoles: hostile and broken files', () => {
  const cases: [fixture: string, message: string][] = [
    ['unknown-field.yaml', 'unknown-field.yaml: document 2 (role "sres"): spec.allow.reqeust: unknown field'],
    [
      'bad-duration.yaml',
      'bad-duration.yaml: document 2 (role "sres"): spec.allow.request.max_duration: invalid duration "8x"',
    ],
    [
      'malformed.yaml',
      'malformed.yaml: document 1: line 8, column 5: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'deny-thresholds.yaml',
      'deny-thresholds.yaml: document 1 (role "locked"): spec.deny.request.thresholds: deny.request cannot contain thresholds, set denial counts in allow.request.thresholds instead',
    ],
    ['evil.yaml', 'evil.yaml: document 1: Excessive alias count indicates a resource exhaustion attack'],
  ];
  for (const [fixture, message] of cases) {
    it(`rejects ${fixture}`, () => {
      expectAppError(() => parseRoles(readFixture(fixture), fixture), 'invalid_argument', message);
    });
  }

  const doc = (spec: string, name = 'x') => `kind: role\nversion: v4\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
  const inline: [what: string, text: string, message: string | RegExp][] = [
    ['missing kind', 'version: v4\nmetadata:\n  name: x\n', 'r.yaml: document 1 (role "x"): kind: required'],
    ['wrong kind', 'kind: user\nversion: v4\nmetadata:\n  name: x\n', 'r.yaml: document 1 (role "x"): kind: expected "role", got string "user"'],
    [
      'unknown version',
      'kind: role\nversion: v9\nmetadata:\n  name: x\n',
      'r.yaml: document 1 (role "x"): version: expected "v3" or "v4" or "v5" or "v6" or "v7", got string "v9"',
    ],
    ['missing name', 'kind: role\nversion: v4\nmetadata: {}\n', 'r.yaml: document 1: metadata.name: required'],
    [
      'bad name',
      'kind: role\nversion: v4\nmetadata:\n  name: "Bad Name"\n',
      'r.yaml: document 1 (role "Bad Name"): metadata.name: invalid role name (use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit)',
    ],
    ['not a mapping', '- a\n- b\n', 'r.yaml: document 1: expected a mapping, got a list'],
    [
      'unknown option',
      doc('  options:\n    forward_agent: true\n'),
      'r.yaml: document 1 (role "x"): spec.options.forward_agent: unknown field',
    ],
    [
      'bad request_access',
      doc('  options:\n    request_access: maybe\n'),
      'r.yaml: document 1 (role "x"): spec.options.request_access: expected "optional" or "reason" or "always", got string "maybe"',
    ],
    [
      'numeric ttl',
      doc('  options:\n    max_session_ttl: 30\n'),
      'r.yaml: document 1 (role "x"): spec.options.max_session_ttl: expected a duration string such as "8h"',
    ],
    [
      'max_duration over 14 days',
      doc('  allow:\n    request:\n      roles: [a]\n      max_duration: 15d\n'),
      'r.yaml: document 1 (role "x"): spec.allow.request.max_duration: max access duration must be less than or equal to 336h',
    ],
    [
      'claims_to_roles',
      doc('  allow:\n    request:\n      claims_to_roles: [{claim: a, value: b, roles: [c]}]\n'),
      'r.yaml: document 1 (role "x"): spec.allow.request.claims_to_roles: claims_to_roles is not supported by Gatehouse; list the roles in "roles" instead',
    ],
    [
      'conditional allow rule',
      doc('  allow:\n    rules:\n      - resources: [access_request]\n        verbs: [read]\n        where: contains(user.spec.roles, "x")\n'),
      'r.yaml: document 1 (role "x"): spec.allow.rules[0].where: where on an allow rule is not supported by Gatehouse; ignoring it would grant more than intended',
    ],
    [
      'bad threshold filter',
      doc("  allow:\n    request:\n      roles: [a]\n      thresholds:\n        - approve: 1\n          filter: 'contains(reviewer.roles'\n"),
      'r.yaml: document 1 (role "x"): spec.allow.request.thresholds[0].filter: invalid predicate: expected ")" but found end of input at column 24',
    ],
    [
      'unknown variable in where',
      doc("  allow:\n    review_requests:\n      roles: [a]\n      where: 'contains(user.roles, \"x\")'\n"),
      'r.yaml: document 1 (role "x"): spec.allow.review_requests.where: invalid predicate: unknown variable "user.roles" at column 10',
    ],
    [
      'review.* in where',
      doc("  allow:\n    review_requests:\n      roles: [a]\n      where: 'review.reason == \"\"'\n"),
      'r.yaml: document 1 (role "x"): spec.allow.review_requests.where: invalid predicate: review.reason is not available in review_requests.where at column 1',
    ],
    [
      'bad role regex',
      doc("  allow:\n    request:\n      roles: ['^db-(a$']\n"),
      /^r\.yaml: document 1 \(role "x"\): spec\.allow\.request\.roles\[0\]: invalid regular expression "\^db-\(a\$": /,
    ],
    [
      'negative approvals',
      doc('  allow:\n    request:\n      roles: [a]\n      thresholds: [{approve: -1}]\n'),
      'r.yaml: document 1 (role "x"): spec.allow.request.thresholds[0].approve: must be 0 or more',
    ],
    [
      'node label of wrong type',
      doc('  allow:\n    node_labels:\n      env: 3\n'),
      'r.yaml: document 1 (role "x"): spec.allow.node_labels.env: expected a string or a list of strings',
    ],
    [
      'bad annotation key',
      doc('  allow:\n    request:\n      annotations:\n        "bad key": [x]\n'),
      'r.yaml: document 1 (role "x"): spec.allow.request.annotations["bad key"]: invalid annotation key',
    ],
    [
      'fractional count',
      doc('  allow:\n    request:\n      roles: [a]\n      thresholds: [{approve: 1.5}]\n'),
      'r.yaml: document 1 (role "x"): spec.allow.request.thresholds[0].approve: expected a whole number, got number 1.5',
    ],
    [
      'prototype key',
      'kind: role\nversion: v4\nmetadata:\n  name: x\n  __proto__: {polluted: true}\n',
      'r.yaml: document 1 (role "x"): metadata.__proto__: unknown field',
    ],
    [
      'duplicate keys',
      'kind: role\nkind: role\nversion: v4\nmetadata:\n  name: x\n',
      'r.yaml: document 1: line 2, column 1: Map keys must be unique',
    ],
    [
      'unknown tag',
      'kind: role\nversion: v4\nmetadata:\n  name: !!js/function x\n',
      'r.yaml: document 1: line 4, column 9: Unresolved tag: tag:yaml.org,2002:js/function',
    ],
    [
      'duplicate role',
      'kind: role\nversion: v4\nmetadata:\n  name: x\n---\nkind: role\nversion: v4\nmetadata:\n  name: x\n',
      'r.yaml: document 2 (role "x"): metadata.name: duplicate role name (also in document 1)',
    ],
    ['empty file', '', 'r.yaml: no role documents found'],
    ['only comments', '# nothing\n---\n', 'r.yaml: no role documents found'],
    [
      'several problems',
      'kind: role\nversion: v4\nmetadata:\n  name: x\n  nmae: y\nspec:\n  allow:\n    logins: 1\n',
      'r.yaml: document 1 (role "x"): metadata.nmae: unknown field (and 1 more problem)',
    ],
  ];
  for (const [what, text, message] of inline) {
    it(`rejects ${what}`, () => {
      expectAppError(() => parseRoles(text, 'r.yaml'), 'invalid_argument', message);
    });
  }

  it('does not pollute Object.prototype', () => {
    expect(() => parseRoles('kind: role\nversion: v4\nmetadata:\n  name: x\n  __proto__: {polluted: true}\n', 'r.yaml')).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a huge file before parsing it', () => {
    const huge = `kind: role\nversion: v4\nmetadata:\n  name: x\n  description: "${'a'.repeat(1_100_000)}"\n`;
    expectAppError(
      () => parseRoles(huge, 'huge.yaml'),
      'invalid_argument',
      `huge.yaml: file is too large (${huge.length} bytes, max 1048576)`,
    );
  });

  it('rejects too many documents and over-long values', () => {
    const many = Array.from({ length: 257 }, (_, i) => `kind: role\nversion: v4\nmetadata:\n  name: r${i}\n`).join('---\n');
    expectAppError(() => parseRoles(many, 'many.yaml'), 'invalid_argument', 'many.yaml: too many documents (257, max 256)');
    const long = `kind: role\nversion: v4\nmetadata:\n  name: x\n  description: "${'a'.repeat(2000)}"\n`;
    expectAppError(
      () => parseRoles(long, 'long.yaml'),
      'invalid_argument',
      'long.yaml: document 1 (role "x"): metadata.description: longer than 1024 characters',
    );
  });

  it('quotes a hostile role name safely in messages', () => {
    const text = `kind: role\nversion: v4\nmetadata:\n  name: "a\\nb${'c'.repeat(100)}"\n`;
    expectAppError(() => parseRoles(text, 'r.yaml'), 'invalid_argument', /^r\.yaml: document 1 \(role "a\\nbc{61}…"\): metadata\.name: invalid role name/);
  });
});
