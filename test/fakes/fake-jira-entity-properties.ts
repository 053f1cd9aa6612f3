/**
 * Jira's entity-property endpoints, the same for issues and comments:
 * `GET <entity>/properties` (the keys) and `GET|PUT|DELETE <entity>/properties/{key}`.
 */
import type { ApiResponse } from './fake-jira-routes.ts';
import { failure, propertyError, type JiraFailure } from './fake-jira-store.ts';

/** Jira's error answer for a failure. */
export function failureResponse(f: JiraFailure): ApiResponse {
  return { status: f.status, body: { errorMessages: f.errorMessages, errors: f.errors } };
}

/**
 * Answers a property request on an entity's `properties`; `base` is the entity's properties URL,
 * `key` the encoded key (undefined for the list). `undefined` means no such route.
 */
export function propertyRoutes(properties: Map<string, unknown>, base: string, method: string, encodedKey: string | undefined, body: unknown): ApiResponse | undefined {
  if (encodedKey === undefined) {
    return method === 'GET' ? { status: 200, body: { keys: [...properties.keys()].map((key) => ({ self: `${base}/${encodeURIComponent(key)}`, key })) } } : undefined;
  }
  const key = decodeURIComponent(encodedKey);
  if (method === 'GET') {
    return properties.has(key) ? { status: 200, body: { key, value: properties.get(key) } } : failureResponse(failure(404, [`The property with key '${key}' does not exist.`]));
  }
  if (method === 'PUT') {
    const problem = propertyError(key, body);
    if (problem !== undefined) return failureResponse(failure(400, [problem]));
    const existed = properties.has(key);
    properties.set(key, body);
    return { status: existed ? 200 : 201 };
  }
  if (method === 'DELETE') {
    if (!properties.delete(key)) return failureResponse(failure(404, [`The property with key '${key}' does not exist.`]));
    return { status: 204 };
  }
  return undefined;
}
