import { describe, expect, it } from 'vitest';
import { caPinMatches, createInviteToken, hashInviteToken, parseInviteToken } from '../../../core/auth/invite-token.ts';

const FINGERPRINT = 'ab'.repeat(32);

describe('invite tokens', () => {
  it('round-trips: the parsed token has the same hash and the CA pin', () => {
    const { token, tokenHash } = createInviteToken(FINGERPRINT);
    expect(token).toMatch(/^gh1\.[A-Za-z0-9_-]{43}\.[0-9a-f]{32}$/);
    const parsed = parseInviteToken(`  ${token}\n`);
    expect(parsed.tokenHash).toBe(tokenHash);
    expect(parsed.caPin).toBe(FINGERPRINT.slice(0, 32));
    expect(hashInviteToken(parsed.secret)).toBe(tokenHash);
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(tokenHash);
    expect(caPinMatches(parsed.caPin, FINGERPRINT)).toBe(true);
    expect(caPinMatches(parsed.caPin, 'cd'.repeat(32))).toBe(false);
  });

  it('makes a different secret every time', () => {
    expect(createInviteToken(FINGERPRINT).token).not.toBe(createInviteToken(FINGERPRINT).token);
  });

  it('accepts a colon-separated upper-case fingerprint', () => {
    const colons = FINGERPRINT.toUpperCase().match(/../g)?.join(':') ?? '';
    expect(parseInviteToken(createInviteToken(colons).token).caPin).toBe(FINGERPRINT.slice(0, 32));
  });

  it.each([
    '',
    'gh1',
    'gh2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.abababababababababababababababab',
    'gh1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.abababababababababababababababab',
    'gh1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ABABABABABABABABABABABABABABABAB',
    'gh1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=.abababababababababababababababab',
    'gh1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.abababababababababababababababab.x',
  ])('rejects malformed token %j without echoing it', (token) => {
    expect(() => parseInviteToken(token)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/^token: not a Gatehouse invite token/) }));
  });

  it('rejects a fingerprint that is not SHA-256 hex', () => {
    expect(() => createInviteToken('abc')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});
