import { z } from 'zod';
import { codec, countCodec, dataKey, jsonCodec, skippable, taggedCodec } from '../common/plugin-data-key.ts';
import { RESOLVED_STATES } from '../common/request-states.ts';

/**
 * The Jira plugin's plugin data (plugin name `jira`), per request. Each key guards one kind of
 * effect (request-plugin-data.ts); the stored text is the same as before the typed keys:
 * - `issue`: `{"id","key"}` of the request's issue, or `skip:<why>` when there never was one;
 * - `reviews`: how many of the request's reviews the issue has been told about;
 * - `resolution`: `done:<STATE>` once the issue shows the outcome;
 * - `change`: the changelog history id of the last status change acted on (a review made on
 *   someone's behalf, or a refusal), so a webhook retry or the reconciler never repeats it.
 */
export const PLUGIN_NAME = 'jira';

export interface IssueRef {
  readonly id: string;
  readonly key: string;
}

const issueRef = z.object({ id: z.string().min(1), key: z.string().min(1) });

export const ISSUE = dataKey('issue', skippable(jsonCodec<IssueRef>(issueRef)));
export const REVIEWS = dataKey('reviews', countCodec);
export const RESOLUTION = dataKey('resolution', taggedCodec(['done'], z.enum(RESOLVED_STATES)));

/** A changelog history id (Jira's are decimal; anything without spaces is taken). */
const HISTORY_ID = /^[0-9A-Za-z._-]{1,64}$/;
export const CHANGE = dataKey(
  'change',
  codec<string>(
    (value) => {
      if (!HISTORY_ID.test(value)) throw new Error(`not a changelog history id: ${JSON.stringify(value.slice(0, 40))}`);
      return value;
    },
    (text) => {
      if (!HISTORY_ID.test(text)) throw new Error('not a changelog history id');
      return text;
    },
  ),
);

/** The label that ties an issue to one request, searchable with JQL (issue properties are not). */
export function requestLabel(requestId: string): string {
  return `gatehouse-request-${requestId}`;
}
