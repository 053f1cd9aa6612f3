import { z } from 'zod';

/** A claim on an effect, stored as the key's value while the effect runs (see request-plugin-data.ts). */
export interface EffectClaim {
  /** The process that claimed it (`<plugin>-<pid>-<random>`). */
  readonly by: string;
  /** What is being done, e.g. `post`, `review:0`, `update:APPROVED`. */
  readonly op: string;
  /** When it was claimed (ms since the epoch, by the claimer's clock). */
  readonly at: number;
  /** The key's value before the claim ('' when it had none); what stands if the effect was not done. */
  readonly prev: string;
}

const CLAIM_PREFIX = 'claim:';

const claimSchema = z.object({ by: z.string().min(1), op: z.string().min(1), at: z.number().int().nonnegative(), prev: z.string() });

export function isClaimText(text: string): boolean {
  return text.startsWith(CLAIM_PREFIX);
}

export function encodeClaim(claim: EffectClaim): string {
  return `${CLAIM_PREFIX}${JSON.stringify({ by: claim.by, op: claim.op, at: claim.at, prev: claim.prev })}`;
}

/**
 * The claim a stored value holds; undefined when it holds none.
 * @throws Error when the value has the claim prefix but is not a claim (a corrupt entry).
 */
export function parseClaim(text: string | undefined): EffectClaim | undefined {
  if (text === undefined || !isClaimText(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(CLAIM_PREFIX.length));
  } catch {
    throw new Error('a claim that is not JSON');
  }
  const result = claimSchema.safeParse(parsed);
  if (!result.success) throw new Error(`a malformed claim (${result.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  return result.data;
}
