/**
 * The REST endpoints of the fake Jira Cloud (v3, plus the v2 writes jira.js v6 uses for
 * wiki-markup strings), answering with Jira's status codes, bodies and error shapes.
 */
import { ADF_REQUIRED_MESSAGE, adfFromText, parseAdfDoc, type AdfDoc } from './fake-jira-adf.ts';
import { matchesJql, parseJql, sortByJql, UNBOUNDED_JQL_MESSAGE } from './fake-jira-jql.ts';
import { availableTransitions, selectFields, type IssueRecord, type Renderer, type Site } from './fake-jira-model.ts';
import { commentRoutes } from './fake-jira-comment-routes.ts';
import { failureResponse as fail, propertyRoutes } from './fake-jira-entity-properties.ts';
import { failure, parsePropertyList, type IssueStore, type RichText } from './fake-jira-store.ts';
import { isRecord } from './http-fake-server.ts';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Parsed JSON body, `undefined` when there was none. */
  readonly body: unknown;
  readonly actorId: string;
  readonly baseUrl: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
}

export interface ApiContext {
  readonly site: Site;
  readonly store: IssueStore;
  readonly render: Renderer;
  readonly clock: () => Date;
}

const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
const LEGACY_SEARCH_GONE =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';
const PERMISSIONS = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'TRANSITION_ISSUES', 'ADD_COMMENTS', 'EDIT_ISSUES'];

function list(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function integer(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) ? n : fallback;
}

function encodeToken(offset: number, jql: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: jql })).toString('base64url');
}

function decodeToken(token: string, jql: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(parsed) && typeof parsed['o'] === 'number' && parsed['q'] === jql) return parsed['o'];
  } catch {
    // fall through: Jira answers any unusable token with a 400
  }
  return undefined;
}

/** The enhanced search, `GET|POST /rest/api/3/search/jql`. */
function search(ctx: ApiContext, params: { jql: unknown; nextPageToken: unknown; maxResults: unknown; fields: string[]; expand: string[]; properties: string[] }): ApiResponse {
  const jql = typeof params.jql === 'string' ? params.jql : '';
  const parsed = parseJql(jql, {
    now: ctx.clock(),
    projects: ctx.site.projects.flatMap((p) => [p.key, p.id, p.name]),
    statuses: ctx.site.statuses.flatMap((s) => [s.name, s.id]),
    issueTypes: ctx.site.issueTypes.flatMap((t) => [t.name, t.id]),
  });
  if (!parsed.ok) return fail(failure(400, [parsed.message]));
  if (parsed.query.clauses.length === 0) return fail(failure(400, [UNBOUNDED_JQL_MESSAGE]));
  const fields = selectFields(params.fields, 'id');
  const cap = fields === undefined ? 5000 : 100;
  const maxResults = Math.min(Math.max(integer(params.maxResults, 50), 1), cap);
  let offset = 0;
  if (typeof params.nextPageToken === 'string' && params.nextPageToken !== '') {
    const decoded = decodeToken(params.nextPageToken, jql);
    if (decoded === undefined) return fail(failure(400, ['The provided next page token is invalid or expired.']));
    offset = decoded;
  }
  const subjects = ctx.store.all().map((issue) => ({
    issue,
    key: issue.key,
    projectKeys: [issue.project.key, issue.project.id, issue.project.name],
    labels: issue.labels,
    status: issue.status.name,
    issueType: issue.issueType.name,
    created: issue.created,
    updated: issue.updated,
  }));
  const matched = sortByJql(parsed.query, subjects.filter((s) => matchesJql(parsed.query, s)));
  const page = matched.slice(offset, offset + maxResults);
  const isLast = offset + maxResults >= matched.length;
  const issues = page.map(({ issue }) =>
    fields === undefined && params.expand.length === 0 && params.properties.length === 0
      ? { id: issue.id }
      : ctx.render.issue(issue, { fields, expand: params.expand, properties: params.properties }),
  );
  return { status: 200, body: isLast ? { issues, isLast } : { issues, nextPageToken: encodeToken(offset + maxResults, jql), isLast } };
}

function richTextOf(value: unknown, version: string): AdfDoc | undefined {
  // v2 takes wiki markup; the fake keeps it as plain text, one paragraph per line.
  if (version === '2') return typeof value === 'string' && value.trim() !== '' ? adfFromText(value) : undefined;
  return parseAdfDoc(value);
}

function issueRoutes(ctx: ApiContext, req: ApiRequest, issue: IssueRecord, rest: string[], version: string): ApiResponse | undefined {
  const { method, query, body, actorId } = req;
  const richText: RichText = version === '2' ? 'wiki' : 'adf';
  const [sub, arg, extra] = rest;
  if (sub === undefined) {
    if (method === 'GET' && version === '3') {
      return { status: 200, body: ctx.render.issue(issue, { fields: selectFields(list(query, 'fields'), '*all'), expand: list(query, 'expand'), properties: list(query, 'properties') }) };
    }
    if (method === 'PUT') {
      const outcome = ctx.store.edit(actorId, issue, body, richText);
      return outcome.ok ? { status: 204 } : fail(outcome);
    }
    return undefined;
  }
  if (sub === 'transitions' && arg === undefined) {
    if (method === 'GET') return { status: 200, body: { expand: 'transitions', transitions: availableTransitions(ctx.site, issue).map((t) => ctx.render.transition(t)) } };
    if (method !== 'POST') return undefined;
    const ref = isRecord(body) && isRecord(body['transition']) ? body['transition'] : undefined;
    const id = ref === undefined ? undefined : typeof ref['id'] === 'number' ? String(ref['id']) : ref['id'];
    if (typeof id !== 'string') return fail(failure(400, ["Missing 'transition' identifier"]));
    const transition = ctx.store.transitionById(issue, id);
    if (transition === undefined) return fail(failure(400, [`Transition id '${id}' is not valid for this issue.`]));
    // The fake's transitions have no screens, so no field can be set along the way.
    const screenFields = isRecord(body) && isRecord(body['fields']) ? Object.keys(body['fields']) : [];
    if (screenFields.length > 0) {
      return fail(failure(400, [], Object.fromEntries(screenFields.map((f) => [f, `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`]))));
    }
    const update = isRecord(body) && isRecord(body['update']) ? body['update'] : {};
    const ops = Array.isArray(update['comment']) ? update['comment'] : [];
    let comment: AdfDoc | undefined;
    for (const op of ops) {
      const add = isRecord(op) && isRecord(op['add']) ? op['add'] : undefined;
      if (add === undefined) continue;
      comment = richTextOf(add['body'], version);
      if (comment === undefined) return fail(failure(400, [], { comment: version === '2' ? 'Operation value must be a string' : ADF_REQUIRED_MESSAGE }));
    }
    ctx.store.transition(actorId, issue, transition, comment);
    return { status: 204 };
  }
  if (sub === 'comment') {
    if (arg === undefined && method === 'POST') {
      const doc = richTextOf(isRecord(body) ? body['body'] : undefined, version);
      if (doc === undefined) return fail(failure(400, [], { comment: version === '2' ? 'Comment body can not be empty!' : ADF_REQUIRED_MESSAGE }));
      const properties = parsePropertyList(isRecord(body) ? body['properties'] : undefined);
      if (!properties.ok) return fail(properties);
      return { status: 201, body: ctx.render.comment(issue, ctx.store.comment(actorId, issue, doc, properties.value)) };
    }
    if (arg === undefined && method === 'GET' && version === '3') {
      const order = query.get('orderBy') ?? 'created';
      const sorted = [...issue.comments].sort((a, b) => a.created.getTime() - b.created.getTime() || Number(a.id) - Number(b.id));
      if (order.startsWith('-')) sorted.reverse();
      const startAt = Math.max(integer(query.get('startAt'), 0), 0);
      const maxResults = Math.min(Math.max(integer(query.get('maxResults'), 5000), 0), 5000);
      const comments = sorted.slice(startAt, startAt + maxResults).map((c) => ctx.render.comment(issue, c));
      return { status: 200, body: { startAt, maxResults, total: issue.comments.length, comments } };
    }
    if (arg !== undefined && extra === undefined && method === 'GET' && version === '3') {
      const comment = issue.comments.find((c) => c.id === arg);
      return comment === undefined ? fail(failure(404, [`Can not find a comment for the id: ${arg}.`])) : { status: 200, body: ctx.render.comment(issue, comment) };
    }
    return undefined;
  }
  if (sub === 'properties' && version === '3' && extra === undefined) {
    return propertyRoutes(issue.properties, `${req.baseUrl}/rest/api/3/issue/${issue.id}/properties`, method, arg, body);
  }
  if (sub === 'changelog' && arg === undefined && method === 'GET' && version === '3') {
    const startAt = Math.max(integer(query.get('startAt'), 0), 0);
    const maxResults = Math.min(Math.max(integer(query.get('maxResults'), 100), 1), 100);
    const values = issue.histories.slice(startAt, startAt + maxResults).map((h) => ctx.render.history(h));
    return { status: 200, body: { self: `${req.baseUrl}${req.path}`, maxResults, startAt, total: issue.histories.length, isLast: startAt + maxResults >= issue.histories.length, values } };
  }
  return undefined;
}

/** Routes an authenticated request. `undefined` means no such resource (the caller answers 404). */
export function handleApi(ctx: ApiContext, req: ApiRequest): ApiResponse | undefined {
  const match = /^\/rest\/api\/(2|3|latest)\/(.*)$/.exec(req.path);
  if (match === null) return undefined;
  const version = match[1] === 'latest' ? '3' : (match[1] ?? '3');
  const parts = (match[2] ?? '').split('/').filter((p) => p !== '');
  const [head, id, ...rest] = parts;
  const { method, query, body } = req;

  if (head === 'search' && id === undefined) return fail(failure(410, [LEGACY_SEARCH_GONE]));
  if (head === 'search' && id === 'jql' && rest.length === 0 && version === '3') {
    if (method === 'GET') {
      return search(ctx, { jql: query.get('jql'), nextPageToken: query.get('nextPageToken'), maxResults: query.get('maxResults'), fields: list(query, 'fields'), expand: list(query, 'expand'), properties: list(query, 'properties') });
    }
    if (method === 'POST') {
      const b = isRecord(body) ? body : {};
      return search(ctx, { jql: b['jql'], nextPageToken: b['nextPageToken'], maxResults: b['maxResults'], fields: stringList(b['fields']), expand: stringList(b['expand']), properties: stringList(b['properties']) });
    }
    return undefined;
  }
  if (head === 'issue' && id === undefined && method === 'POST') {
    const outcome = ctx.store.create(req.actorId, body, version === '2' ? 'wiki' : 'adf');
    if (!outcome.ok) return fail(outcome);
    return { status: 201, body: { id: outcome.value.id, key: outcome.value.key, self: `${req.baseUrl}/rest/api/${version}/issue/${outcome.value.id}` } };
  }
  if (head === 'comment' && id !== undefined && version === '3') return commentRoutes(ctx, req, decodeURIComponent(id), rest);
  if (head === 'issue' && id !== undefined) {
    const issue = ctx.store.find(decodeURIComponent(id));
    if (issue === undefined) return fail(failure(404, [ISSUE_NOT_FOUND]));
    return issueRoutes(ctx, req, issue, rest, version);
  }
  if (method !== 'GET' || version !== '3') return undefined;
  if (head === 'myself' && id === undefined) {
    const user = ctx.site.users.get(req.actorId);
    return {
      status: 200,
      body: {
        ...ctx.render.user(req.actorId),
        emailAddress: user?.emailAddress,
        locale: 'en_US',
        groups: { size: 0, items: [] },
        applicationRoles: { size: 1, items: [] },
        expand: 'groups,applicationRoles',
      },
    };
  }
  if (head === 'user' && id === undefined) {
    const accountId = query.get('accountId');
    if (accountId === null || accountId === '') return fail(failure(400, ['The query parameter \'accountId\' is required.']));
    if (!ctx.site.users.has(accountId)) return fail(failure(404, ['Specified user does not exist or you do not have required permissions']));
    return { status: 200, body: ctx.render.user(accountId) };
  }
  if (head === 'project' && id !== undefined) {
    const project = ctx.site.projects.find((p) => p.key === decodeURIComponent(id).toUpperCase() || p.id === id);
    if (project === undefined) return fail(failure(404, [`No project could be found with key '${decodeURIComponent(id)}'.`]));
    if (rest.length === 0) return { status: 200, body: ctx.render.project(project, true) };
    if (rest[0] === 'statuses' && rest.length === 1) {
      return {
        status: 200,
        body: project.issueTypes.map((t) => ({ self: `${req.baseUrl}/rest/api/3/issuetype/${t.id}`, id: t.id, name: t.name, subtask: false, statuses: ctx.site.statuses.map((s) => ctx.render.status(s)) })),
      };
    }
    return undefined;
  }
  if (head === 'issuetype' && id === undefined) return { status: 200, body: ctx.site.issueTypes.map((t) => ctx.render.issueType(t)) };
  if (head === 'status' && id === undefined) return { status: 200, body: ctx.site.statuses.map((s) => ctx.render.status(s)) };
  if (head === 'status' && id !== undefined && rest.length === 0) {
    const wanted = decodeURIComponent(id).toLowerCase();
    const status = ctx.site.statuses.find((s) => s.id === wanted || s.name.toLowerCase() === wanted);
    return status === undefined ? fail(failure(404, [`The status with ID '${decodeURIComponent(id)}' does not exist.`])) : { status: 200, body: ctx.render.status(status) };
  }
  if (head === 'mypermissions' && id === undefined) {
    const wanted = list(query, 'permissions');
    if (wanted.length === 0) return fail(failure(400, ["The 'permissions' query parameter is required."]));
    const permissions = Object.fromEntries(wanted.map((key) => [key, { id: key, key, name: key, type: 'PROJECT', description: '', havePermission: PERMISSIONS.includes(key) }]));
    return { status: 200, body: { permissions } };
  }
  return undefined;
}
