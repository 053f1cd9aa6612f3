/**
 * The request handler of the fake PagerDuty: checks the API key, strips `pathPrefix`, answers the
 * read-only endpoints (`/abilities`, `/users`, `/services`, `/escalation_policies`, `/oncalls`) and
 * hands `/incidents` to `fake-pagerduty-incidents.ts`. Unknown paths and methods are 404s.
 */
import { headerValue } from './http-fake-server.ts';
import type { FakeResponse, RecordedRequest } from './http-fake-server.ts';
import {
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
  toPolicyJson,
  toServiceJson,
  userJson,
  userReference,
} from './fake-pagerduty-model.ts';
import type { FakePagerDutyOptions, FakePdEscalationPolicy, FakePdService } from './fake-pagerduty-model.ts';
import { createIncidentRoutes } from './fake-pagerduty-incidents.ts';
import { must, onCallCovers } from './fake-pagerduty-store.ts';
import type { PagerDutyStore } from './fake-pagerduty-store.ts';

const DEFAULT_ABILITIES = ['teams', 'read_only_users', 'urgencies'];

/** Creates the `handle` function for `createHttpFakeServer`. */
export function createPagerDutyRoutes(store: PagerDutyStore, options: FakePagerDutyOptions): (request: RecordedRequest) => FakeResponse {
  const prefix = options.pathPrefix ?? '';
  const abilities = options.abilities ?? DEFAULT_ABILITIES;
  const incidentRoutes = createIncidentRoutes(store);
  const serviceJson = (service: FakePdService) => toServiceJson(service, store.lookup);
  const policyJson = (policy: FakePdEscalationPolicy) => toPolicyJson(policy, store.lookup);

  const listOnCalls = (request: RecordedRequest): FakeResponse => {
    const since = timeParam(request, 'since');
    const until = timeParam(request, 'until');
    if (since === null || until === null) return invalidInput('Invalid since or until parameter.');
    const now = Date.now();
    const userIds = arrayParam(request, 'user_ids');
    const policyIds = arrayParam(request, 'escalation_policy_ids');
    const scheduleIds = arrayParam(request, 'schedule_ids');
    let found = store.onCalls().filter(
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
        escalation_policy: policyReference(must(store.policies.get(o.escalationPolicyId), 'policy')),
        escalation_level: o.escalationLevel,
        schedule: o.scheduleId === undefined ? null : scheduleReference(o.scheduleId),
        user: userReference(must(store.users.get(o.userId), 'user')),
        start: o.start,
        end: o.end,
      })),
    );
  };

  /** `GET /<resource>`. */
  const list = (request: RecordedRequest, resource: string): FakeResponse => {
    const query = scalarParam(request, 'query');
    switch (resource) {
      case 'abilities':
        return { status: 200, body: { abilities } };
      case 'users':
        return paginate(request, 'users', [...store.users.values()].filter((u) => matchesQuery(query, u.name, u.email)).map(userJson));
      case 'services':
        return paginate(request, 'services', [...store.services.values()].filter((s) => matchesQuery(query, s.name)).map(serviceJson));
      case 'escalation_policies':
        return paginate(request, 'escalation_policies', [...store.policies.values()].filter((p) => matchesQuery(query, p.name)).map(policyJson));
      case 'oncalls':
        return listOnCalls(request);
    }
    return notFound();
  };

  /** `GET /<resource>/<id>`. */
  const read = (resource: string, id: string): FakeResponse => {
    if (resource === 'users' && id === 'me') return invalidInput('This endpoint requires a user-level API token; account API keys are not users.');
    const found =
      resource === 'users' ? mapJson(store.users.get(id), userJson)
      : resource === 'services' ? mapJson(store.services.get(id), serviceJson)
      : resource === 'escalation_policies' ? mapJson(store.policies.get(id), policyJson)
      : undefined;
    const key = resource === 'escalation_policies' ? 'escalation_policy' : resource.slice(0, -1);
    return found === undefined ? notFound() : { status: 200, body: { [key]: found } };
  };

  return (request) => {
    const header = headerValue(request.headers, 'authorization');
    if (header !== `Token token=${options.apiKey}`) return pdError(401, 'Invalid Credentials', ERROR_CODES.invalidCredentials);
    if (!request.path.startsWith(`${prefix}/`)) return notFound();
    const parts = request.path.slice(prefix.length + 1).split('/');
    const [resource, id, sub] = parts;
    if (parts.length > 3 || resource === undefined) return notFound();
    if (resource === 'incidents') return incidentRoutes(request, id, sub);
    if (request.method !== 'GET' || sub !== undefined) return notFound();
    return id === undefined ? list(request, resource) : read(resource, id);
  };
}

function mapJson<T>(value: T | undefined, toJson: (value: T) => Record<string, unknown>): Record<string, unknown> | undefined {
  return value === undefined ? undefined : toJson(value);
}
