import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { isEmail } from '../common/is-email.ts';
import type { PagerDutyApi } from './pagerduty-api.ts';
import type { AutoApproveConfig } from './pagerduty-config.ts';
import type { PdService, PdUser } from './pagerduty-json.ts';
import { TtlCache } from '../common/ttl-cache.ts';

/** Why a request was not auto-approved; a stable code for logs, metrics and plugin data. */
export type SkipCode =
  | 'disabled'
  | 'no_services_annotation'
  | 'role_not_allowed'
  | 'no_email'
  | 'pd_user_not_found'
  | 'services_not_found'
  | 'not_on_call'
  | 'level_not_allowed'
  | 'no_acknowledged_incident';

export type ApprovalDecision =
  | { readonly kind: 'approve'; readonly reason: string; readonly pdUser: PdUser; readonly services: readonly string[] }
  | { readonly kind: 'skip'; readonly code: SkipCode; readonly reason: string };

export interface OnCallApproverOptions {
  config: AutoApproveConfig;
  /** The request annotation that names the services. */
  servicesAnnotation: string;
  api: PagerDutyApi;
  client: () => GatehouseClient;
  log: Logger;
  now: () => number;
}

/** Service and PagerDuty-user lookups change rarely; on-calls and incidents are always fresh. */
const FOUND_TTL_MS = 5 * 60_000;
const NOT_FOUND_TTL_MS = 30_000;
const GATEHOUSE_USER_TTL_MS = 30_000;

/**
 * Decides whether a request may be approved because its requester is on call in PagerDuty:
 * the request's role and annotation guardrails, then the requester's PagerDuty user (by email),
 * the services named in the request's annotation and their escalation policies, the requester's
 * current on-calls in those policies (all pages, at the allowed escalation levels) and, if
 * configured, an acknowledged open incident. Pure lookups: submitting the review is the
 * caller's business. PagerDuty failures throw (the runtime retries the request).
 */
export class OnCallApprover {
  readonly #o: OnCallApproverOptions;
  readonly #services: TtlCache<PdService | undefined>;
  readonly #pdUsers: TtlCache<PdUser | undefined>;
  readonly #emails: TtlCache<{ email: string; source: string } | undefined>;

  constructor(options: OnCallApproverOptions) {
    this.#o = options;
    this.#services = new TtlCache(options.now);
    this.#pdUsers = new TtlCache(options.now);
    this.#emails = new TtlCache(options.now);
  }

  /** The services annotation's values, or an empty list. */
  serviceNames(request: AccessRequest__Output): string[] {
    return [...new Set((request.annotations[this.#o.servicesAnnotation]?.values ?? []).map((v) => v.trim()).filter((v) => v !== ''))];
  }

  /** `signal` aborts the PagerDuty lookups (the event deadline). */
  async decide(request: AccessRequest__Output, signal?: AbortSignal): Promise<ApprovalDecision> {
    const call = signal === undefined ? {} : { signal };
    const { config } = this.#o;
    const skip = (code: SkipCode, reason: string): ApprovalDecision => ({ kind: 'skip', code, reason });
    if (!config.enabled) return skip('disabled', 'auto-approval is disabled (pagerduty.auto_approve.enabled = false)');
    const names = this.serviceNames(request);
    if (names.length === 0) return skip('no_services_annotation', `the request has no "${this.#o.servicesAnnotation}" annotation`);
    if (config.roles !== undefined) {
      const outside = request.roles.filter((r) => !config.roles?.includes(r));
      if (outside.length > 0) return skip('role_not_allowed', `role(s) ${outside.join(', ')} may not be auto-approved (pagerduty.auto_approve.roles = ${config.roles.join(', ')})`);
    }

    const email = await this.requesterEmail(request.user);
    if (email === undefined) {
      return skip('no_email', `no PagerDuty email for user "${request.user}": not in pagerduty.auto_approve.user_emails, no "${config.emailTrait}" or "email" trait, and the user name is not an email`);
    }
    const pdUser = await this.#cached(this.#pdUsers, email.email.toLowerCase(), () => this.#o.api.findUserByEmail(email.email, call));
    if (pdUser === undefined) return skip('pd_user_not_found', `no PagerDuty user has the email ${email.email} (from ${email.source})`);

    const services: PdService[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const service = await this.findService(name, signal);
      if (service === undefined) missing.push(name);
      else services.push(service);
    }
    if (missing.length > 0) this.#o.log.warn({ requestId: request.id, services: missing }, 'PagerDuty services named in the request annotation do not exist');
    if (services.length === 0) return skip('services_not_found', `no PagerDuty service is named ${missing.map((m) => `"${m}"`).join(', ')}`);

    // escalation policy id -> the request's services that use it
    const byPolicy = new Map<string, PdService[]>();
    for (const s of services) byPolicy.set(s.escalation_policy.id, [...(byPolicy.get(s.escalation_policy.id) ?? []), s]);
    const levels = config.escalationLevels;
    const qualifying = new Map<string, number>(); // policy id -> lowest allowed level the user is on call at
    const otherLevels = new Set<number>();
    await this.#o.api.scanOnCalls(pdUser.id, [...byPolicy.keys()], (page) => {
      for (const onCall of page) {
        if (onCall.user.type !== 'user_reference' || onCall.user.id !== pdUser.id) continue;
        const policy = onCall.escalation_policy.id;
        if (!byPolicy.has(policy)) continue;
        const level = onCall.escalation_level;
        if (levels !== undefined && !levels.includes(level)) {
          otherLevels.add(level);
          continue;
        }
        const seen = qualifying.get(policy);
        if (seen === undefined || level < seen) qualifying.set(policy, level);
      }
      // Stop early once every policy matched at the best level there can be.
      const best = levels?.[0] ?? 1;
      return [...byPolicy.keys()].every((p) => qualifying.get(p) === best);
    }, call);
    const serviceList = services.map((s) => s.name).join(', ');
    if (qualifying.size === 0) {
      if (otherLevels.size > 0) {
        return skip('level_not_allowed', `${pdUser.email} is on call for ${serviceList} only at escalation level(s) ${[...otherLevels].sort((a, b) => a - b).join(', ')}, not ${levels?.join(', ')} (pagerduty.auto_approve.escalation_levels)`);
      }
      return skip('not_on_call', `${pdUser.email} is not on call now for ${serviceList}`);
    }

    if (config.requireAcknowledgedIncident) {
      const incidents = await this.#o.api.acknowledgedIncidents(pdUser.id, services.map((s) => s.id), call);
      // PagerDuty lists who acknowledged; without that list, being assigned an acknowledged incident counts.
      const own = incidents.filter((i) => i.acknowledgements === undefined || i.acknowledgements.length === 0 || i.acknowledgements.some((a) => a.acknowledger.id === pdUser.id));
      if (own.length === 0) return skip('no_acknowledged_incident', `${pdUser.email} has no acknowledged open incident on ${serviceList} (pagerduty.auto_approve.require_acknowledged_incident)`);
    }

    const onCallFor = [...qualifying].flatMap(([policy, level]) => (byPolicy.get(policy) ?? []).map((s) => `${s.name} (escalation level ${level})`));
    const who = pdUser.email.toLowerCase() === request.user.toLowerCase() ? `${pdUser.name} (${pdUser.email})` : `${request.user}, PagerDuty user ${pdUser.name} (${pdUser.email}),`;
    return {
      kind: 'approve',
      pdUser,
      services: onCallFor,
      reason: `Auto-approved by the PagerDuty plugin: ${who} is on call for ${onCallFor.join(', ')}.`,
    };
  }

  /** The service named `name` (case-insensitive), cached: services change rarely. Also used for the notify service. */
  findService(name: string, signal?: AbortSignal): Promise<PdService | undefined> {
    return this.#cached(this.#services, name.toLowerCase(), () => this.#o.api.findServiceByName(name, signal === undefined ? {} : { signal }));
  }

  /**
   * The requester's PagerDuty email: the config table wins, then the user's `email_trait` trait,
   * then the `email` trait, then the user name when it is an email.
   */
  async requesterEmail(user: string): Promise<{ email: string; source: string } | undefined> {
    const mapped = this.#o.config.userEmails[user];
    if (mapped !== undefined) return { email: mapped, source: 'pagerduty.auto_approve.user_emails' };
    return this.#cached(this.#emails, user, async () => {
      let traits: Record<string, { values: string[] }> = {};
      try {
        traits = (await this.#o.client().getUser(user)).traits;
      } catch (err) {
        if (!GatehouseError.is(err, 'NOT_FOUND')) throw err;
      }
      for (const trait of new Set([this.#o.config.emailTrait, 'email'])) {
        const email = traits[trait]?.values.map((v) => v.trim()).find(isEmail);
        if (email !== undefined) return { email, source: `user trait "${trait}"` };
      }
      return isEmail(user) ? { email: user, source: 'the user name' } : undefined;
    }, GATEHOUSE_USER_TTL_MS);
  }

  async #cached<V>(cache: TtlCache<V | undefined>, key: string, load: () => Promise<V | undefined>, ttlMs?: number): Promise<V | undefined> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit.value;
    const value = await load();
    cache.set(key, value, ttlMs ?? (value === undefined ? NOT_FOUND_TTL_MS : FOUND_TTL_MS));
    return value;
  }
}
