import type {
  AccessRequest,
  AuditDraft,
  AuditEvent,
  PluginData,
  RequestState,
  Role,
  StoredEvent,
  User,
  UserDraft,
} from '../domain/types.ts';

/**
 * The persistence contract. Every mutation is atomic: the change, the event it appends to the
 * ordered event log and its audit entry commit together or not at all, and a resolved promise
 * means the write is durable (survives `kill -9`).
 *
 * Implementations: `sqlite/` (default, node:sqlite) and `postgres/` (pg). The same contract
 * suite (test/core/store/store-contract.ts) runs against each.
 *
 * Errors are AppError: `not_found`, `already_exists`, `aborted` (plugin-data expectation not
 * met), `out_of_range` (event log no longer reaches a position); driver errors are translated
 * at the implementation's edge.
 */
export interface Store {
  // ---- access requests ----
  /** Stores a new request (revision 1). `already_exists` if the id is taken. */
  createRequest(request: AccessRequest, audit: AuditDraft): Promise<Committed<AccessRequest>>;
  getRequest(id: string): Promise<AccessRequest | undefined>;
  /** Ordered by id ascending (ids are UUIDv7, so creation order), or descending with `newestFirst`. */
  listRequests(query: RequestQuery): Promise<Page<AccessRequest>>;
  /**
   * Read-modify-write under a lock/transaction: `change` receives the current request and
   * returns the new one plus its audit entry, or throws an AppError (nothing is written).
   * `change` must be synchronous and pure. The store bumps `revision` and sets `updatedMs`.
   * `not_found` if the request does not exist.
   */
  updateRequest(id: string, change: RequestChange): Promise<Committed<AccessRequest>>;
  /** Deletes a request and its plugin data; appends a DELETE event. `not_found` if absent. */
  deleteRequest(id: string, audit: AuditDraft): Promise<Committed<AccessRequest>>;

  // ---- plugin data ----
  /** All plugins' entries for a request (empty object when none). */
  getPluginData(requestId: string): Promise<PluginData>;
  /**
   * Compare-and-swap on one plugin's entry of one request. `expect[k]` must equal the current
   * value (absent = ""), else `aborted` naming the key. `set[k] = ""` deletes k. Returns the
   * entry after the update. `not_found` if the request does not exist.
   */
  updatePluginData(
    requestId: string,
    plugin: string,
    set: Record<string, string>,
    expect: Record<string, string>,
  ): Promise<Record<string, string>>;

  // ---- users ----
  /**
   * Creates or replaces a user. Creating gives it a fresh random `incarnation`; replacing keeps
   * the stored one, whatever the caller read before (so an update racing a delete and re-create
   * never hands the new user the old incarnation). `createOnly`: `already_exists` if the name is
   * taken. Returns the stored user, incarnation included.
   */
  putUser(user: UserDraft, audit: AuditDraft, options?: { createOnly?: boolean }): Promise<Committed<User>>;
  getUser(name: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  deleteUser(name: string, audit: AuditDraft): Promise<Committed<User>>;

  // ---- invites (one-time tokens; only a hash is stored) ----
  createInvite(invite: Invite): Promise<void>;
  /** Atomically marks the invite used and returns it; undefined if unknown, used or expired. */
  consumeInvite(tokenHash: string, nowMs: number): Promise<Invite | undefined>;

  // ---- roles ----
  /** Upserts several roles in one transaction (one PUT event each). */
  putRoles(roles: Role[], audit: AuditDraft): Promise<Committed<Role[]>>;
  getRole(name: string): Promise<Role | undefined>;
  listRoles(): Promise<Role[]>;
  deleteRole(name: string, audit: AuditDraft): Promise<Committed<Role>>;

  // ---- event log ----
  /** Position of the newest event (0 when the log is empty). */
  lastPosition(): Promise<number>;
  /**
   * Events with position > `after`, in order, at most `limit`. `out_of_range` if events after
   * `after` have been pruned (the caller must re-list).
   */
  readEvents(after: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Called after every commit that appended events, in this process and (for shared
   * backends) in other replicas, with the newest position. For commits made through this
   * instance a backend may also pass the committed events (exactly those of that commit, in
   * order), so a listener need not read them back. Returns an unsubscribe function.
   */
  onAppend(listener: (lastPosition: number, events?: readonly StoredEvent[]) => void): () => void;
  /** Drops events older than `beforeMs` but always keeps the newest `keepAtLeast`. */
  pruneEvents(beforeMs: number, keepAtLeast: number): Promise<number>;

  // ---- audit ----
  /** Records an audit event that goes with no other change (e.g. cert.create, user.login). */
  appendAudit(audit: AuditDraft): Promise<AuditEvent>;
  /** Ordered by id ascending, or descending with `newestFirst`. */
  searchAudit(query: AuditQuery): Promise<Page<AuditEvent>>;

  // ---- lifecycle ----
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * Told how long each durable write took, for metrics. `commit`: one transaction (a SQLite group
 * commit of `writes` writes, or one PostgreSQL transaction); `sync`: one fdatasync of SQLite's
 * WAL, which made `writes` writes durable. Called on the hot path: it must be cheap and must not
 * throw.
 */
export type StoreObserver = (stage: 'commit' | 'sync', seconds: number, writes: number) => void;

export type RequestChange = (current: AccessRequest) => { request: AccessRequest; audit: AuditDraft };

export interface Committed<T> {
  value: T;
  /** Position of the (last) event appended by this commit. */
  position: number;
}

export interface Page<T> {
  items: T[];
  /** "" when there are no more. Opaque to callers. */
  nextPageToken: string;
}

export interface RequestQuery {
  states?: RequestState[];
  users?: string[];
  ids?: string[];
  /**
   * Expiry service: only PENDING requests whose pendingExpiresMs < this, and APPROVED
   * requests whose accessExpiresMs < this.
   */
  expiringBeforeMs?: number;
  /** Only requests created at or after this time (a range of their UUIDv7 ids). */
  createdSinceMs?: number;
  /**
   * Newest first (id descending) instead of oldest first; a page token continues in the order
   * of the query that made it. The web console lists this way.
   */
  newestFirst?: boolean;
  /** 1..1000 */
  pageSize: number;
  pageToken?: string;
}

export interface AuditQuery {
  type?: string;
  requestId?: string;
  actor?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Newest first (id descending) instead of oldest first. */
  newestFirst?: boolean;
  pageSize: number;
  pageToken?: string;
}

export interface Invite {
  tokenHash: string;
  user: string;
  /** The user's incarnation when invited: redeeming refuses a user created again since. */
  incarnation: string;
  expiresMs: number;
  createdBy: string;
}
