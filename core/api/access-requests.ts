import { AppError } from '../domain/app-error.ts';
import { applyReview } from '../domain/apply-review.ts';
import { buildAccessRequest } from '../domain/create-request.ts';
import { newRequestId } from '../domain/request-id.ts';
import { setRequestState } from '../domain/transitions.ts';
import type { AccessRequest, AuditEvent, Role } from '../domain/types.ts';
import type { AuditQuery, Page, RequestQuery } from '../store/store.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { canSee, isAllowed, requireAllowed } from './authorize.ts';

/** A new request as asked for; fields already validated for shape by the caller's edge. */
export interface CreateInput {
  /** "" or the caller's name: for themselves; another name needs verb create on access_request. */
  user: string;
  /** Role names, or `["*"]` for every role the user may request. */
  roles: string[];
  reason: string;
  suggestedReviewers: string[];
  /** 0 = the longest the roles allow. */
  maxDurationMs: number;
  /** 0 = the longest allowed. */
  pendingTtlMs: number;
  /** Build and check it, store nothing. */
  dryRun: boolean;
}

export interface ReviewInput {
  requestId: string;
  proposedState: 'APPROVED' | 'DENIED';
  reason: string;
  /** "" or the caller's name; another name needs verb review_on_behalf on access_request. */
  author: string;
}

export interface SetStateInput {
  requestId: string;
  state: 'APPROVED' | 'DENIED' | 'REVOKED';
  reason: string;
}

/**
 * What a caller may do with access requests and the audit log, authorized in one place for
 * every front end: the gRPC handlers (core/api) and the web console (core/web) both call these,
 * so a rule can never hold in one and not the other. Inputs are typed and bounded by the edge
 * that parsed them; the domain checks (self-review, permitted roles, thresholds) run here.
 */
export interface AccessRequests {
  create(caller: Caller, input: CreateInput): Promise<AccessRequest>;
  /** @throws `not_found`, or `permission_denied` when the caller may not see it. */
  get(caller: Caller, id: string): Promise<AccessRequest>;
  /** One store page with the requests the caller may not see left out (a page may come back short). */
  list(caller: Caller, query: RequestQuery): Promise<Page<AccessRequest>>;
  review(caller: Caller, input: ReviewInput): Promise<AccessRequest>;
  /** Admin: approve, deny or revoke directly (verb update on access_request). */
  setState(caller: Caller, input: SetStateInput): Promise<AccessRequest>;
  /** Own pending requests, or any with verb delete on access_request. */
  remove(caller: Caller, id: string): Promise<void>;
  /** Needs verb list on audit_event. */
  searchAudit(caller: Caller, query: AuditQuery): Promise<Page<AuditEvent>>;
  /** Whether the caller sees every request (verb list on access_request) rather than a filtered few. */
  listsAll(caller: Caller): boolean;
}

type Deps = Pick<ApiDeps, 'store' | 'getRole' | 'allRoles' | 'now'>;

function rolesOf(deps: Deps, names: readonly string[]): Role[] {
  return names.map(deps.getRole).filter((r): r is Role => r !== undefined);
}

/** The access-request operations over the live store and roles (see {@link AccessRequests}). */
export function createAccessRequests(deps: Deps): AccessRequests {
  const { store } = deps;

  async function load(id: string): Promise<AccessRequest> {
    const request = await store.getRequest(id);
    if (!request) throw new AppError('not_found', `access request ${id} not found`);
    return request;
  }

  async function create(caller: Caller, input: CreateInput): Promise<AccessRequest> {
    const userName = input.user || caller.name;
    if (userName !== caller.name && !isAllowed(caller, 'access_request', 'create')) {
      throw new AppError('permission_denied', `user "${caller.name}" may not create access requests for other users (needs verb create on access_request)`);
    }
    const target = userName === caller.name ? caller.user : await store.getUser(userName);
    if (!target) throw new AppError('not_found', `user "${userName}" not found`);
    const built = buildAccessRequest(
      {
        id: newRequestId(),
        roles: input.roles,
        reason: input.reason,
        suggestedReviewers: input.suggestedReviewers,
        maxDurationMs: input.maxDurationMs,
        pendingTtlMs: input.pendingTtlMs,
      },
      { name: target.name, roles: rolesOf(deps, target.roles), traits: target.traits },
      deps.allRoles(),
      deps.now(),
    );
    if (input.dryRun) return built;
    const committed = await store.createRequest(built, {
      type: 'access_request.create',
      actor: caller.name,
      requestId: built.id,
      details: {
        user: built.user,
        roles: built.roles,
        reason: built.reason,
        state: built.state,
        annotations: built.annotations,
        suggested_reviewers: built.suggestedReviewers,
        access_expires_ms: built.accessExpiresMs,
        pending_expires_ms: built.pendingExpiresMs,
      },
    });
    return committed.value;
  }

  async function get(caller: Caller, id: string): Promise<AccessRequest> {
    const request = await load(id);
    if (!canSee(caller, request)) throw new AppError('permission_denied', `user "${caller.name}" may not read access request ${id}`);
    return request;
  }

  async function list(caller: Caller, query: RequestQuery): Promise<Page<AccessRequest>> {
    const page = await store.listRequests(query);
    if (isAllowed(caller, 'access_request', 'list')) return page;
    return { items: page.items.filter((r) => canSee(caller, r)), nextPageToken: page.nextPageToken };
  }

  async function review(caller: Caller, input: ReviewInput): Promise<AccessRequest> {
    const { requestId: id, proposedState, reason } = input;
    const author = input.author || caller.name;
    let reviewer = { name: caller.name, roles: caller.roles, traits: caller.traits };
    let submittedBy = '';
    if (author !== caller.name) {
      if (!isAllowed(caller, 'access_request', 'review_on_behalf')) {
        throw new AppError('permission_denied', `user "${caller.name}" cannot submit reviews on behalf of "${author}" (needs verb review_on_behalf on access_request)`);
      }
      const authorUser = await store.getUser(author);
      if (!authorUser) throw new AppError('not_found', `review author "${author}" is not a Gatehouse user`);
      reviewer = { name: authorUser.name, roles: rolesOf(deps, authorUser.roles), traits: authorUser.traits };
      submittedBy = caller.name;
    }
    const committed = await store.updateRequest(id, (current) => {
      const next = applyReview(current, { author, submittedBy, proposedState, reason }, reviewer, deps.now());
      return {
        request: next,
        audit: {
          type: 'access_request.review',
          actor: caller.name,
          requestId: id,
          details: { reviewer: author, submitted_by: submittedBy || caller.name, proposed_state: proposedState, reason, state: next.state, user: next.user, roles: next.roles },
        },
      };
    });
    return committed.value;
  }

  async function setState(caller: Caller, input: SetStateInput): Promise<AccessRequest> {
    const { requestId: id, state, reason } = input;
    requireAllowed(caller, 'access_request', 'update');
    if (caller.activeRequestIds.length > 0) {
      throw new AppError('permission_denied', 'cannot directly update the state of an access request while using an access request');
    }
    const committed = await store.updateRequest(id, (current) => {
      const next = setRequestState(current, { state, reason, actor: caller.name }, deps.now());
      return {
        request: next,
        audit: { type: 'access_request.update', actor: caller.name, requestId: id, details: { state, reason, updated_by: caller.name, user: next.user, roles: next.roles } },
      };
    });
    return committed.value;
  }

  async function remove(caller: Caller, id: string): Promise<void> {
    const request = await load(id);
    const ownPending = request.user === caller.name && request.state === 'PENDING';
    if (!ownPending) requireAllowed(caller, 'access_request', 'delete');
    await store.deleteRequest(id, {
      type: 'access_request.delete',
      actor: caller.name,
      requestId: id,
      details: { user: request.user, roles: request.roles, state: request.state },
    });
  }

  async function searchAudit(caller: Caller, query: AuditQuery): Promise<Page<AuditEvent>> {
    requireAllowed(caller, 'audit_event', 'list');
    return store.searchAudit(query);
  }

  return {
    create,
    get,
    list,
    review,
    setState,
    remove,
    searchAudit,
    listsAll: (caller) => isAllowed(caller, 'access_request', 'list'),
  };
}
