import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/app-error.ts';

/** A new invite: give `token` to the user once; store only `tokenHash`. */
export interface InviteToken {
  token: string;
  tokenHash: string;
}

/** The parts of a token a user typed. */
export interface ParsedInviteToken {
  /** The 43-character base64url secret (32 random bytes). */
  secret: string;
  /** First 32 hex characters (128 bits) of the CA certificate's SHA-256 fingerprint. */
  caPin: string;
  /** {@link hashInviteToken} of the secret: what the server looks up. */
  tokenHash: string;
}

/** Version prefix of the token format. */
export const INVITE_TOKEN_PREFIX = 'gh1';
const CA_PIN_LENGTH = 32;
const TOKEN = /^gh1\.([A-Za-z0-9_-]{43})\.([0-9a-f]{32})$/;
const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * Creates a one-time invite token `gh1.<secret>.<caPin>`: 32 random bytes (base64url) and the
 * first 32 hex characters of the CA fingerprint. The pin lets `gatehouse login` trust a server
 * it has never seen (like kubeadm's discovery-token-ca-cert-hash): it accepts the server's CA
 * only if the CA's fingerprint starts with the pin, and only then sends the secret.
 *
 * @param caFingerprintSha256 `ClusterCA.fingerprintSha256` (64 hex chars; colons and case ignored).
 * @throws AppError `invalid_argument` for a fingerprint that is not 64 hex characters.
 */
export function createInviteToken(caFingerprintSha256: string): InviteToken {
  const fingerprint = normalizeFingerprint(caFingerprintSha256);
  const secret = randomBytes(32).toString('base64url');
  return { token: `${INVITE_TOKEN_PREFIX}.${secret}.${fingerprint.slice(0, CA_PIN_LENGTH)}`, tokenHash: hashInviteToken(secret) };
}

/**
 * Splits a token into its secret, CA pin and hash. Surrounding whitespace is ignored.
 * @throws AppError `invalid_argument` naming `token` when it does not have the gh1 shape.
 *   The message never repeats the token.
 */
export function parseInviteToken(token: string): ParsedInviteToken {
  const match = TOKEN.exec(token.trim());
  const secret = match?.[1];
  const caPin = match?.[2];
  if (secret === undefined || caPin === undefined || Buffer.from(secret, 'base64url').length !== 32) {
    throw new AppError('invalid_argument', 'token: not a Gatehouse invite token (expected gh1.<43 base64url chars>.<32 hex chars>)');
  }
  return { secret, caPin, tokenHash: hashInviteToken(secret) };
}

/** SHA-256 (lowercase hex) of the secret's base64url text: what the server stores and looks up. */
export function hashInviteToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when the CA fingerprint (64 hex chars, colons and case ignored) starts with `caPin`. Constant time. */
export function caPinMatches(caPin: string, caFingerprintSha256: string): boolean {
  const fingerprint = normalizeFingerprint(caFingerprintSha256);
  const pin = caPin.toLowerCase();
  if (pin.length !== CA_PIN_LENGTH) return false;
  return timingSafeEqual(Buffer.from(pin), Buffer.from(fingerprint.slice(0, CA_PIN_LENGTH)));
}

function normalizeFingerprint(fingerprint: string): string {
  const normalized = fingerprint.replaceAll(':', '').toLowerCase();
  if (!FINGERPRINT.test(normalized)) {
    throw new AppError('invalid_argument', 'ca_fingerprint: expected the 64 hex characters of a SHA-256 fingerprint');
  }
  return normalized;
}
