import type { AccessServiceHandlers } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import { REQUEST_STATES, type RequestState } from '../domain/types.ts';
import { createAccessRequests, type AccessRequests } from './access-requests.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
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

/** A role name, or `*` for every role the user may request (expanded by buildAccessRequest). */
function requireRequestedRole(field: string, value: unknown): string {
  return value === '*' ? value : requireName(field, value);
}

function parseStates(field: string, value: unknown): RequestState[] {
  return requireList(field, value, 8, (f, v) => requireOneOf(f, v, REQUEST_STATES));
}

/**
 * Access-request RPCs: create, read, list, review, direct state changes, delete. Each checks
 * the proto fields and calls the one authorized implementation (access-requests.ts) that the
 * web console calls too.
 */
export function createRequestHandlers(deps: ApiDeps, rt: RpcRuntime, requests: AccessRequests = createAccessRequests(deps)): Handlers {
  async function create(req: Parameters<Handlers['CreateAccessRequest']>[0]['request'], caller: Caller) {
    const created = await requests.create(caller, {
      user: optionalName('user', req.user),
      roles: requireList('roles', req.roles, 32, requireRequestedRole),
      reason: requireString('reason', req.reason ?? '', MAX_REASON_BYTES),
      suggestedReviewers: requireList('suggested_reviewers', req.suggestedReviewers, 64, (f, v) => requireString(f, v, 256)),
      maxDurationMs: requireMillis('max_duration_ms', req.maxDurationMs),
      pendingTtlMs: requireMillis('pending_ttl_ms', req.pendingTtlMs),
      dryRun: req.dryRun === true,
    });
    return toProtoRequest(created);
  }

  async function get(req: Parameters<Handlers['GetAccessRequest']>[0]['request'], caller: Caller) {
    return toProtoRequest(await requests.get(caller, requireRequestId('id', req.id)));
  }

  async function list(req: Parameters<Handlers['ListAccessRequests']>[0]['request'], caller: Caller) {
    const states = parseStates('states', req.states);
    const users = requireList('users', req.users, 100, requireName);
    const ids = requireList('ids', req.ids, 100, requireRequestId);
    const pageSize = requirePageSize('page_size', req.pageSize, 100, 1000);
    const pageToken = requireString('page_token', req.pageToken ?? '', 512);
    const createdSinceMs = requireMillis('created_since_ms', req.createdSinceMs);
    const page = await requests.list(caller, {
      ...(states.length ? { states } : {}),
      ...(users.length ? { users } : {}),
      ...(ids.length ? { ids } : {}),
      ...(createdSinceMs ? { createdSinceMs } : {}),
      pageSize,
      ...(pageToken ? { pageToken } : {}),
    });
    return { requests: page.items.map(toProtoRequest), nextPageToken: page.nextPageToken };
  }

  async function review(req: Parameters<Handlers['SubmitAccessReview']>[0]['request'], caller: Caller) {
    const reviewed = await requests.review(caller, {
      requestId: requireRequestId('request_id', req.requestId),
      proposedState: requireOneOf('proposed_state', req.proposedState, ['APPROVED', 'DENIED'] as const),
      reason: requireString('reason', req.reason ?? '', MAX_REASON_BYTES),
      author: optionalName('author', req.author),
    });
    return toProtoRequest(reviewed);
  }

  async function setState(req: Parameters<Handlers['SetAccessRequestState']>[0]['request'], caller: Caller) {
    const updated = await requests.setState(caller, {
      requestId: requireRequestId('request_id', req.requestId),
      state: requireOneOf('state', req.state, ['APPROVED', 'DENIED', 'REVOKED'] as const),
      reason: requireString('reason', req.reason ?? '', MAX_REASON_BYTES),
    });
    return toProtoRequest(updated);
  }

  async function remove(req: Parameters<Handlers['DeleteAccessRequest']>[0]['request'], caller: Caller) {
    await requests.remove(caller, requireRequestId('id', req.id));
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
