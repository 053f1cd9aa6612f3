import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { RequestPluginData } from '../common/request-plugin-data.ts';
import type { OnCallApprover } from './on-call-approver.ts';
import { APPROVAL } from './pagerduty-data.ts';

export interface AutoApprovalOptions {
  approver: OnCallApprover;
  client: () => GatehouseClient;
  /** The plugin's own user: the author of its reviews. */
  self: string;
  log: Logger;
}

const APPROVED = { kind: 'approved' } as const;

/**
 * On-call auto-approval: the plugin's approving review of a pending request whose requester is
 * on call (OnCallApprover decides).
 *
 * The review is the one effect of this plugin that takes no claim, because the server already
 * does what a claim would. It keeps one review per reviewer and request, so a second submit by
 * the plugin (another replica, a replayed event, a run after a crash) is refused, never a second
 * review: ALREADY_EXISTS, or FAILED_PRECONDITION when the first one already decided the request.
 * And the request lists its reviews, so a run that died after the server took the review,
 * before recording it, left the review itself as the record: the next run finds it there and
 * records it. A claim would add a write before the review (on the path the requester waits for)
 * and, held by a dead process, hold the approval up for the whole takeover window, for nothing.
 * `approval` in plugin data only spares asking PagerDuty again.
 */
export async function autoApprove(o: AutoApprovalOptions, request: AccessRequest__Output, data: RequestPluginData): Promise<void> {
  const { log, self } = o;
  if (data.get(APPROVAL) !== undefined) return;
  if (request.reviews.some((r) => r.author === self)) {
    await data.set(APPROVAL, APPROVED);
    return;
  }
  if (request.state !== 'PENDING') return;
  const decision = await o.approver.decide(request, data.signal);
  if (decision.kind === 'skip') {
    const line = { requestId: request.id, user: request.user, roles: request.roles, skip: decision.code, reason: decision.reason };
    // Requests without the annotation are most requests: not worth a write or an info line.
    if (decision.code === 'no_services_annotation' || decision.code === 'disabled') {
      log.debug(line, 'auto-approval skipped');
      return;
    }
    await data.set(APPROVAL, { skipped: decision.code });
    log.info(line, 'auto-approval skipped');
    return;
  }
  try {
    const after = await o.client().submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: decision.reason });
    log.info({ requestId: request.id, user: request.user, pdUser: decision.pdUser.email, services: decision.services, state: after.state }, 'submitted an on-call approval');
  } catch (err) {
    if (GatehouseError.is(err, 'ALREADY_EXISTS')) {
      log.debug({ requestId: request.id }, 'the plugin already reviewed this request');
    } else if (GatehouseError.is(err, 'PERMISSION_DENIED', 'FAILED_PRECONDITION')) {
      // The server checks the request's state before the reviewer: a request no longer pending
      // may have been decided by our own review, submitted by a run that did not hear back.
      if (!(err.code === 'FAILED_PRECONDITION' && (await hasOwnReview(o, request.id)))) {
        // Not retried: an operator's rule (deny.review_requests) or a request that moved on.
        const denied = err.code === 'PERMISSION_DENIED';
        log[denied ? 'warn' : 'info']({ requestId: request.id, user: request.user, roles: request.roles, code: err.code, err: err.details }, denied ? 'the server refused the on-call approval; not retrying' : 'the request can no longer be reviewed');
        await data.set(APPROVAL, { kind: 'refused', why: `${err.code}: ${err.details}` });
        return;
      }
    } else {
      throw err;
    }
  }
  await data.set(APPROVAL, APPROVED);
}

async function hasOwnReview(o: AutoApprovalOptions, requestId: string): Promise<boolean> {
  return (await o.client().getAccessRequest(requestId)).reviews.some((r) => r.author === o.self);
}
