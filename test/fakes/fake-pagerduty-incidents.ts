/**
 * The `/incidents` endpoints of the fake PagerDuty: list, create, read and update incidents, and
 * list and add their notes. Writes name their author in the `From` header, as PagerDuty requires
 * of account API keys.
 */
import { headerValue, isRecord } from './http-fake-server.ts';
import type { FakeResponse, RecordedRequest } from './http-fake-server.ts';
import { DUPLICATE_INCIDENT_KEY_ERROR, arrayParam, invalidInput, notFound, paginate, scalarParam, timeParam, toIncidentJson, toNoteJson } from './fake-pagerduty-model.ts';
import type { FakePdIncident, FakePdNote, FakePdUser } from './fake-pagerduty-model.ts';
import { must } from './fake-pagerduty-store.ts';
import type { PagerDutyStore } from './fake-pagerduty-store.ts';

/** What `GET /incidents` covers without `date_range=all` or `since`. */
const INCIDENT_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Answers a request under `/incidents`; `id` and `sub` are the path segments after it, if any. */
export type IncidentRoutes = (request: RecordedRequest, id: string | undefined, sub: string | undefined) => FakeResponse;

export function createIncidentRoutes(store: PagerDutyStore): IncidentRoutes {
  const { incidents } = store;
  const incidentJson = (incident: FakePdIncident) => toIncidentJson(incident, store.lookup);
  const noteJson = (note: FakePdNote) => toNoteJson(note, store.lookup);

  /** The user named by `From`, or the 400 PagerDuty answers. */
  const requester = (request: RecordedRequest): FakePdUser | FakeResponse => {
    const from = headerValue(request.headers, 'from')?.trim();
    if (from === undefined || from === '') return invalidInput(`You must specify a user's email address in the "From" header to perform this action`);
    const user = [...store.users.values()].find((u) => u.email.toLowerCase() === from.toLowerCase());
    return user ?? invalidInput('Requester User Not Found');
  };
  const isResponse = (value: FakePdUser | FakeResponse): value is FakeResponse => 'status' in value;

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
    const service = store.services.get(serviceRef['id']);
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
    const created = store.addIncident(
      { title, serviceId: service.id, ...(key === undefined ? {} : { incidentKey: key }), ...(isRecord(body) && typeof body['details'] === 'string' ? { details: body['details'] } : {}) },
      from.email,
    );
    const urgency = incident['urgency'];
    const stored = urgency === 'low' ? store.patchIncident(created.id, { urgency }) : created;
    return { status: 201, body: { incident: incidentJson(stored) } };
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
      store.changeStatus(id, status, from.email);
    }
    const title = incident['title'];
    if (typeof title === 'string' && title.trim() !== '') store.patchIncident(id, { title });
    return { status: 200, body: { incident: incidentJson(must(incidents.get(id), 'incident')) } };
  };

  const createNote = (request: RecordedRequest, incidentId: string): FakeResponse => {
    const from = requester(request);
    if (isResponse(from)) return from;
    if (!incidents.has(incidentId)) return notFound();
    const note = isRecord(request.body) ? request.body['note'] : undefined;
    const content = isRecord(note) ? note['content'] : undefined;
    if (typeof content !== 'string' || content.trim() === '') return invalidInput('Content cannot be empty.');
    return { status: 201, body: { note: noteJson(store.addNote(incidentId, from.id, content)) } };
  };

  return (request, id, sub) => {
    const { method } = request;
    if (id === undefined) {
      if (method === 'GET') return listIncidents(request);
      return method === 'POST' ? createIncident(request) : notFound();
    }
    if (sub === undefined) {
      if (method === 'GET') {
        const incident = incidents.get(id);
        return incident === undefined ? notFound() : { status: 200, body: { incident: incidentJson(incident) } };
      }
      return method === 'PUT' ? updateIncident(request, id) : notFound();
    }
    if (sub !== 'notes') return notFound();
    if (method === 'GET') {
      return incidents.has(id) ? { status: 200, body: { notes: store.notes.filter((n) => n.incidentId === id).map(noteJson) } } : notFound();
    }
    return method === 'POST' ? createNote(request, id) : notFound();
  };
}
