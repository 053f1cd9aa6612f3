/**
 * The domain model shared by api, store and domain logic. Plain data: JSON-serializable,
 * no classes, no I/O. Times are Unix milliseconds.
 */

export const REQUEST_STATES = ['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'REVOKED'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export type ResolvedState = Exclude<RequestState, 'PENDING'>;

export interface Threshold {
  name: string;
  /** Predicate over reviewer/request (see predicate.ts); "" always matches. */
  filter: string;
  approve: number;
  deny: number;
}

export interface Review {
  /** The person the review is judged as. */
  author: string;
  /** The identity that submitted it when different from the author; otherwise "". */
  submittedBy: string;
  proposedState: 'APPROVED' | 'DENIED';
  reason: string;
  createdMs: number;
  /** Indexes into the request's thresholds whose filter matched this review. */
  thresholdIndexes: number[];
}

export interface AccessRequest {
  id: string;
  user: string;
  /** Sorted, deduplicated. */
  roles: string[];
  state: RequestState;
  reason: string;
  resolveReason: string;
  /** Who resolved it (the last reviewer, the admin who set the state, or "system" on expiry). */
  resolvedBy: string;
  createdMs: number;
  /** The request stops waiting for review at this time. */
  pendingExpiresMs: number;
  /** No certificate from this request outlives this time. */
  accessExpiresMs: number;
  thresholds: Threshold[];
  /** Per requested role: an AND of sets, each set an OR of threshold indexes. */
  roleThresholdMapping: Record<string, number[][]>;
  reviews: Review[];
  suggestedReviewers: string[];
  annotations: Record<string, string[]>;
  /** Bumped by the store on every write. */
  revision: number;
  updatedMs: number;
}

export interface Rule {
  resources: string[];
  verbs: string[];
}

export interface RequestConditions {
  roles: string[];
  thresholds: Threshold[];
  annotations: Record<string, string[]>;
  suggestedReviewers: string[];
  /** 0 = unset. */
  maxDurationMs: number;
}

export interface ReviewConditions {
  roles: string[];
  /** Optional predicate over reviewer/request; "" = always applies. */
  where: string;
}

export interface RoleConditions {
  logins: string[];
  nodeLabels: Record<string, string[]>;
  rules: Rule[];
  request: RequestConditions;
  reviewRequests: ReviewConditions;
}

export type RequestAccessStrategy = 'optional' | 'reason' | 'always';

export interface RoleOptions {
  /** 0 = unset. */
  maxSessionTtlMs: number;
  requestAccess: RequestAccessStrategy;
}

export interface Role {
  name: string;
  allow: RoleConditions;
  deny: RoleConditions;
  options: RoleOptions;
  /** The source document as applied (YAML). */
  yaml: string;
  /** Built-in preset; cannot be removed. */
  preset: boolean;
}

export interface User {
  name: string;
  roles: string[];
  traits: Record<string, string[]>;
  createdMs: number;
  /**
   * This user's lifetime under its name: assigned by the store when the user is created, kept
   * by every update, and new when the name is created again after a delete. Certificates carry
   * it, so one issued to a deleted user never works for a later user of the same name. `""` for
   * a user that existed before certificates carried it (store schema version 1): see
   * core/auth/incarnation-mismatch.ts for which certificates such a user accepts.
   */
  incarnation: string;
}

/** A user as written: the store assigns the incarnation (see {@link User.incarnation}). */
export type UserDraft = Omit<User, 'incarnation'>;

export type ResourceKind = 'access_request' | 'role' | 'user';

/** One entry of the ordered event log. */
export interface StoredEvent {
  position: number;
  timeMs: number;
  type: 'PUT' | 'DELETE';
  kind: ResourceKind;
  name: string;
  /** Present on PUT of an access_request. */
  request?: AccessRequest;
  /**
   * On DELETE of an access_request: whose request it was, so a watcher of one user's requests
   * learns of the deletion. Absent from events stored before it was recorded.
   */
  owner?: string;
  role?: Role;
  user?: User;
}

export interface AuditEvent {
  id: number;
  timeMs: number;
  /** e.g. access_request.create, access_request.review, access_request.update, user.create */
  type: string;
  /** The identity that made the call ("system" for the expiry service). */
  actor: string;
  requestId: string;
  details: Record<string, unknown>;
}

/** An audit entry before the store assigns id and time. */
export type AuditDraft = Omit<AuditEvent, 'id' | 'timeMs'>;

/** plugin name -> key -> value */
export type PluginData = Record<string, Record<string, string>>;
