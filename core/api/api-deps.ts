import type { Logger } from 'pino';
import type { Role } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import type { EventHub } from '../server/event-hub.ts';

/** Limits the API enforces; defaults in core/server/server-config.ts. */
export interface ApiLimits {
  /** Longest certificate a user can get for themselves. */
  maxUserCertTtlMs: number;
  /** Longest certificate an admin can sign for someone else (`auth sign`). */
  maxSignedCertTtlMs: number;
  /** Validity of a certificate obtained by redeeming an invite. */
  loginCertTtlMs: number;
  /** Longest invite validity. */
  maxInviteTtlMs: number;
  /** A watcher with more queued events than this is closed (RESOURCE_EXHAUSTED). */
  maxWatcherBacklog: number;
}

/** Everything the gRPC handlers need, passed in by the composition root. */
export interface ApiDeps {
  store: Store;
  hub: EventHub;
  /** Live role definitions (presets and stored roles). */
  getRole: (name: string) => Role | undefined;
  allRoles: () => readonly Role[];
  /** Applies a committed role change to the live definitions at once. */
  rolesChanged: () => Promise<void>;
  /** Issues a client certificate for the given public key. */
  issueClientCert: (input: {
    publicKey: CryptoKey;
    user: string;
    /** The stored user's incarnation (User.incarnation), so the certificate dies with the user. */
    incarnation: string;
    roles: string[];
    accessRequestIds: string[];
    ttlMs: number;
  }) => Promise<{ certPem: string; expiresMs: number }>;
  parseCsr: (csrPem: string) => Promise<CryptoKey>;
  caPems: string[];
  caFingerprint: string;
  clusterName: string;
  version: string;
  limits: ApiLimits;
  log: Logger;
  now: () => number;
}
