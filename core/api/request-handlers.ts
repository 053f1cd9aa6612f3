import type { AccessServiceHandlers } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import { AppError } from '../domain/app-error.ts';
import { applyReview } from '../domain/apply-review.ts';
import { buildAccessRequest } from '../domain/create-request.ts';
import { newRequestId } from '../domain/request-id.ts';
import { setRequestState } from '../domain/transitions.ts';
import { REQUEST_STATES, type AccessRequest, type RequestState, type Role } from '../domain/types.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { canSee, isAllowed, requireAllowed } from './authorize.ts';
import { toProtoRequest } from './convert.ts';
import { unary, type RpcRuntime } from './rpc.ts';
import {
  optionalName,
  requireList,
  requireMillis,
  requireName,
  requireOneOf,
  requirePageSize,
  requireRequestId,
  requireString,
} from './validate-field.ts';

const MAX_REASON_BYTES = 4096;

type Handlers = Pick<
  AccessServiceHandlers,
  | 'CreateAccessRequest'
  | 'GetAccessRequest'
  | 'ListAccessRequests'
  | 'SubmitAccessReview'
  | 'SetAccessRequestState'
  | 'DeleteAccessRequest'
>;

function rolesOf(deps: ApiDeps, names: string[]): Role[] {
  return names.map(deps.getRole).filter((r): r is Role => r !== undefined);
}

async function loadRequest(deps: ApiDeps, id: string): Promise<AccessRequest> {
  const request = await deps.store.getRequest(id);
  if (!request) throw new AppError('not_found', `access request ${id} not found`);
  return request;
}

/** A role name, or `*` for every role the user may request (expanded by buildAccessRequest). */
function requireRequestedRole(field: string, value: unknown): string {
  return value === '*' ? value : requireName(field, value);
}

function parseStates(field: string, value: unknown): RequestState[] {
  return requireList(field, value, 8, (f, v) => requireOneOf(f, v, REQUEST_STATES));
}

/** Access-request RPCs: create, read, list, review, direct state changes, delete. */
export function createRequestHandlers(deps: ApiDeps, rt: RpcRuntime): Handlers {
  const { store } = deps;

  async function create(req: Parameters<Handlers['CreateAccessRequest']>[0]['request'], caller: Caller) {
    const userName = optionalName('user', req.user) || caller.name;
    if (userName !== caller.name && !isAllowed(caller, 'access_request', 'create')) {
      throw new AppError('permission_denied', `user "${caller.name}" may not create access requests for other users (needs verb create on access_request)`);
    }
    const roles = requireList('roles', req.roles, 32, requireRequestedRole);
    const reason = requireString('reason', req.reason ?? '', MAX_REASON_BYTES);
    const suggestedReviewers = requireList('suggested_reviewers', req.suggestedReviewers, 64, (f, v) => requireString(f, v, 256));
    const target = userName === caller.name ? caller.user : await store.getUser(userName);
    if (!target) throw new AppError('not_found', `user "${userName}" not found`);
    const now = deps.now();
    const built = buildAccessRequest(
      {
        id: newRequestId(),
        roles,
        reason,
        suggestedReviewers,
        maxDurationMs: requireMillis('max_duration_ms', req.maxDurationMs),
        pendingTtlMs: requireMillis('pending_ttl_ms', req.pendingTtlMs),
      },
      { name: target.name, roles: rolesOf(deps, target.roles), traits: target.traits },
      deps.allRoles(),
      now,
    );
    if (req.dryRun) return toProtoRequest(built);
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
    return toProtoRequest(committed.value);
  }

  async function get(req: Parameters<Handlers['GetAccessRequest']>[0]['request'], caller: Caller) {
    const id = requireRequestId('id', req.id);
    const request = await loadRequest(deps, id);
    if (!canSee(caller, request)) throw new AppError('permission_denied', `user "${caller.name}" may not read access request ${id}`);
    return toProtoRequest(request);
  }

  async function list(req: Parameters<Handlers['ListAccessRequests']>[0]['request'], caller: Caller) {
    const states = parseStates('states', req.states);
    const users = requireList('users', req.users, 100, requireName);
    const ids = requireList('ids', req.ids, 100, requireRequestId);
    const pageSize = requirePageSize('page_size', req.pageSize, 100, 1000);
    const pageToken = requireString('page_token', req.pageToken ?? '', 512);
    const createdSinceMs = requireMillis('created_since_ms', req.createdSinceMs);
    const listAll = isAllowed(caller, 'access_request', 'list');
    const page = await store.listRequests({
      ...(states.length ? { states } : {}),
      ...(users.length ? { users } : {}),
      ...(ids.length ? { ids } : {}),
      ...(createdSinceMs ? { createdSinceMs } : {}),
      pageSize,
      ...(pageToken ? { pageToken } : {}),
    });
    const visible = listAll ? page.items : page.items.filter((r) => canSee(caller, r));
    return { requests: visible.map(toProtoRequest), nextPageToken: page.nextPageToken };
  }

  async function review(req: Parameters<Handlers['SubmitAccessReview']>[0]['request'], caller: Caller) {
    const id = requireRequestId('request_id', req.requestId);
    const proposedState = requireOneOf('proposed_state', req.proposedState, ['APPROVED', 'DENIED'] as const);
    const reason = requireString('reason', req.reason ?? '', MAX_REASON_BYTES);
    const author = optionalName('author', req.author) || caller.name;
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
    return toProtoRequest(committed.value);
  }

  async function setState(req: Parameters<Handlers['SetAccessRequestState']>[0]['request'], caller: Caller) {
    const id = requireRequestId('request_id', req.requestId);
    const state = requireOneOf('state', req.state, ['APPROVED', 'DENIED', 'REVOKED'] as const);
    const reason = requireString('reason', req.reason ?? '', MAX_REASON_BYTES);
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
    return toProtoRequest(committed.value);
  }

  async function remove(req: Parameters<Handlers['DeleteAccessRequest']>[0]['request'], caller: Caller) {
    const id = requireRequestId('id', req.id);
    const request = await loadRequest(deps, id);
    const ownPending = request.user === caller.name && request.state === 'PENDING';
    if (!ownPending) requireAllowed(caller, 'access_request', 'delete');
    await store.deleteRequest(id, {
      type: 'access_request.delete',
      actor: caller.name,
      requestId: id,
      details: { user: request.user, roles: request.roles, state: request.state },
    });
    return {};
  }

  return {
    CreateAccessRequest: unary(rt, 'CreateAccessRequest', create),
    GetAccessRequest: unary(rt, 'GetAccessRequest', get),
    ListAccessRequests: unary(rt, 'ListAccessRequests', list),
    SubmitAccessReview: unary(rt, 'SubmitAccessReview', review),
    SetAccessRequestState: unary(rt, 'SetAccessRequestState', setState),
    DeleteAccessRequest: unary(rt, 'DeleteAccessRequest', remove),
  };
}
