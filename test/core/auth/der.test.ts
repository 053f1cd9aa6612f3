import { describe, expect, it } from 'vitest';
import { decodeUtf8StringSequence, encodeOidContent, encodeUtf8StringSequence, readDerElement } from '../../../core/auth/der.ts';

describe('DER helpers', () => {
  it('round-trips SEQUENCE OF UTF8String, including long and non-ASCII values', () => {
    const values = ['a', 'é✓', 'x'.repeat(300), ''];
    expect(decodeUtf8StringSequence(encodeUtf8StringSequence(values))).toEqual(values);
    expect(Buffer.from(encodeUtf8StringSequence(['ab'])).toString('hex')).toBe('30040c026162');
    expect(Buffer.from(encodeUtf8StringSequence([])).toString('hex')).toBe('3000');
  });

  it('encodes the private OID as expected', () => {
    expect(Buffer.from(encodeOidContent('1.3.6.1.4.1.59999.1.1')).toString('hex')).toBe('2b0601040183d45f0101');
    expect(Buffer.from(encodeOidContent('2.5.4.3')).toString('hex')).toBe('550403');
  });

  it.each([
    ['truncated value', '30050c0161'],
    ['trailing bytes', '30030c016100'],
    ['indefinite length', '30800c01610000'],
    ['non-minimal length', '3081030c0161'],
    ['wrong item type', '3003130161'],
    ['child overruns parent', '30020c03616263'],
    ['invalid UTF-8', '30030c01ff'],
    ['not a sequence', '0c0161'],
  ])('rejects %s', (_name, hex) => {
    expect(() => decodeUtf8StringSequence(Buffer.from(hex, 'hex'))).toThrow();
  });

  it('refuses huge length fields', () => {
    expect(() => readDerElement(Buffer.from('3085ffffffffff', 'hex'), 0)).toThrow(/too large/);
  });
});
