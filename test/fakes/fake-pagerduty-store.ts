/**
 * The fake PagerDuty's records: users, escalation policies, services, on-calls, incidents and
 * notes, with PagerDuty-style ids (`PU00001`...), seeding from `FakePagerDutyOptions`, and the
 * status history of every incident. Writes here do not validate like the API: the routes do that.
 */
import type { FakePdEscalationPolicy, FakePdIncident, FakePdNote, FakePdOnCall, FakePdService, FakePdUser, IncidentStatus, PdLookup } from './fake-pagerduty-model.ts';
import type { FakePagerDutyOptions, FakePdEscalationPolicySeed, FakePdIncidentSeed, FakePdOnCallSeed, FakePdServiceSeed, FakePdUserSeed } from './fake-pagerduty-model.ts';

const ID_PREFIX = { user: 'PU', policy: 'PE', service: 'PS', incident: 'PI', note: 'PN' } as const;

export interface PagerDutyStore {
  readonly users: ReadonlyMap<string, FakePdUser>;
  readonly policies: ReadonlyMap<string, FakePdEscalationPolicy>;
  readonly services: ReadonlyMap<string, FakePdService>;
  readonly incidents: ReadonlyMap<string, FakePdIncident>;
  /** Every note of every incident, oldest first. */
  readonly notes: readonly FakePdNote[];
  /** The current on-call entries (the live list: copy it before handing it out). */
  onCalls(): readonly FakePdOnCall[];
  /** Resolves references for the JSON builders of `fake-pagerduty-model.ts`. */
  readonly lookup: PdLookup;
  addUser(seed: FakePdUserSeed): FakePdUser;
  addEscalationPolicy(seed: FakePdEscalationPolicySeed): FakePdEscalationPolicy;
  /** Throws on an unknown `escalationPolicyId`; without one, creates `<name> policy`. */
  addService(seed: FakePdServiceSeed): FakePdService;
  /** Throws on an unknown user or escalation policy. */
  addOnCall(seed: FakePdOnCallSeed): FakePdOnCall;
  /** Removes the on-calls matching every given field; returns how many went. */
  removeOnCalls(match: { readonly userId?: string; readonly escalationPolicyId?: string }): number;
  /** Assigns the level-1 on-calls of the service's policy; `createdBy` defaults to `'fake'`. */
  addIncident(seed: FakePdIncidentSeed, createdBy?: string): FakePdIncident;
  /** Sets the status and appends it to the history, whatever the current status. */
  changeStatus(id: string, status: IncidentStatus, by: string): FakePdIncident;
  patchIncident(id: string, patch: Partial<Pick<FakePdIncident, 'title' | 'urgency'>>): FakePdIncident;
  addNote(incidentId: string, userId: string, content: string): FakePdNote;
}

/** Returns `value`, or throws for a dangling id (a bug in a test or in the fake, never an API answer). */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`fake PagerDuty: unknown ${what}`);
  return value;
}

/** Whether an on-call entry overlaps `[since, until]` (milliseconds since the epoch). */
export function onCallCovers(o: FakePdOnCall, since: number, until: number): boolean {
  return (o.start === null || Date.parse(o.start) <= until) && (o.end === null || Date.parse(o.end) >= since);
}

const nowIso = (): string => new Date().toISOString();

/** Creates the store and adds the seeds of `options`, in dependency order. */
export function createPagerDutyStore(options: FakePagerDutyOptions): PagerDutyStore {
  const users = new Map<string, FakePdUser>();
  const policies = new Map<string, FakePdEscalationPolicy>();
  const services = new Map<string, FakePdService>();
  const incidents = new Map<string, FakePdIncident>();
  const notes: FakePdNote[] = [];
  let onCalls: FakePdOnCall[] = [];
  const counters = new Map<string, number>();
  let incidentNumber = 0;

  const nextId = (kind: keyof typeof ID_PREFIX): string => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${ID_PREFIX[kind]}${String(n).padStart(5, '0')}`;
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

  return {
    users,
    policies,
    services,
    incidents,
    notes,
    onCalls: () => onCalls,
    lookup: {
      user: (id) => must(users.get(id), `user ${id}`),
      policy: (id) => must(policies.get(id), `escalation policy ${id}`),
      service: (id) => must(services.get(id), `service ${id}`),
      servicesOf: (policyId) => [...services.values()].filter((s) => s.escalationPolicyId === policyId),
    },
    addUser,
    addEscalationPolicy,
    addService,
    addOnCall,
    removeOnCalls: (match) => {
      const before = onCalls.length;
      onCalls = onCalls.filter((o) => !((match.userId === undefined || o.userId === match.userId) && (match.escalationPolicyId === undefined || o.escalationPolicyId === match.escalationPolicyId)));
      return before - onCalls.length;
    },
    addIncident,
    changeStatus,
    patchIncident: (id, patch) => {
      const updated = { ...must(incidents.get(id), `incident ${id}`), ...patch };
      incidents.set(id, updated);
      return updated;
    },
    addNote: (incidentId, userId, content) => {
      const note: FakePdNote = { id: nextId('note'), incidentId, userId, content, createdAt: nowIso() };
      notes.push(note);
      return note;
    },
  };
}
