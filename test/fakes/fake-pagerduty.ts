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
 *
 * This file wires the parts together: the records live in `fake-pagerduty-store.ts`, the
 * endpoints in `fake-pagerduty-routes.ts` and `fake-pagerduty-incidents.ts`, the JSON shapes and
 * query helpers in `fake-pagerduty-model.ts`.
 */
import { createHttpFakeServer } from './http-fake-server.ts';
import type { HttpFakeServer } from './http-fake-server.ts';
import { ERROR_CODES } from './fake-pagerduty-model.ts';
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
} from './fake-pagerduty-model.ts';
import { createPagerDutyRoutes } from './fake-pagerduty-routes.ts';
import { createPagerDutyStore } from './fake-pagerduty-store.ts';

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

/** The shared fake-server controls (start, stop, requests, failures, waitFor) plus PagerDuty's records. */
export interface FakePagerDuty extends Pick<HttpFakeServer, 'start' | 'stop' | 'requests' | 'failNext' | 'clearFailures' | 'waitFor'> {
  /** Base URL including `pathPrefix`, without a trailing slash. */
  url(): string;
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

/** Creates an unstarted fake PagerDuty. */
export function createFakePagerDuty(options: FakePagerDutyOptions): FakePagerDuty {
  const store = createPagerDutyStore(options);
  const server = createHttpFakeServer({
    handle: createPagerDutyRoutes(store, options),
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
    url: () => `${server.url()}${options.pathPrefix ?? ''}`,
    requests: () => server.requests(),
    failNext: (count, mode, scope) => server.failNext(count, mode, scope),
    clearFailures: () => server.clearFailures(),
    waitFor: (probe, timeoutMs, description) => server.waitFor(probe, timeoutMs, description),
    users: () => [...store.users.values()],
    services: () => [...store.services.values()],
    escalationPolicies: () => [...store.policies.values()],
    onCalls: () => [...store.onCalls()],
    incidents: () => [...store.incidents.values()],
    notes: (incidentId) => store.notes.filter((n) => n.incidentId === incidentId),
    addUser: (seed) => mutate(() => store.addUser(seed)),
    addEscalationPolicy: (seed) => mutate(() => store.addEscalationPolicy(seed)),
    addService: (seed) => mutate(() => store.addService(seed)),
    addOnCall: (seed) => mutate(() => store.addOnCall(seed)),
    removeOnCalls: (match) => mutate(() => store.removeOnCalls(match)),
    addIncident: (seed) => mutate(() => store.addIncident(seed)),
    acknowledgeIncident: (id) => mutate(() => store.changeStatus(id, 'acknowledged', 'fake')),
    resolveIncident: (id) => mutate(() => store.changeStatus(id, 'resolved', 'fake')),
  };
}
