import { z } from 'zod';

/*
 * The parts of PagerDuty REST API v2 answers the plugin reads, validated (pdjs hands back `any`).
 * Objects are loose: PagerDuty adds fields freely, and only these must be right.
 */

const reference = z.looseObject({ id: z.string().min(1) });

export const pdUserSchema = z.looseObject({ id: z.string().min(1), name: z.string(), email: z.string() });
export type PdUser = z.infer<typeof pdUserSchema>;

export const pdServiceSchema = z.looseObject({ id: z.string().min(1), name: z.string(), escalation_policy: reference });
export type PdService = z.infer<typeof pdServiceSchema>;

export const pdOnCallSchema = z.looseObject({
  escalation_policy: reference,
  escalation_level: z.number().int(),
  user: z.looseObject({ id: z.string().min(1), type: z.string(), summary: z.string().optional() }),
});
export type PdOnCall = z.infer<typeof pdOnCallSchema>;

export const pdIncidentSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  incident_key: z.string().nullish(),
  service: reference,
  /** Present in PagerDuty's answers; who acknowledged (the fake leaves it out). */
  acknowledgements: z.array(z.looseObject({ acknowledger: z.looseObject({ id: z.string() }) })).optional(),
});
export type PdIncident = z.infer<typeof pdIncidentSchema>;

export const pdNoteSchema = z.looseObject({ id: z.string().min(1), content: z.string() });
export type PdNote = z.infer<typeof pdNoteSchema>;

/** Classic offset pagination fields of list answers. */
export const pdPageSchema = z.looseObject({ more: z.boolean().optional() });

/** PagerDuty's error body: `{error: {message, code, errors}}`. */
export const pdErrorSchema = z.looseObject({
  error: z.looseObject({ message: z.string().optional(), code: z.number().optional(), errors: z.array(z.string()).optional() }),
});
