/**
 * The fake Jira's comment-level endpoints (v3): `POST /comment/list` (comments by id, with their
 * entity properties on `expand=properties`) and `/comment/{id}/properties[/{key}]`.
 */
import { failureResponse as fail, propertyRoutes } from './fake-jira-entity-properties.ts';
import type { ApiContext, ApiRequest, ApiResponse } from './fake-jira-routes.ts';
import { failure } from './fake-jira-store.ts';
import { isRecord } from './http-fake-server.ts';

/** Jira Cloud takes at most this many ids per `/comment/list` call. */
const MAX_IDS = 1000;

function commentList(ctx: ApiContext, req: ApiRequest): ApiResponse {
  const ids = isRecord(req.body) ? req.body['ids'] : undefined;
  if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id))) return fail(failure(400, ['The list of comment IDs must be provided as an array of integers.']));
  if (ids.length > MAX_IDS) return fail(failure(400, [`The number of comment IDs must not exceed ${MAX_IDS}.`]));
  const expand = (req.query.get('expand') ?? '').split(',').map((e) => e.trim());
  const values = ids.flatMap((id: number) => {
    const found = ctx.store.findComment(String(id));
    return found === undefined ? [] : [ctx.render.comment(found.issue, found.comment, expand.includes('properties'))];
  });
  return { status: 200, body: { maxResults: MAX_IDS, startAt: 0, total: values.length, isLast: true, values } };
}

/** Routes `/rest/api/3/comment/...`; `undefined` means no such resource. */
export function commentRoutes(ctx: ApiContext, req: ApiRequest, id: string, rest: readonly string[]): ApiResponse | undefined {
  const { method, body } = req;
  if (id === 'list' && rest.length === 0) return method === 'POST' ? commentList(ctx, req) : undefined;
  if (rest[0] !== 'properties' || rest.length > 2) return undefined;
  const found = ctx.store.findComment(id);
  if (found === undefined) return fail(failure(404, [`Can not find a comment for the id: ${id}.`]));
  return propertyRoutes(found.comment.properties, `${req.baseUrl}/rest/api/3/comment/${found.comment.id}/properties`, method, rest[1], body);
}
