/**
 * Records, JSON shapes and request helpers of the fake PagerDuty REST API v2.
 * Shapes follow PagerDuty's documented responses (references carry `type: '<kind>_reference'`,
 * `summary`, `self`, `html_url`); errors are `{error: {message, code, errors?}}`.
 */
import type { FakeResponse, RecordedRequest } from './http-fake-server.ts';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface FakePdUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface FakePdEscalationPolicy {
  readonly id: string;
  readonly name: string;
}

export interface FakePdService {
  readonly id: string;
  readonly name: string;
  readonly escalationPolicyId: string;
}

/** `start`/`end` null means "without limit", as for an escalation rule that targets a user directly. */
export interface FakePdOnCall {
  readonly userId: string;
  readonly escalationPolicyId: string;
  readonly escalationLevel: number;
  readonly scheduleId: string | undefined;
  readonly start: string | null;
  readonly end: string | null;
}

export interface FakePdStatusChange {
  readonly status: IncidentStatus;
  /** The `From` email of the write, or `'fake'` for changes made through the fake's own methods. */
  readonly by: string;
  readonly at: string;
}

export interface FakePdIncident {
  readonly id: string;
  readonly incidentNumber: number;
  readonly title: string;
  readonly serviceId: string;
  readonly escalationPolicyId: string;
  readonly status: IncidentStatus;
  readonly urgency: 'high' | 'low';
  readonly incidentKey: string | undefined;
  readonly details: string | undefined;
  readonly assignedUserIds: readonly string[];
  readonly createdAt: string;
  readonly createdBy: string;
  /** Every status the incident went through, starting with `triggered`. */
  readonly history: readonly FakePdStatusChange[];
}

export interface FakePdNote {
  readonly id: string;
  readonly incidentId: string;
  readonly userId: string;
  readonly content: string;
  readonly createdAt: string;
}

export interface FakePdUserSeed { readonly id?: string; readonly name: string; readonly email: string }
export interface FakePdEscalationPolicySeed { readonly id?: string; readonly name: string }
/** Without `escalationPolicyId` a policy named `<name> policy` is created, since every PD service has one. */
export interface FakePdServiceSeed { readonly id?: string; readonly name: string; readonly escalationPolicyId?: string }
export interface FakePdOnCallSeed {
  readonly userId: string;
  readonly escalationPolicyId: string;
  /** @default 1 */
  readonly escalationLevel?: number;
  readonly scheduleId?: string;
  /** ISO time; null or absent = unbounded. */
  readonly start?: string | null;
  readonly end?: string | null;
}
export interface FakePdIncidentSeed {
  readonly id?: string;
  readonly title: string;
  readonly serviceId: string;
  /** @default 'triggered' */
  readonly status?: IncidentStatus;
  readonly incidentKey?: string;
  readonly details?: string;
  readonly createdAt?: string;
}

export interface FakePagerDutyOptions {
  readonly apiKey: string;
  readonly users?: readonly FakePdUserSeed[];
  readonly escalationPolicies?: readonly FakePdEscalationPolicySeed[];
  readonly services?: readonly FakePdServiceSeed[];
  readonly onCalls?: readonly FakePdOnCallSeed[];
  readonly incidents?: readonly FakePdIncidentSeed[];
  /** @default ['teams', 'read_only_users', 'urgencies'] */
  readonly abilities?: readonly string[];
  /**
   * Serve under this path prefix, e.g. `/api.pagerduty.com`: pdjs derives `response.resource` from a
   * `.com/<resource>` match in the URL, so only a prefixed URL makes `resource` and `all()` work. @default ''
   */
  readonly pathPrefix?: string;
}

const API = 'https://api.pagerduty.com';
const WEB = 'https://gatehouse-test.pagerduty.com';

export const ERROR_CODES = {
  invalidInput: 2001,
  invalidCredentials: 2006,
  rateLimited: 2020,
  notFound: 2100,
} as const;

/** The message with which PagerDuty refuses a second open incident with the same key on a service. */
export const DUPLICATE_INCIDENT_KEY_ERROR = 'Open incident with matching dedup key already exists on this service';

export function pdError(status: number, message: string, code: number | undefined, errors?: readonly string[]): FakeResponse {
  return {
    status,
    body: { error: { message, ...(code === undefined ? {} : { code }), ...(errors === undefined ? {} : { errors }) } },
  };
}

export const invalidInput = (...errors: string[]): FakeResponse => pdError(400, 'Invalid Input Provided', ERROR_CODES.invalidInput, errors);
export const notFound = (): FakeResponse => pdError(404, 'Not Found', ERROR_CODES.notFound);

export function userReference(user: FakePdUser): Record<string, unknown> {
  return { id: user.id, type: 'user_reference', summary: user.name, self: `${API}/users/${user.id}`, html_url: `${WEB}/users/${user.id}` };
}

export function userJson(user: FakePdUser): Record<string, unknown> {
  return { ...userReference(user), type: 'user', name: user.name, email: user.email, time_zone: 'Etc/UTC', role: 'user', job_title: null };
}

export function policyReference(policy: FakePdEscalationPolicy): Record<string, unknown> {
  return {
    id: policy.id,
    type: 'escalation_policy_reference',
    summary: policy.name,
    self: `${API}/escalation_policies/${policy.id}`,
    html_url: `${WEB}/escalation_policies/${policy.id}`,
  };
}

export function serviceReference(service: FakePdService): Record<string, unknown> {
  return { id: service.id, type: 'service_reference', summary: service.name, self: `${API}/services/${service.id}`, html_url: `${WEB}/service-directory/${service.id}` };
}

export function scheduleReference(id: string): Record<string, unknown> {
  return { id, type: 'schedule_reference', summary: id, self: `${API}/schedules/${id}`, html_url: `${WEB}/schedules/${id}` };
}

/** All values of a PagerDuty array parameter: only the `key[]` spelling counts, as in Rails. */
export function arrayParam(request: RecordedRequest, key: string): readonly string[] | undefined {
  return request.query[`${key}[]`];
}

export function scalarParam(request: RecordedRequest, key: string): string | undefined {
  const values = request.query[key];
  return values?.[values.length - 1];
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

/**
 * PagerDuty's classic pagination: `limit` (default 25, at most 100), `offset`, `more`, and `total`
 * (null unless `total=true`). Returns an error response for non-numeric or negative values.
 */
export function paginate(request: RecordedRequest, key: string, items: readonly unknown[]): FakeResponse {
  const limitRaw = scalarParam(request, 'limit');
  const offsetRaw = scalarParam(request, 'offset');
  const limit = limitRaw === undefined ? DEFAULT_LIMIT : Number(limitRaw);
  const offset = offsetRaw === undefined ? 0 : Number(offsetRaw);
  if (!Number.isInteger(limit) || limit < 1) return invalidInput('Limit must be a positive integer.');
  if (!Number.isInteger(offset) || offset < 0) return invalidInput('Offset must be a non-negative integer.');
  const effectiveLimit = Math.min(limit, MAX_LIMIT);
  const page = items.slice(offset, offset + effectiveLimit);
  return {
    status: 200,
    body: {
      [key]: page,
      limit: effectiveLimit,
      offset,
      more: offset + page.length < items.length,
      total: scalarParam(request, 'total') === 'true' ? items.length : null,
    },
  };
}

/** Case-insensitive substring match, PagerDuty's `query` semantics for names and emails. */
export function matchesQuery(query: string | undefined, ...fields: readonly string[]): boolean {
  if (query === undefined || query === '') return true;
  const needle = query.toLowerCase();
  return fields.some((field) => field.toLowerCase().includes(needle));
}

/** Parses an ISO 8601 query time; `undefined` when absent, `null` when unparsable. */
export function timeParam(request: RecordedRequest, key: string): number | undefined | null {
  const raw = scalarParam(request, key);
  if (raw === undefined) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : at;
}

/** How the JSON builders find referenced records (they throw on dangling ids: a fake bug). */
export interface PdLookup {
  user(id: string): FakePdUser;
  policy(id: string): FakePdEscalationPolicy;
  service(id: string): FakePdService;
  servicesOf(policyId: string): FakePdService[];
}

export function toServiceJson(service: FakePdService, lookup: PdLookup): Record<string, unknown> {
  return {
    ...serviceReference(service),
    type: 'service',
    name: service.name,
    status: 'active',
    escalation_policy: policyReference(lookup.policy(service.escalationPolicyId)),
  };
}

export function toPolicyJson(policy: FakePdEscalationPolicy, lookup: PdLookup): Record<string, unknown> {
  return {
    ...policyReference(policy),
    type: 'escalation_policy',
    name: policy.name,
    services: lookup.servicesOf(policy.id).map(serviceReference),
    num_loops: 0,
  };
}

/** PagerDuty lists no assignees once an incident is resolved. */
export function toIncidentJson(incident: FakePdIncident, lookup: PdLookup): Record<string, unknown> {
  return {
    id: incident.id,
    type: 'incident',
    summary: `[#${incident.incidentNumber}] ${incident.title}`,
    self: `${API}/incidents/${incident.id}`,
    html_url: `${WEB}/incidents/${incident.id}`,
    incident_number: incident.incidentNumber,
    title: incident.title,
    status: incident.status,
    urgency: incident.urgency,
    incident_key: incident.incidentKey ?? null,
    created_at: incident.createdAt,
    service: serviceReference(lookup.service(incident.serviceId)),
    escalation_policy: policyReference(lookup.policy(incident.escalationPolicyId)),
    assignments:
      incident.status === 'resolved'
        ? []
        : incident.assignedUserIds.map((id) => ({ at: incident.createdAt, assignee: userReference(lookup.user(id)) })),
  };
}

export function toNoteJson(note: FakePdNote, lookup: PdLookup): Record<string, unknown> {
  return {
    id: note.id,
    user: userReference(lookup.user(note.userId)),
    channel: { summary: 'The PagerDuty website or APIs' },
    content: note.content,
    created_at: note.createdAt,
  };
}
