import type { TLSSocket } from 'node:tls';
import { incarnationMismatch } from '../auth/incarnation-mismatch.ts';
import { AppError } from '../domain/app-error.ts';
import type { Role, User } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import { callSocket } from './call-socket.ts';

/** The part of a grpc-js server call that authentication reads. */
export interface AuthenticatedCall {
  getAuthContext(): { sslPeerCertificate?: { raw: Buffer } };
}

/** What the server knows from a verified client certificate. */
export interface CallerIdentity {
  readonly user: string;
  readonly roles: readonly string[];
  readonly accessRequestIds: readonly string[];
  /** The user's incarnation the certificate was issued to; undefined in older certificates. */
  readonly incarnation: string | undefined;
  readonly notBeforeMs: number;
  readonly expiresMs: number;
}

/** The authenticated caller of one RPC, with its live roles. */
export interface Caller {
  name: string;
  user: User;
  /** Base roles of the stored user plus the roles of the active requests in the certificate. */
  roleNames: string[];
  roles: Role[];
  traits: Record<string, string[]>;
  activeRequestIds: readonly string[];
  certExpiresMs: number;
  /** When the first of the certificate's access requests ends its access; Infinity without any. */
  accessExpiresMs: number;
  /** The verified certificate this caller was resolved from (long-lived calls re-resolve it). */
  identity: CallerIdentity;
}

export interface AuthenticatorOptions {
  store: Store;
  /** The live user by name (core/server/user-directory.ts). */
  getUser: (name: string) => Promise<User | undefined>;
  /** Live role definitions by name. */
  getRole: (name: string) => Role | undefined;
  /** Parses (and caches) the DER of a TLS-verified client certificate. */
  parseIdentity: (der: Buffer) => CallerIdentity;
  now: () => number;
}

/** Authentication of calls, and re-resolution of a caller already authenticated. */
export interface Authenticator {
  /** Resolves the caller of one call from its TLS-verified client certificate. */
  authenticate: (call: AuthenticatedCall) => Promise<Caller>;
  /**
   * Resolves an identity again, with the same checks as a new call (user, requests, roles), so a
   * long-lived call can learn whether its caller still holds the access it was opened with.
   */
  resolve: (identity: CallerIdentity) => Promise<Caller>;
}

/**
 * Builds the per-call authenticator. TLS has already verified the chain to the cluster CA;
 * this resolves the user live (a deleted user is refused at once; on other PostgreSQL replicas
 * as soon as their event hub sees the deletion), refuses a certificate issued to an earlier
 * user of the same name (core/auth/incarnation-mismatch.ts), and re-checks every access
 * request the certificate carries: elevated access holds only while each is APPROVED and
 * unexpired, so deleting, revoking or expiring a request cuts it immediately.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { store, getUser, getRole, parseIdentity, now } = options;
  // The verified certificate of a connection, read once per connection (see callSocket).
  const connections = new WeakMap<TLSSocket, CallerIdentity>();
  const identityOf = (call: AuthenticatedCall): CallerIdentity => {
    const socket = callSocket(call);
    const known = socket && connections.get(socket);
    if (known) return known;
    const der = socket ? (socket.authorized ? socket.getPeerX509Certificate()?.raw : undefined) : call.getAuthContext().sslPeerCertificate?.raw;
    if (!der) throw new AppError('unauthenticated', 'a client certificate issued by the cluster CA is required');
    const identity = parseIdentity(der);
    if (socket) connections.set(socket, identity);
    return identity;
  };
  const resolve = async (identity: CallerIdentity): Promise<Caller> => {
    const t = now();
    if (identity.expiresMs <= t) throw new AppError('unauthenticated', `certificate of user "${identity.user}" has expired`);
    const user = await getUser(identity.user);
    if (!user) throw new AppError('unauthenticated', `user "${identity.user}" does not exist (deleted?)`);
    // The name alone is not the user: one deleted and created again refuses the old certificates.
    const mismatch = incarnationMismatch(identity, user);
    if (mismatch !== undefined) throw new AppError('unauthenticated', mismatch);
    const roleNames = new Set(user.roles);
    let accessExpiresMs = Infinity;
    for (const id of identity.accessRequestIds) {
      const request = await store.getRequest(id);
      if (!request) throw new AppError('permission_denied', `certificate carries access request ${id}, which no longer exists; drop it with a fresh certificate`);
      if (request.user !== identity.user) throw new AppError('permission_denied', `certificate carries access request ${id} of another user`);
      if (request.state !== 'APPROVED') {
        throw new AppError('permission_denied', `certificate carries access request ${id}, which is ${request.state}; elevated access has ended`);
      }
      if (request.accessExpiresMs <= t) throw new AppError('permission_denied', `certificate carries access request ${id}, whose access expired`);
      for (const role of request.roles) roleNames.add(role);
      accessExpiresMs = Math.min(accessExpiresMs, request.accessExpiresMs);
    }
    const names = [...roleNames].sort();
    const roles = names.map(getRole).filter((r): r is Role => r !== undefined);
    return {
      name: identity.user,
      user,
      roleNames: names,
      roles,
      traits: user.traits,
      activeRequestIds: identity.accessRequestIds,
      certExpiresMs: identity.expiresMs,
      accessExpiresMs,
      identity,
    };
  };
  return { authenticate: async (call) => resolve(identityOf(call)), resolve };
}
