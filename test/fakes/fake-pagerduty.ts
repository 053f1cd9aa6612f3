/**
 * A faithful fake of the PagerDuty REST API v2 subset Gatehouse uses, for tests with the real
 * `@pagerduty/pdjs` client (pass absolute `url`s: pdjs turns `server` into `https://<server>/`).
 *
 * As PagerDuty does it:
 * - Every call needs `Authorization: Token token=<apiKey>`, else 401 `{error: {message: 'Invalid
 *   Credentials', code: 2006}}`. `Accept: application/vnd.pagerduty+json;version=2` is tolerated, not required.
 * - Writes on incidents (`POST /incidents`, `PUT /incidents/:id`, `POST /incidents/:id/notes`) need a
 *   `From` header naming a PagerDuty user's email, else 400 Invalid Input Provided (code 2001).
 * - Lists use classic pagination (`limit` 25 by default, at most 100; `offset`; `more`; `total`
 *   null unless `total=true`); array filters count only in the `key[]=v` spelling.
 * - A second open incident with the same `incident_key` on a service → 400 with
 *   `errors: ['Open incident with matching dedup key already exists on this service']`.
 * - Unknown ids → 404 `{error: {message: 'Not Found', code: 2100}}`; injected 429s carry
 *   `{error: {message: 'Rate Limit Exceeded', code: 2020}}`.
 *
 * Choices where PagerDuty's exact answer is not documented (tests should not depend on wording):
 * the `errors[]` texts of validation failures; an unknown service in `POST /incidents` is a 400;
 * any status change of a resolved incident is a 400 `Incident Already Resolved`; `GET /users/me` is
 * a 400 because an account API key is not a user; `GET /incidents` without `date_range=all` or
 * `since` covers the last 30 days; `GET /oncalls` without `since`/`until` means "now".
 */
import { createHttpFakeServer, headerValue, isRecord } from './http-fake-server.ts';
import type { FailureMode, FailureScope, FakeResponse, RecordedRequest, StartedServer } from './http-fake-server.ts';
import {
  DUPLICATE_INCIDENT_KEY_ERROR,
  ERROR_CODES,
  arrayParam,
  invalidInput,
  matchesQuery,
  notFound,
  paginate,
  pdError,
  policyReference,
  scalarParam,
  scheduleReference,
  timeParam,
  toIncidentJson,
  toNoteJson,
  toPolicyJson,
  toServiceJson,
  userJson,
  userReference,
} from './fake-pagerduty-model.ts';
import type {
  FakePagerDutyOptions,
  FakePdEscalationPolicy,
  FakePdEscalationPolicySeed,
  FakePdIncident,
  FakePdIncidentSeed,
  FakePdNote,
  FakePdOnCall,
  FakePdOnCallSeed,
  FakePdService,
  FakePdServiceSeed,
  FakePdUser,
  FakePdUserSeed,
  IncidentStatus,
  PdLookup,
} from './fake-pagerduty-model.ts';

export type {
  FakePagerDutyOptions,
  FakePdEscalationPolicy,
  FakePdEscalationPolicySeed,
  FakePdIncident,
  FakePdIncidentSeed,
  FakePdNote,
  FakePdOnCall,
  FakePdOnCallSeed,
  FakePdService,
  FakePdServiceSeed,
  FakePdStatusChange,
  FakePdUser,
  FakePdUserSeed,
  IncidentStatus,
} from './fake-pagerduty-model.ts';
export { DUPLICATE_INCIDENT_KEY_ERROR } from './fake-pagerduty-model.ts';

export interface FakePagerDuty {
  start(): Promise<StartedServer>;
  stop(): Promise<void>;
  /** Base URL including `pathPrefix`, without a trailing slash. */
  url(): string;
  requests(): readonly RecordedRequest[];
  failNext(count: number, mode: FailureMode, scope?: FailureScope): void;
  clearFailures(): void;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number, description?: string): Promise<T>;
  users(): FakePdUser[];
  services(): FakePdService[];
  escalationPolicies(): FakePdEscalationPolicy[];
  onCalls(): FakePdOnCall[];
  incidents(): FakePdIncident[];
  /** Notes of one incident, oldest first. */
  notes(incidentId: string): FakePdNote[];
  addUser(seed: FakePdUserSeed): FakePdUser;
  addEscalationPolicy(seed: FakePdEscalationPolicySeed): FakePdEscalationPolicy;
  addService(seed: FakePdServiceSeed): FakePdService;
  addOnCall(seed: FakePdOnCallSeed): FakePdOnCall;
  /** Removes the on-calls matching every given field; returns how many went. */
  removeOnCalls(match: { readonly userId?: string; readonly escalationPolicyId?: string }): number;
  addIncident(seed: FakePdIncidentSeed): FakePdIncident;
  acknowledgeIncident(id: string): FakePdIncident;
  resolveIncident(id: string): FakePdIncident;
}

const INCIDENT_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
const ID_PREFIX = { user: 'PU', policy: 'PE', service: 'PS', incident: 'PI', note: 'PN' } as const;

/** Creates an unstarted fake PagerDuty. */
export function createFakePagerDuty(options: FakePagerDutyOptions): FakePagerDuty {
  const prefix = options.pathPrefix ?? '';
  const users = new Map<string, FakePdUser>();
  const policies = new Map<string, FakePdEscalationPolicy>();
  const services = new Map<string, FakePdService>();
  const incidents = new Map<string, FakePdIncident>();
  const notes: FakePdNote[] = [];
  let onCalls: FakePdOnCall[] = [];
  const counters = new Map<string, number>();
  let incidentNumber = 0;
  const abilities = options.abilities ?? ['teams', 'read_only_users', 'urgencies'];

  const nextId = (kind: keyof typeof ID_PREFIX): string => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${ID_PREFIX[kind]}${String(n).padStart(5, '0')}`;
  };
  const nowIso = (): string => new Date().toISOString();
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`fake PagerDuty: unknown ${what}`);
    return value;
  };

  const addUser = (seed: FakePdUserSeed): FakePdUser => {
    const user = { id: seed.id ?? nextId('user'), name: seed.name, email: seed.email };
    users.set(user.id, user);
    return user;
  };
  const addEscalationPolicy = (seed: FakePdEscalationPolicySeed): FakePdEscalationPolicy => {
    const policy = { id: seed.id ?? nextId('policy'), name: seed.name };
    policies.set(policy.id, policy);
    return policy;
  };
  const addService = (seed: FakePdServiceSeed): FakePdService => {
    const policyId = seed.escalationPolicyId ?? addEscalationPolicy({ name: `${seed.name} policy` }).id;
    must(policies.get(policyId), `escalation policy ${policyId}`);
    const service = { id: seed.id ?? nextId('service'), name: seed.name, escalationPolicyId: policyId };
    services.set(service.id, service);
    return service;
  };
  const addOnCall = (seed: FakePdOnCallSeed): FakePdOnCall => {
    must(users.get(seed.userId), `user ${seed.userId}`);
    must(policies.get(seed.escalationPolicyId), `escalation policy ${seed.escalationPolicyId}`);
    const onCall: FakePdOnCall = {
      userId: seed.userId,
      escalationPolicyId: seed.escalationPolicyId,
      escalationLevel: seed.escalationLevel ?? 1,
      scheduleId: seed.scheduleId,
      start: seed.start ?? null,
      end: seed.end ?? null,
    };
    onCalls.push(onCall);
    return onCall;
  };
  const onCallCovers = (o: FakePdOnCall, since: number, until: number): boolean =>
    (o.start === null || Date.parse(o.start) <= until) && (o.end === null || Date.parse(o.end) >= since);

  const addIncident = (seed: FakePdIncidentSeed, createdBy = 'fake'): FakePdIncident => {
    const service = must(services.get(seed.serviceId), `service ${seed.serviceId}`);
    const now = Date.now();
    const createdAt = seed.createdAt ?? new Date(now).toISOString();
    const assigned = onCalls.filter((o) => o.escalationPolicyId === service.escalationPolicyId && o.escalationLevel === 1 && onCallCovers(o, now, now));
    const status = seed.status ?? 'triggered';
    const incident: FakePdIncident = {
      id: seed.id ?? nextId('incident'),
      incidentNumber: ++incidentNumber,
      title: seed.title,
      serviceId: service.id,
      escalationPolicyId: service.escalationPolicyId,
      status,
      urgency: 'high',
      incidentKey: seed.incidentKey,
      details: seed.details,
      assignedUserIds: [...new Set(assigned.map((o) => o.userId))],
      createdAt,
      createdBy,
      history: status === 'triggered' ? [{ status, by: createdBy, at: createdAt }] : [{ status: 'triggered', by: createdBy, at: createdAt }, { status, by: createdBy, at: createdAt }],
    };
    incidents.set(incident.id, incident);
    return incident;
  };
  const changeStatus = (id: string, status: IncidentStatus, by: string): FakePdIncident => {
    const incident = must(incidents.get(id), `incident ${id}`);
    const updated = { ...incident, status, history: [...incident.history, { status, by, at: nowIso() }] };
    incidents.set(id, updated);
    return updated;
  };

  options.users?.forEach(addUser);
  options.escalationPolicies?.forEach(addEscalationPolicy);
  options.services?.forEach(addService);
  options.onCalls?.forEach(addOnCall);
  options.incidents?.forEach((seed) => addIncident(seed));

  const lookup: PdLookup = {
    user: (id) => must(users.get(id), `user ${id}`),
    policy: (id) => must(policies.get(id), `escalation policy ${id}`),
    service: (id) => must(services.get(id), `service ${id}`),
    servicesOf: (policyId) => [...services.values()].filter((s) => s.escalationPolicyId === policyId),
  };
  const incidentJson = (incident: FakePdIncident) => toIncidentJson(incident, lookup);
  const noteJson = (note: FakePdNote) => toNoteJson(note, lookup);
  const serviceJson = (service: FakePdService) => toServiceJson(service, lookup);
  const policyJson = (policy: FakePdEscalationPolicy) => toPolicyJson(policy, lookup);

  /** The user named by `From`, or the 400 PagerDuty answers. */
  const requester = (request: RecordedRequest): FakePdUser | FakeResponse => {
    const from = headerValue(request.headers, 'from')?.trim();
    if (from === undefined || from === '') return invalidInput(`You must specify a user's email address in the "From" header to perform this action`);
    const user = [...users.values()].find((u) => u.email.toLowerCase() === from.toLowerCase());
    return user ?? invalidInput('Requester User Not Found');
  };
  const isResponse = (value: FakePdUser | FakeResponse): value is FakeResponse => 'status' in value;

  const listOnCalls = (request: RecordedRequest): FakeResponse => {
    const since = timeParam(request, 'since');
    const until = timeParam(request, 'until');
    if (since === null || until === null) return invalidInput('Invalid since or until parameter.');
    const now = Date.now();
    const userIds = arrayParam(request, 'user_ids');
    const policyIds = arrayParam(request, 'escalation_policy_ids');
    const scheduleIds = arrayParam(request, 'schedule_ids');
    let found = onCalls.filter(
      (o) =>
        (userIds === undefined || userIds.includes(o.userId)) &&
        (policyIds === undefined || policyIds.includes(o.escalationPolicyId)) &&
        (scheduleIds === undefined || (o.scheduleId !== undefined && scheduleIds.includes(o.scheduleId))) &&
        onCallCovers(o, since ?? now, until ?? now),
    );
    if (scalarParam(request, 'earliest') === 'true') {
      const seen = new Set<string>();
      found = [...found]
        .sort((a, b) => (a.start === null ? -Infinity : Date.parse(a.start)) - (b.start === null ? -Infinity : Date.parse(b.start)))
        .filter((o) => {
          const key = `${o.escalationPolicyId}/${o.escalationLevel}/${o.userId}`;
          return seen.has(key) ? false : (seen.add(key), true);
        });
    }
    return paginate(
      request,
      'oncalls',
      found.map((o) => ({
        escalation_policy: policyReference(must(policies.get(o.escalationPolicyId), 'policy')),
        escalation_level: o.escalationLevel,
        schedule: o.scheduleId === undefined ? null : scheduleReference(o.scheduleId),
        user: userReference(must(users.get(o.userId), 'user')),
        start: o.start,
        end: o.end,
      })),
    );
  };

  const listIncidents = (request: RecordedRequest): FakeResponse => {
    const statuses = arrayParam(request, 'statuses');
    if (statuses?.some((s) => !['triggered', 'acknowledged', 'resolved'].includes(s)) === true) {
      return invalidInput('Statuses must be a list of triggered, acknowledged, or resolved.');
    }
    const since = timeParam(request, 'since');
    const until = timeParam(request, 'until');
    if (since === null || until === null) return invalidInput('Invalid since or until parameter.');
    const all = scalarParam(request, 'date_range') === 'all';
    const from = all ? -Infinity : since ?? Date.now() - INCIDENT_WINDOW_MS;
    const to = all ? Infinity : until ?? Infinity;
    const serviceIds = arrayParam(request, 'service_ids');
    const userIds = arrayParam(request, 'user_ids');
    const key = scalarParam(request, 'incident_key');
    const found = [...incidents.values()].filter(
      (i) =>
        (statuses === undefined || statuses.includes(i.status)) &&
        (serviceIds === undefined || serviceIds.includes(i.serviceId)) &&
        (userIds === undefined || i.assignedUserIds.some((id) => userIds.includes(id))) &&
        (key === undefined || i.incidentKey === key) &&
        Date.parse(i.createdAt) >= from &&
        Date.parse(i.createdAt) <= to,
    );
    return paginate(request, 'incidents', found.map(incidentJson));
  };

  const createIncident = (request: RecordedRequest): FakeResponse => {
    const from = requester(request);
    if (isResponse(from)) return from;
    const incident = isRecord(request.body) ? request.body['incident'] : undefined;
    if (!isRecord(incident)) return invalidInput('Incident must be an object.');
    if (incident['type'] !== 'incident') return invalidInput('Incident type must be "incident".');
    const title = incident['title'];
    if (typeof title !== 'string' || title.trim() === '') return invalidInput('Title cannot be empty.');
    const serviceRef = incident['service'];
    if (!isRecord(serviceRef) || typeof serviceRef['id'] !== 'string') return invalidInput('Service is required.');
    if (serviceRef['type'] !== 'service_reference') return invalidInput('Service type must be "service_reference".');
    const service = services.get(serviceRef['id']);
    if (service === undefined) return invalidInput('Service not found.');
    const body = incident['body'];
    if (body !== undefined && (!isRecord(body) || body['type'] !== 'incident_body' || typeof body['details'] !== 'string')) {
      return invalidInput('Body must be {type: "incident_body", details: string}.');
    }
    const key = incident['incident_key'];
    if (key !== undefined && typeof key !== 'string') return invalidInput('Incident key must be a string.');
    if (key !== undefined && [...incidents.values()].some((i) => i.serviceId === service.id && i.incidentKey === key && i.status !== 'resolved')) {
      return invalidInput(DUPLICATE_INCIDENT_KEY_ERROR);
    }
    const created = addIncident(
      { title, serviceId: service.id, ...(key === undefined ? {} : { incidentKey: key }), ...(isRecord(body) && typeof body['details'] === 'string' ? { details: body['details'] } : {}) },
      from.email,
    );
    const urgency = incident['urgency'];
    if (urgency === 'low') incidents.set(created.id, { ...created, urgency });
    return { status: 201, body: { incident: incidentJson(must(incidents.get(created.id), 'incident')) } };
  };

  const updateIncident = (request: RecordedRequest, id: string): FakeResponse => {
    const from = requester(request);
    if (isResponse(from)) return from;
    const current = incidents.get(id);
    if (current === undefined) return notFound();
    const incident = isRecord(request.body) ? request.body['incident'] : undefined;
    if (!isRecord(incident)) return invalidInput('Incident must be an object.');
    if (incident['type'] !== 'incident' && incident['type'] !== 'incident_reference') return invalidInput('Incident type must be "incident" or "incident_reference".');
    const status = incident['status'];
    if (status !== undefined) {
      if (status !== 'acknowledged' && status !== 'resolved') return invalidInput('Status must be one of acknowledged or resolved.');
      if (current.status === 'resolved') return invalidInput('Incident Already Resolved');
      changeStatus(id, status, from.email);
    }
    const title = incident['title'];
    if (typeof title === 'string' && title.trim() !== '') incidents.set(id, { ...must(incidents.get(id), 'incident'), title });
    return { status: 200, body: { incident: incidentJson(must(incidents.get(id), 'incident')) } };
  };

  const createNote = (request: RecordedRequest, incidentId: string): FakeResponse => {
    const from = requester(request);
    if (isResponse(from)) return from;
    if (!incidents.has(incidentId)) return notFound();
    const note = isRecord(request.body) ? request.body['note'] : undefined;
    const content = isRecord(note) ? note['content'] : undefined;
    if (typeof content !== 'string' || content.trim() === '') return invalidInput('Content cannot be empty.');
    const created: FakePdNote = { id: nextId('note'), incidentId, userId: from.id, content, createdAt: nowIso() };
    notes.push(created);
    return { status: 201, body: { note: noteJson(created) } };
  };

  const route = (request: RecordedRequest): FakeResponse => {
    const header = headerValue(request.headers, 'authorization');
    if (header !== `Token token=${options.apiKey}`) return pdError(401, 'Invalid Credentials', ERROR_CODES.invalidCredentials);
    if (!request.path.startsWith(`${prefix}/`)) return notFound();
    const parts = request.path.slice(prefix.length + 1).split('/');
    const [resource, id, sub] = parts;
    const get = request.method === 'GET';
    if (parts.length > 3 || resource === undefined) return notFound();
    if (id === undefined && get) {
      const query = scalarParam(request, 'query');
      switch (resource) {
        case 'abilities':
          return { status: 200, body: { abilities } };
        case 'users':
          return paginate(request, 'users', [...users.values()].filter((u) => matchesQuery(query, u.name, u.email)).map(userJson));
        case 'services':
          return paginate(request, 'services', [...services.values()].filter((s) => matchesQuery(query, s.name)).map(serviceJson));
        case 'escalation_policies':
          return paginate(request, 'escalation_policies', [...policies.values()].filter((p) => matchesQuery(query, p.name)).map(policyJson));
        case 'oncalls':
          return listOnCalls(request);
        case 'incidents':
          return listIncidents(request);
      }
      return notFound();
    }
    if (resource === 'incidents' && id === undefined && request.method === 'POST') return createIncident(request);
    if (id === undefined) return notFound();
    if (sub === undefined && get) {
      if (resource === 'users' && id === 'me') return invalidInput('This endpoint requires a user-level API token; account API keys are not users.');
      const found =
        resource === 'users' ? mapJson(users.get(id), userJson)
        : resource === 'services' ? mapJson(services.get(id), serviceJson)
        : resource === 'escalation_policies' ? mapJson(policies.get(id), policyJson)
        : resource === 'incidents' ? mapJson(incidents.get(id), incidentJson)
        : undefined;
      const key = resource === 'escalation_policies' ? 'escalation_policy' : resource.slice(0, -1);
      return found === undefined ? notFound() : { status: 200, body: { [key]: found } };
    }
    if (resource !== 'incidents') return notFound();
    if (sub === undefined && request.method === 'PUT') return updateIncident(request, id);
    if (sub === 'notes' && get) {
      return incidents.has(id) ? { status: 200, body: { notes: notes.filter((n) => n.incidentId === id).map(noteJson) } } : notFound();
    }
    if (sub === 'notes' && request.method === 'POST') return createNote(request, id);
    return notFound();
  };

  const server = createHttpFakeServer({
    handle: route,
    failureBody: (status) =>
      status === 429 ? { error: { message: 'Rate Limit Exceeded', code: ERROR_CODES.rateLimited } } : { error: { message: 'Internal Server Error' } },
  });
  const mutate = <T>(change: () => T): T => {
    const result = change();
    server.changed();
    return result;
  };

  return {
    start: () => server.start(),
    stop: () => server.stop(),
    url: () => `${server.url()}${prefix}`,
    requests: () => server.requests(),
    failNext: (count, mode, scope) => server.failNext(count, mode, scope),
    clearFailures: () => server.clearFailures(),
    waitFor: (probe, timeoutMs, description) => server.waitFor(probe, timeoutMs, description),
    users: () => [...users.values()],
    services: () => [...services.values()],
    escalationPolicies: () => [...policies.values()],
    onCalls: () => [...onCalls],
    incidents: () => [...incidents.values()],
    notes: (incidentId) => notes.filter((n) => n.incidentId === incidentId),
    addUser: (seed) => mutate(() => addUser(seed)),
    addEscalationPolicy: (seed) => mutate(() => addEscalationPolicy(seed)),
    addService: (seed) => mutate(() => addService(seed)),
    addOnCall: (seed) => mutate(() => addOnCall(seed)),
    removeOnCalls: (match) =>
      mutate(() => {
        const before = onCalls.length;
        onCalls = onCalls.filter((o) => !((match.userId === undefined || o.userId === match.userId) && (match.escalationPolicyId === undefined || o.escalationPolicyId === match.escalationPolicyId)));
        return before - onCalls.length;
      }),
    addIncident: (seed) => mutate(() => addIncident(seed)),
    acknowledgeIncident: (id) => mutate(() => changeStatus(id, 'acknowledged', 'fake')),
    resolveIncident: (id) => mutate(() => changeStatus(id, 'resolved', 'fake')),
  };
}

function mapJson<T>(value: T | undefined, toJson: (value: T) => Record<string, unknown>): Record<string, unknown> | undefined {
  return value === undefined ? undefined : toJson(value);
}
