/**
 * The Jira plugin's plugin data (plugin name `jira`), per request:
 * - `issue`: a claim while the issue is created, then `{"id","key"}` (JSON);
 * - `reviews`: how many of the request's reviews the issue has been told about;
 * - `resolution`: a claim, then `done:<STATE>` once the issue shows the outcome;
 * - `change`: the changelog history id of the last status change acted on (a review made on
 *   someone's behalf, or a refusal), so a webhook retry or the reconciler never repeats it.
 */
export const PLUGIN_NAME = 'jira';

/** After this long a claim is taken to be abandoned (its process died) and the work is recovered. */
export const STALE_CLAIM_MS = 60_000;

export interface IssueRef {
  readonly id: string;
  readonly key: string;
}

export function formatIssueRef(ref: IssueRef): string {
  return JSON.stringify({ id: ref.id, key: ref.key });
}

export function parseIssueRef(value: string | undefined): IssueRef | undefined {
  if (value === undefined || !value.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null) return undefined;
    const { id, key } = v as Record<string, unknown>;
    return typeof id === 'string' && typeof key === 'string' ? { id, key } : undefined;
  } catch {
    return undefined;
  }
}

/** The label that ties an issue to one request, searchable with JQL (issue properties are not). */
export function requestLabel(requestId: string): string {
  return `gatehouse-request-${requestId}`;
}
