import { z } from 'zod';
import { codec, countCodec, dataKey, jsonCodec, skippable, taggedCodec, type Skipped } from '../common/plugin-data-key.ts';
import { RESOLVED_STATES } from '../common/request-states.ts';

/*
 * The PagerDuty plugin's data on each request (plugin name `pagerduty`). The stored texts are
 * those of the plugin before the effect protocol, so data it wrote still reads back.
 */

/** The incident the plugin opened for a request. */
export interface IncidentRef {
  readonly id: string;
  /** The PagerDuty service id it is on. */
  readonly service: string;
}

/** `{"id","service"}`, or `skip:<why>` when no incident is made (no such notify service). */
export const INCIDENT = dataKey('incident', skippable(jsonCodec<IncidentRef>(z.object({ id: z.string().min(1), service: z.string().min(1) }))));

/** How many of the request's reviews have a note on the incident. */
export const NOTES = dataKey('notes', countCodec);

/**
 * `noted:<STATE>` once the closing note is on the incident, `resolved:<STATE>` once it is
 * resolved: two steps, so a failed resolve never repeats the note.
 */
export const RESOLUTION = dataKey('resolution', taggedCodec(['noted', 'resolved'], z.enum(RESOLVED_STATES)));

/** The outcome of on-call auto-approval. */
export type Approval =
  /** The plugin's approving review is on the request. */
  | { readonly kind: 'approved' }
  /** The server refused the review (an operator's rule, a request that moved on): not retried. */
  | { readonly kind: 'refused'; readonly why: string }
  /** Not on call, no PagerDuty user...: the skip code. */
  | Skipped;

const REFUSED = 'refused:';
/** Longest refusal kept (the server's message is not ours to bound). */
const REFUSAL_LIMIT = 1000;

/** `approved`, `refused:<CODE>: <details>` or `skip:<code>`. */
export const APPROVAL = dataKey<Approval>(
  'approval',
  skippable(
    codec(
      (value: Exclude<Approval, Skipped>) => (value.kind === 'approved' ? 'approved' : `${REFUSED}${value.why}`.slice(0, REFUSAL_LIMIT)),
      (text) => {
        if (text === 'approved') return { kind: 'approved' };
        if (text.startsWith(REFUSED)) return { kind: 'refused', why: text.slice(REFUSED.length) };
        throw new Error('expected approved, refused:<why> or skip:<code>');
      },
    ),
  ),
);
