import type { Logger } from 'pino';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { isSkipped } from '../common/plugin-data-key.ts';
import type { RequestPluginData } from '../common/request-plugin-data.ts';
import { isResolved, type ResolvedState } from '../common/request-states.ts';
import { isRefusal, type PagerDutyApi } from './pagerduty-api.ts';
import { INCIDENT, NOTES, RESOLUTION, type IncidentRef } from './pagerduty-data.ts';
import type { PdService } from './pagerduty-json.ts';
import { incidentKeyFor, renderIncidentDetails, renderIncidentTitle, renderResolutionNote, renderReviewNote } from './pagerduty-message.ts';

export interface IncidentSyncOptions {
  api: PagerDutyApi;
  /** The request annotation that names the notify service. */
  notifyServiceAnnotation: string;
  /** The notify service by name (cached), or undefined when PagerDuty has none. */
  findService: (name: string, signal: AbortSignal) => Promise<PdService | undefined>;
  webConsoleUrl: string | undefined;
  log: Logger;
}

/** The note added to the incident of a request that was deleted. */
export const DELETED_NOTE = 'Access request has been deleted.';

/**
 * Keeps a request's PagerDuty incident in line with the request: created while it is pending,
 * a note per review, a closing note and resolved once the request is. Every write is one
 * effect of the protocol in plugins/common/request-plugin-data.ts; how an effect left in doubt
 * by a dead process is settled:
 * - the incident: looked up by its dedup key (`incident_key`), which names the request;
 * - a review note and the closing note: looked for among the incident's notes by content;
 * - the resolve: redone (resolving a resolved incident counts as done).
 * A 4xx from PagerDuty on every attempt means it did nothing, so the claim is released.
 */
export class IncidentSync {
  readonly #o: IncidentSyncOptions;

  constructor(options: IncidentSyncOptions) {
    this.#o = options;
  }

  /** Brings the request's incident up to date; nothing when the request names no notify service. */
  async sync(request: AccessRequest__Output, data: RequestPluginData): Promise<void> {
    const incident = await this.#ensureIncident(request, data);
    if (incident === undefined) return;
    await this.#noteReviews(request, data, incident);
    if (isResolved(request.state)) await this.#resolve(request, request.state, data, incident);
  }

  /**
   * Closes the incident of a deleted request. Its plugin data went with it, so there is nothing
   * to claim: the dedup key still finds the incident, the note is looked for before it is added
   * (a replayed deletion does not repeat it), and resolving is idempotent.
   */
  async closeDeleted(requestId: string, signal: AbortSignal): Promise<void> {
    const { api, log } = this.#o;
    for (const incident of await api.incidentsByKey(incidentKeyFor(requestId), { signal })) {
      if (!(await this.#hasNote(incident.id, DELETED_NOTE, signal))) await api.addNote(incident.id, DELETED_NOTE, { signal });
      await api.resolveIncident(incident.id, { signal });
      log.info({ requestId, incidentId: incident.id }, 'resolved the incident of a deleted request');
    }
  }

  async #ensureIncident(request: AccessRequest__Output, data: RequestPluginData): Promise<IncidentRef | undefined> {
    const { api, log } = this.#o;
    const recorded = data.get(INCIDENT);
    if (recorded !== undefined) return isSkipped(recorded) ? undefined : recorded;
    // A create left in doubt is settled whatever the request's state now.
    const inDoubt = data.pending(INCIDENT) !== undefined;
    // A request first seen resolved was never announced: there is nothing to close.
    if (request.state !== 'PENDING' && !inDoubt) return undefined;
    const serviceName = request.annotations[this.#o.notifyServiceAnnotation]?.values.map((v) => v.trim()).find((v) => v !== '');
    if (serviceName === undefined) return undefined;
    const service = await this.#o.findService(serviceName, data.signal);
    const noService = { skipped: `no PagerDuty service named "${serviceName}"` };
    if (service === undefined) {
      log.warn({ requestId: request.id, service: serviceName }, 'the notify service named in the request annotation does not exist in PagerDuty; no incident');
      if (!inDoubt) {
        await data.set(INCIDENT, noService);
        return undefined;
      }
    }
    const incidentKey = incidentKeyFor(request.id);
    let created: { id: string; existed: boolean } | undefined;
    const result = await data.effect(
      INCIDENT,
      'create',
      async (signal) => {
        // Only a create in doubt whose service was deleted since gets here without one.
        if (service === undefined) return noService;
        created = await api.createIncident({ title: renderIncidentTitle(request), serviceId: service.id, incidentKey, details: renderIncidentDetails(request, this.#o.webConsoleUrl) }, { signal });
        return { id: created.id, service: service.id };
      },
      {
        // The key names the request, so any incident with it, on any service and in any status
        // (someone may have resolved it already), is the one a dead process created.
        findInDoubt: async ({ signal }) => {
          const [found] = await api.incidentsByKey(incidentKey, { signal, statuses: ['triggered', 'acknowledged', 'resolved'] });
          return found === undefined ? undefined : { id: found.id, service: found.service.id };
        },
        notPerformed: isRefusal,
      },
    );
    if (isSkipped(result)) return undefined;
    if (created !== undefined) {
      const line = { requestId: request.id, incidentId: result.id, service: service?.name };
      // PagerDuty refused a second open incident with our key: a create whose answer was lost.
      if (created.existed) log.info(line, 'adopted the open incident with our dedup key');
      else log.info(line, 'created incident');
    }
    return result;
  }

  async #noteReviews(request: AccessRequest__Output, data: RequestPluginData, incident: IncidentRef): Promise<void> {
    const { api, log } = this.#o;
    for (let i = data.get(NOTES) ?? 0; i < request.reviews.length; i++) {
      const review = request.reviews[i]!;
      await data.effect(
        NOTES,
        `note:${i}`,
        async (signal) => {
          await api.addNote(incident.id, renderReviewNote(review), { signal });
          return i + 1;
        },
        {
          findInDoubt: async ({ op, signal }) => {
            // The review of the note in doubt (`note:<index>`); reviews are only ever appended.
            const index = Number(/^note:(\d+)$/.exec(op)?.[1]);
            const inDoubt = request.reviews[index];
            if (inDoubt === undefined) return undefined;
            return (await this.#hasNote(incident.id, renderReviewNote(inDoubt), signal)) ? index + 1 : undefined;
          },
          notPerformed: isRefusal,
        },
      );
      log.info({ requestId: request.id, incidentId: incident.id, reviewer: review.author, proposed: review.proposedState }, 'added a review note');
    }
  }

  async #resolve(request: AccessRequest__Output, state: ResolvedState, data: RequestPluginData, incident: IncidentRef): Promise<void> {
    const { api, log } = this.#o;
    let value = data.get(RESOLUTION);
    if (value?.tag === 'resolved') return;
    if (value === undefined) {
      const note = renderResolutionNote(request);
      const noted = { tag: 'noted', rest: state } as const;
      value = await data.effect(
        RESOLUTION,
        'note',
        async (signal) => {
          await api.addNote(incident.id, note, { signal });
          return noted;
        },
        { findInDoubt: async ({ signal }) => ((await this.#hasNote(incident.id, note, signal)) ? noted : undefined), notPerformed: isRefusal },
      );
    }
    // The state the closing note announced (the request cannot change once resolved).
    const shown = value.rest;
    let outcome: string | undefined;
    await data.effect(
      RESOLUTION,
      'resolve',
      async (signal) => {
        outcome = await api.resolveIncident(incident.id, { signal });
        return { tag: 'resolved', rest: shown };
      },
      // PagerDuty answers "already resolved" to a second resolve, which counts as done.
      { idempotent: true, notPerformed: isRefusal },
    );
    log.info({ requestId: request.id, incidentId: incident.id, state: shown, outcome }, 'resolved incident');
  }

  /** Whether the incident carries a note with this content (PagerDuty keeps it as sent). */
  async #hasNote(incidentId: string, content: string, signal: AbortSignal): Promise<boolean> {
    return (await this.#o.api.listNotes(incidentId, { signal })).some((n) => n.content === content);
  }
}
