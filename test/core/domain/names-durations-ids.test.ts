import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../core/domain/duration.ts';
import { firstRequestIdAt, newRequestId, parseRequestId } from '../../../core/domain/request-id.ts';
import { parsePluginName, parseRoleName, parseUserName } from '../../../core/domain/validate-names.ts';
import { expectAppError } from './role-fixtures.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('parseDuration / formatDuration', () => {
  const good: [string, number][] = [
    ['0', 0],
    ['8h', 8 * H],
    ['30m', 30 * M],
    ['7d', 168 * H],
    ['1h30m', 90 * M],
    ['30h0m0s', 30 * H],
    ['1.5h', 90 * M],
    ['500ms', 500],
    ['90s', 90 * S],
  ];
  for (const [text, ms] of good) {
    it(`parses ${text}`, () => expect(parseDuration(text)).toBe(ms));
  }
  for (const bad of ['', '8x', '8', 'h', '-1h', '+1h', '1h ', ' 1h', '1e3h', '1..5h', '9'.repeat(70) + 'h', '999999999999d']) {
    it(`rejects ${JSON.stringify(bad.slice(0, 20))}`, () => {
      expectAppError(() => parseDuration(bad), 'invalid_argument', /^invalid duration "/);
    });
  }
  it('names the value', () => expectAppError(() => parseDuration('8x'), 'invalid_argument', 'invalid duration "8x"'));
  it('formats compactly and round-trips', () => {
    expect(formatDuration(336 * H)).toBe('336h');
    expect(formatDuration(90 * M)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(61_500)).toBe('1m1s500ms');
    for (const ms of [1, 999, 61_500, 7 * 24 * H + 1]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('request ids', () => {
  it('makes UUIDv7 ids that sort by creation', () => {
    const a = newRequestId();
    const b = newRequestId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseRequestId(a)).toBe(a);
    expect(a < b).toBe(true);
  });
  it('bounds the ids made at or after a millisecond from below', () => {
    const before = Date.now();
    const id = newRequestId();
    const after = Date.now();
    expect(id >= firstRequestIdAt(before)).toBe(true);
    expect(id < firstRequestIdAt(after + 1)).toBe(true);
    expect(firstRequestIdAt(0)).toBe('00000000-0000-7000-8000-000000000000');
    expect(firstRequestIdAt(Date.UTC(2026, 11, 1))).toBe(`${Date.UTC(2026, 11, 1).toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7000-8000-000000000000`);
  });
  it('makes distinct ids in creation order even many to a millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('normalizes case and rejects non-UUIDs', () => {
    expect(parseRequestId('0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B')).toBe('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    expectAppError(() => parseRequestId('abc'), 'invalid_argument', 'invalid access request id "abc"');
    expectAppError(() => parseRequestId('../../etc/passwd'), 'invalid_argument', 'invalid access request id "../../etc/passwd"');
    expectAppError(() => parseRequestId(''), 'invalid_argument', 'invalid access request id ""');
  });
});

describe('names', () => {
  it('accepts ordinary names', () => {
    expect(parseUserName('alice@example.com')).toBe('alice@example.com');
    expect(parseUserName('Bob.Smith+ops')).toBe('Bob.Smith+ops');
    expect(parseRoleName('access-plugin')).toBe('access-plugin');
    expect(parsePluginName('slack')).toBe('slack');
  });
  it('rejects bad names naming the field', () => {
    expectAppError(() => parseUserName(''), 'invalid_argument', 'user: must not be empty');
    expectAppError(() => parseUserName('a b'), 'invalid_argument', 'user: invalid name "a b" (use letters, digits and . _ @ + -; start with a letter or digit)');
    expectAppError(() => parseUserName('x'.repeat(65), 'author'), 'invalid_argument', /^author: ".*" is longer than 64 characters$/);
    expectAppError(() => parseUserName('-rf'), 'invalid_argument', /^user: invalid name "-rf"/);
    expectAppError(() => parseUserName('eve\n'), 'invalid_argument', /^user: invalid name "eve\\n"/);
    expectAppError(() => parseRoleName('Admin'), 'invalid_argument', 'role: invalid name "Admin" (use lowercase letters, digits and . _ -; start with a letter or digit)');
    expectAppError(() => parseRoleName('*', 'roles'), 'invalid_argument', /^roles: invalid name "\*"/);
    expectAppError(() => parseRoleName('r'.repeat(64)), 'invalid_argument', /is longer than 63 characters$/);
    expectAppError(() => parsePluginName('Slack!'), 'invalid_argument', /^plugin: invalid name "Slack!"/);
  });
});
