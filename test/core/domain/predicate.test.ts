import { describe, expect, it } from 'vitest';
import { evaluatePredicate, parsePredicate } from '../../../core/domain/predicate.ts';
import type { PredicateContext } from '../../../core/domain/predicate.ts';
import { expectAppError } from './role-fixtures.ts';

const ctx: PredicateContext = {
  reviewer: { roles: ['admin', 'dba'], traits: { team: ['dev', 'ops'], 'cost-center': ['42'], empty: [] } },
  review: { reason: 'looks fine' },
  request: {
    roles: ['prodaccess', 'db-reader'],
    reason: 'incident 7',
    annotations: { pagerduty_services: ['infra'] },
  },
};

const evaluate = (src: string, c: PredicateContext = ctx) => evaluatePredicate(parsePredicate(src), c);

describe('predicates: evaluation', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['   ', true],
    ['true', true],
    ['false', false],
    ['contains(reviewer.roles, "admin")', true],
    ['contains(reviewer.roles, "adm")', false],
    ['!contains(reviewer.roles, "admin")', false],
    ['!!contains(reviewer.roles, "admin")', true],
    ['contains(reviewer.traits["team"], "dev")', true],
    ['contains(reviewer.traits.team, "ops")', true],
    ['contains(reviewer.traits["cost-center"], "42")', true],
    ['contains(reviewer.traits.missing, "x")', false],
    ['contains(reviewer.traits["__proto__"], "x")', false],
    ['contains(reviewer.traits["constructor"], "x")', false],
    ['equals(request.reason, "incident 7")', true],
    ["equals(request.reason, 'incident 7')", true],
    ['equals(request.reason, `incident 7`)', true],
    ['equals(reviewer.roles, reviewer.roles)', true],
    ['equals(reviewer.traits.empty, reviewer.traits.missing)', true],
    ['request.reason == ""', false],
    ['request.reason != ""', true],
    ['review.reason == "looks fine"', true],
    ['regexp.match(request.roles, "db-*")', true],
    ['regexp.match(request.roles, "^prod(access|uction)$")', true],
    ['regexp.match(request.roles, "prod")', false],
    ['regexp.match(request.reason, "incident *")', true],
    ['contains(request.annotations["pagerduty_services"], "infra")', true],
    ['contains(request.system_annotations.pagerduty_services, "infra")', true],
    ['contains(reviewer.roles, "admin") && contains(reviewer.roles, "nope")', false],
    ['contains(reviewer.roles, "admin") || contains(reviewer.roles, "nope")', true],
    // && binds tighter than ||
    ['true || true && false', true],
    ['(true || true) && false', false],
    ['!(contains(reviewer.roles, "dba") && equals(request.reason, "x"))', true],
    ['equals("a\\"b", "a\\"b")', true],
  ];
  for (const [src, want] of cases) {
    it(`${JSON.stringify(src)} is ${want}`, () => {
      expect(evaluate(src)).toBe(want);
    });
  }

  it('sees no review when evaluating review_requests.where', () => {
    const noReview: PredicateContext = { reviewer: ctx.reviewer, request: ctx.request };
    expect(evaluate('review.reason == ""', noReview)).toBe(true);
  });
});

describe('predicates: errors name the position', () => {
  const cases: [string, string | RegExp][] = [
    ['contains(reviewer.roles', 'invalid predicate: expected ")" but found end of input at column 24'],
    ['contains(reviewer.roles, "a") &&', 'invalid predicate: unexpected end of input at column 33'],
    ['contains(reviewer.roles, "a") & x', 'invalid predicate: unexpected character "&" at column 31'],
    ['reviewer.roles', 'invalid predicate: expression is a list, not a condition at column 1'],
    ['"abc', 'invalid predicate: unterminated string at column 1'],
    ['"a\\qb" == "x"', 'invalid predicate: invalid escape in string at column 3'],
    ['hasRole("admin")', 'invalid predicate: unknown function "hasRole" at column 1'],
    ['contains(user.roles, "x")', 'invalid predicate: unknown variable "user.roles" at column 10'],
    ['contains(reviewer, "x")', 'invalid predicate: unknown variable "reviewer" at column 10'],
    ['contains(reviewer.roles.x, "y")', 'invalid predicate: cannot index into reviewer.roles (a list) at column 10'],
    ['contains(reviewer.traits, "x")', 'invalid predicate: contains: first argument must be a list, got map at column 10'],
    ['contains(reviewer.roles)', 'invalid predicate: contains takes 2 arguments, got 1 at column 1'],
    ['equals(request.reason, reviewer.roles)', 'invalid predicate: equals: parameter types must match and be string or list, got string and list at column 1'],
    ['request.roles == "x"', 'invalid predicate: == needs two strings or two lists, got list and string at column 15'],
    ['regexp.match(request.roles, request.reason)', 'invalid predicate: regexp.match: the expression must be a string literal at column 29'],
    ['regexp.match(request.roles, "^(a$")', /^invalid predicate: regexp\.match: invalid regular expression "\^\(a\$": .* at column 29$/],
    ['"a" && true', 'invalid predicate: expected a condition, got a string at column 5'],
    ['true true', 'invalid predicate: unexpected "true" at column 6'],
    [`${'('.repeat(40)}true${')'.repeat(40)}`, 'invalid predicate: nested deeper than 32 levels at column 34'],
    ['x'.repeat(5000), 'invalid predicate: longer than 4096 characters'],
  ];
  for (const [src, message] of cases) {
    it(`rejects ${JSON.stringify(src.slice(0, 50))}`, () => {
      expectAppError(() => parsePredicate(src), 'invalid_argument', message);
    });
  }

  it('rejects review.* in the where scope only', () => {
    expect(parsePredicate('review.reason == ""').root).toBeDefined();
    expectAppError(
      () => parsePredicate('review.reason == ""', { scope: 'where' }),
      'invalid_argument',
      'invalid predicate: review.reason is not available in review_requests.where at column 1',
    );
  });

  it('survives deep negation without blowing the stack', () => {
    expectAppError(() => parsePredicate(`${'!'.repeat(4000)}true`), 'invalid_argument', /nested deeper than 32 levels/);
  });
});
