import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import { CasConflict, parseClaim, type EffectClaim, type RequestPluginData } from '../common/request-plugin-data.ts';
import type { OnCallApprover } from './on-call-approver.ts';
import { PagerDutyError, type PagerDutyApi } from './pagerduty-api.ts';
import type { PagerDutyConfig } from './pagerduty-config.ts';
import type { PdService } from './pagerduty-json.ts';
import { incidentKeyFor, renderIncidentDetails, renderIncidentTitle, renderResolutionNote, renderReviewNote } from './pagerduty-message.ts';
import { TtlCache } from '../common/ttl-cache.ts';

export interface PagerDutyHandlerOptions {
  config: PagerDutyConfig;
  api: PagerDutyApi;
  approver: OnCallApprover;
  client: () => GatehouseClient;
  log: Logger;
  webConsoleUrl: string | undefined;
  now: () => number;
  /** A claim older than this is taken over (its owner died mid-effect). @default 10000 */
  claimTakeoverMs?: number;
}

/** The incident the plugin opened for a request. */
interface IncidentRef {
  readonly id: string;
  readonly service: string;
}

const RESOLVED = new Set(['APPROVED', 'DENIED', 'EXPIRED', 'REVOKED']);
const SERVICE_TTL_MS = 5 * 60_000;

/** Thrown when another process holds a fresh claim: the runtime retries shortly. */
class ClaimedElsewhere extends Error {
  constructor(requestId: string, key: string, claim: EffectClaim) {
    super(`request ${requestId}: "${key}" is being handled by ${claim.by} (${claim.op}); will look again`);
    this.name = 'ClaimedElsewhere';
  }
}

/**
 * The PagerDuty plugin's request handling. Plugin data (plugin name `pagerduty`):
 * - `incident`: a claim while creating, then `{"id","service"}` (JSON), or `skip:<why>`;
 * - `notes`: how many of the request's reviews have a note on the incident;
 * - `resolution`: `noted:<STATE>` once the closing note is added, `resolved:<STATE>` once the
 *   incident is resolved (two steps, so a failed resolve never repeats the note);
 * - `approval`: `approved`, `refused:<why>` (the server refused the review) or `skip:<code>`.
 *
 * Every PagerDuty write goes through `data.effect()`, so events replayed after a restart, the
 * reconcile at start and a second replica never repeat it. A process that dies mid-effect leaves
 * its claim; after `claimTakeoverMs` it is taken over safely: the incident by its dedup key
 * (PagerDuty refuses a second open incident with it, and the plugin adopts the existing one), a
 * note only if the incident does not already carry it, the resolve because it is idempotent.
 */
export function createPagerDutyHandler(options: PagerDutyHandlerOptions): PluginHandler {
  const { config, api, approver, log, now } = options;
  const takeoverMs = options.claimTakeoverMs ?? 10_000;
  const services = new TtlCache<PdService | undefined>(now);

  /** A fresh claim means another process is at work; a stale one is ours to take over. */
  function checkClaim(request: AccessRequest__Output, key: string, value: string | undefined): EffectClaim | undefined {
    const claim = parseClaim(value);
    if (claim === undefined) return undefined;
    if (now() - claim.at < takeoverMs) throw new ClaimedElsewhere(request.id, key, claim);
    log.warn({ requestId: request.id, key, claim }, 'taking over a stale claim (its process probably died mid-call)');
    return claim;
  }

  async function findService(name: string): Promise<PdService | undefined> {
    const hit = services.get(name.toLowerCase());
    if (hit !== undefined) return hit.value;
    const service = await api.findServiceByName(name);
    services.set(name.toLowerCase(), service, service === undefined ? 30_000 : SERVICE_TTL_MS);
    return service;
  }

  /** Adds a note; when taking over a stale claim, only if the incident does not have it yet. */
  async function addNoteOnce(incidentId: string, content: string, recovering: boolean): Promise<void> {
    if (recovering && (await api.listNotes(incidentId)).some((n) => n.content === content)) return;
    await api.addNote(incidentId, content);
  }

  async function ensureIncident(request: AccessRequest__Output, data: RequestPluginData): Promise<IncidentRef | undefined> {
    const value = data.get('incident');
    if (value?.startsWith('skip:') === true) return undefined;
    const existing = parseIncident(value);
    if (existing !== undefined) return existing;
    const stale = checkClaim(request, 'incident', value);
    // A request first seen resolved was never announced: there is nothing to close.
    if (request.state !== 'PENDING' && stale === undefined) return undefined;
    const serviceName = request.annotations[config.annotations.notifyService]?.values.map((v) => v.trim()).find((v) => v !== '');
    if (serviceName === undefined) return undefined;
    const service = await findService(serviceName);
    if (service === undefined) {
      log.warn({ requestId: request.id, service: serviceName }, 'the notify service named in the request annotation does not exist in PagerDuty; no incident');
      await data.set({ incident: `skip:no PagerDuty service named "${serviceName}"` });
      return undefined;
    }
    let existed = false;
    const recorded = await data.effect('incident', 'create', async () => {
      const created = await api.createIncident({
        title: renderIncidentTitle(request),
        serviceId: service.id,
        incidentKey: incidentKeyFor(request.id),
        details: renderIncidentDetails(request, options.webConsoleUrl),
      });
      existed = created.existed;
      return JSON.stringify({ id: created.id, service: service.id } satisfies IncidentRef);
    });
    const incident = parseIncident(recorded);
    log.info({ requestId: request.id, incidentId: incident?.id, service: service.name, adopted: existed }, existed ? 'adopted the open incident with our dedup key' : 'created incident');
    return incident;
  }

  async function noteReviews(request: AccessRequest__Output, data: RequestPluginData, incident: IncidentRef): Promise<void> {
    const value = data.get('notes');
    const stale = checkClaim(request, 'notes', value);
    const noted = Number(stale?.prev ?? value ?? '0') || 0;
    for (let i = noted; i < request.reviews.length; i++) {
      const review = request.reviews[i]!;
      await data.effect('notes', `note:${i}`, async () => {
        await addNoteOnce(incident.id, renderReviewNote(review), stale !== undefined && i === noted);
        return String(i + 1);
      });
      log.info({ requestId: request.id, incidentId: incident.id, reviewer: review.author, proposed: review.proposedState }, 'added a review note');
    }
  }

  async function resolveIncident(request: AccessRequest__Output, data: RequestPluginData, incident: IncidentRef): Promise<void> {
    let value = data.get('resolution');
    if (value?.startsWith('resolved:') === true) return;
    const stale = checkClaim(request, 'resolution', value);
    if (stale !== undefined) value = stale.prev === '' ? undefined : stale.prev;
    const state = request.state;
    if (value === undefined) {
      const note = renderResolutionNote(request);
      value = await data.effect('resolution', 'note', async () => {
        await addNoteOnce(incident.id, note, stale !== undefined);
        return `noted:${state}`;
      });
    }
    const shown = value.slice('noted:'.length) || state;
    const outcome = await data.effect('resolution', 'resolve', async () => {
      await api.resolveIncident(incident.id);
      return `resolved:${shown}`;
    });
    log.info({ requestId: request.id, incidentId: incident.id, state: shown, outcome }, 'resolved incident');
  }

  async function autoApprove(request: AccessRequest__Output, data: RequestPluginData): Promise<void> {
    if (request.state !== 'PENDING' || data.get('approval') !== undefined) return;
    const decision = await approver.decide(request);
    if (decision.kind === 'skip') {
      const line = { requestId: request.id, user: request.user, roles: request.roles, skip: decision.code, reason: decision.reason };
      // Requests without the annotation are most requests: not worth a write or an info line.
      if (decision.code === 'no_services_annotation' || decision.code === 'disabled') {
        log.debug(line, 'auto-approval skipped');
        return;
      }
      await data.set({ approval: `skip:${decision.code}` });
      log.info(line, 'auto-approval skipped');
      return;
    }
    try {
      const after = await options.client().submitAccessReview({ requestId: request.id, proposedState: 'APPROVED', reason: decision.reason });
      log.info({ requestId: request.id, user: request.user, pdUser: decision.pdUser.email, services: decision.services, state: after.state }, 'submitted an on-call approval');
    } catch (err) {
      const e = GatehouseError.from(err);
      if (e.code === 'ALREADY_EXISTS') {
        log.debug({ requestId: request.id }, 'the plugin already reviewed this request');
      } else if (e.code === 'PERMISSION_DENIED' || e.code === 'FAILED_PRECONDITION') {
        // Not retried: an operator's rule (deny.review_requests) or a request that moved on.
        const denied = e.code === 'PERMISSION_DENIED';
        log[denied ? 'warn' : 'info']({ requestId: request.id, user: request.user, roles: request.roles, code: e.code, err: e.details }, denied ? 'the server refused the on-call approval; not retrying' : 'the request can no longer be reviewed');
        await data.set({ approval: `refused:${e.code}: ${e.details}`.slice(0, 1000) });
        return;
      } else {
        throw err;
      }
    }
    await data.set({ approval: 'approved' });
  }

  return {
    async onRequest(request, data) {
      const errors: unknown[] = [];
      const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          if (err instanceof CasConflict) throw err;
          if (!(err instanceof ClaimedElsewhere)) {
            log.warn({ requestId: request.id, step: what, status: err instanceof PagerDutyError ? err.status : undefined, err: err instanceof Error ? err.message : String(err) }, 'PagerDuty plugin step failed');
          }
          errors.push(err);
        }
      };
      // Approval first: it is what the requester waits for. The incident is created right after
      // in the same run, before the APPROVED event that follows is handled (one run at a time).
      await step('auto-approval', () => autoApprove(request, data));
      await step('incident', async () => {
        const incident = await ensureIncident(request, data);
        if (incident === undefined) return;
        await noteReviews(request, data, incident);
        if (RESOLVED.has(request.state)) await resolveIncident(request, data, incident);
      });
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
    },

    async onDeleted(requestId) {
      // The plugin data went with the request; the dedup key still finds our incident.
      for (const incident of await api.openIncidentsByKey(incidentKeyFor(requestId))) {
        await api.addNote(incident.id, 'Access request has been deleted.');
        await api.resolveIncident(incident.id);
        log.info({ requestId, incidentId: incident.id }, 'resolved the incident of a deleted request');
      }
    },
  };
}

function parseIncident(value: string | undefined): IncidentRef | undefined {
  if (value === undefined || !value.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null) return undefined;
    const { id, service } = v as Record<string, unknown>;
    return typeof id === 'string' && typeof service === 'string' ? { id, service } : undefined;
  } catch {
    return undefined;
  }
}
