import type { AccessServiceHandlers } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { createAccessRequests, type AccessRequests } from './access-requests.ts';
import { toProtoAuditEvent } from './convert.ts';
import { unary, type RpcRuntime } from './rpc.ts';
import { optionalName, requireMillis, requirePageSize, requireRequestId, requireString } from './validate-field.ts';

type Handlers = Pick<AccessServiceHandlers, 'Ping' | 'SearchAuditEvents'>;

/** Features a client may rely on; plugins check them with Ping. */
export const SERVER_FEATURES = ['resumable_watch', 'plugin_data_cas', 'review_on_behalf', 'request_revocation'];

export function createMiscHandlers(deps: ApiDeps, rt: RpcRuntime, requests: AccessRequests = createAccessRequests(deps)): Handlers {
  async function ping(_req: unknown, caller: Caller) {
    return {
      clusterName: deps.clusterName,
      serverVersion: deps.version,
      features: SERVER_FEATURES,
      user: caller.name,
      roles: caller.roleNames,
      identityExpiresMs: caller.certExpiresMs,
    };
  }

  async function searchAudit(req: Parameters<Handlers['SearchAuditEvents']>[0]['request'], caller: Caller) {
    const type = requireString('type', req.type ?? '', 128);
    const requestId = req.requestId ? requireRequestId('request_id', req.requestId) : '';
    const actor = optionalName('actor', req.actor);
    const sinceMs = requireMillis('since_ms', req.sinceMs);
    const untilMs = requireMillis('until_ms', req.untilMs);
    const pageSize = requirePageSize('page_size', req.pageSize, 100, 1000);
    const pageToken = requireString('page_token', req.pageToken ?? '', 512);
    const page = await requests.searchAudit(caller, {
      pageSize,
      ...(type ? { type } : {}),
      ...(requestId ? { requestId } : {}),
      ...(actor ? { actor } : {}),
      ...(sinceMs ? { sinceMs } : {}),
      ...(untilMs ? { untilMs } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    return { events: page.items.map(toProtoAuditEvent), nextPageToken: page.nextPageToken };
  }

  return {
    Ping: unary(rt, 'Ping', ping),
    SearchAuditEvents: unary(rt, 'SearchAuditEvents', searchAudit),
  };
}
