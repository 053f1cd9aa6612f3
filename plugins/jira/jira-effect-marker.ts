import { z } from 'zod';

/**
 * The comment property that marks a comment the plugin posted as one effect of one request.
 * An effect left in doubt (the plugin died after posting, before recording) is looked up by it:
 * the comment text is for people and may be edited; the property is not shown and stays.
 */
export const EFFECT_PROPERTY = 'gatehouseEffect';

/** Which request's which effect a comment is (`op` as in the plugin-data claim, e.g. `reviews:2`). */
export interface EffectMarker {
  readonly requestId: string;
  readonly op: string;
}

export const effectMarkerSchema: z.ZodType<EffectMarker> = z.object({ requestId: z.string().min(1), op: z.string().min(1) });

/** Whether `markers` hold the one of `requestId`'s effect `op`. */
export function hasMarker(markers: readonly EffectMarker[], requestId: string, op: string): boolean {
  return markers.some((m) => m.requestId === requestId && m.op === op);
}
