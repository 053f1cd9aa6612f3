import { describe, expect, it } from 'vitest';
import { incarnationMismatch } from '../../../core/auth/incarnation-mismatch.ts';

const CREATED = 1_800_000_000_000;
const user = (incarnation: string) => ({ incarnation, createdMs: CREATED });
const cert = (incarnation: string | undefined, issuedMs: number) => ({ user: 'carol', incarnation, notBeforeMs: Math.floor((issuedMs - 60_000) / 1000) * 1000 });

describe('incarnationMismatch', () => {
  it('accepts a certificate carrying the user\'s incarnation and refuses any other, naming the user', () => {
    expect(incarnationMismatch(cert('inc-2', CREATED + 5_000), user('inc-2'))).toBeUndefined();
    expect(incarnationMismatch(cert('inc-1', CREATED - 5_000), user('inc-2'))).toBe(
      'certificate was issued to an earlier user "carol", deleted since (the current "carol" was created 2027-01-15T08:00:00.000Z); get a new certificate',
    );
    // An empty incarnation (a user from before incarnations) is a value like any other.
    expect(incarnationMismatch(cert('', CREATED + 5_000), user(''))).toBeUndefined();
    expect(incarnationMismatch(cert('', CREATED + 5_000), user('inc-2'))).toMatch(/earlier user "carol"/);
    expect(incarnationMismatch(cert('inc-2', CREATED + 5_000), user(''))).toMatch(/earlier user "carol"/);
  });

  it('accepts a certificate without the extension only for a user from before it, issued after that user was created', () => {
    for (const issuedMs of [CREATED, CREATED + 1, CREATED + 999, CREATED + 3_600_000]) {
      expect(incarnationMismatch(cert(undefined, issuedMs), user(''))).toBeUndefined();
    }
    // Issued to an earlier user of the name (more than the second that NotBefore rounds away).
    for (const issuedMs of [CREATED - 1_001, CREATED - 60_000, CREATED - 3_600_000]) {
      expect(incarnationMismatch(cert(undefined, issuedMs), user(''))).toMatch(/earlier user "carol"/);
    }
    // A user created after the upgrade never accepts a certificate from before it.
    expect(incarnationMismatch(cert(undefined, CREATED + 5_000), user('inc-2'))).toMatch(/earlier user "carol"/);
  });
});
