import type { User } from '../domain/types.ts';
import type { CertIdentity } from './cert-identity.ts';

/**
 * How long before it was issued a client certificate's NotBefore lies: issueClientCert
 * back-dates NotBefore by one minute for clock skew and X.509 keeps whole seconds, so a
 * certificate was issued in [NotBefore + 60 s, NotBefore + 61 s).
 */
const NOT_BEFORE_BACKDATE_MS = 61_000;

/**
 * Why a client certificate does not belong to the stored `user` of its name, or undefined when
 * it does. A user deleted and created again under the same name is another user: its
 * certificates, renewals and assumed requests must not come back with the name.
 *
 * - A certificate with the user-incarnation extension belongs to the user whose incarnation it
 *   carries, and to no other.
 * - A certificate without it was issued before the extension existed (store schema version 1),
 *   so it keeps working until it expires, but only for a user of that time (incarnation `""`,
 *   given by the migration) and only if it was issued after that user was created: its
 *   NotBefore is at most 61 s older than the user's `createdMs`. One issued to an earlier user
 *   of the name, deleted before the upgrade, is therefore refused too (unless the delete, the
 *   re-create and the issue all fell within one second). A user created after the upgrade never
 *   accepts one.
 */
export function incarnationMismatch(
  cert: Pick<CertIdentity, 'user' | 'incarnation' | 'notBeforeMs'>,
  user: Pick<User, 'incarnation' | 'createdMs'>,
): string | undefined {
  const belongs =
    cert.incarnation === undefined
      ? user.incarnation === '' && cert.notBeforeMs + NOT_BEFORE_BACKDATE_MS > user.createdMs
      : cert.incarnation === user.incarnation;
  if (belongs) return undefined;
  return (
    `certificate was issued to an earlier user "${cert.user}", deleted since (the current "${cert.user}" was ` +
    `created ${new Date(user.createdMs).toISOString()}); get a new certificate`
  );
}
