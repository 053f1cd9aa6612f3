import type { z } from 'zod';
import { isClaimText } from './effect-claim.ts';
import { PermanentError } from './permanent-error.ts';

/**
 * Turns one plugin-data value into text and back. `decode` validates: stored text is input from
 * the server (another version of the plugin, an operator's edit), not a value we trust.
 */
export interface Codec<T> {
  encode(value: T): string;
  /** @throws Error saying what is wrong with `text`. */
  decode(text: string): T;
}

/** A typed plugin-data key: a name in the request's entry and the codec of its value. */
export interface PluginDataKey<T> {
  readonly name: string;
  readonly codec: Codec<T>;
}

/**
 * Thrown when a stored value is not a value of its key; names the request, the key and the text.
 * Permanent: another attempt reads the same text (an operator has to look).
 */
export class PluginDataError extends PermanentError {
  constructor(requestId: string, key: string, text: string, reason: string) {
    super(`plugin data "${key}" of request ${requestId} holds ${JSON.stringify(text.slice(0, 80))}, which is not a value of that key: ${reason}`);
    this.name = 'PluginDataError';
  }
}

/** A key named `name` whose values `codec` encodes. */
export function dataKey<T>(name: string, codec: Codec<T>): PluginDataKey<T> {
  if (name === '') throw new Error('a plugin-data key needs a name');
  return Object.freeze({ name, codec });
}

/** Encodes a value for storage; refuses text that would read back as a claim. */
export function encodeValue<T>(key: PluginDataKey<T>, value: T): string {
  const text = key.codec.encode(value);
  if (text === '' || isClaimText(text)) throw new Error(`plugin data "${key.name}": ${JSON.stringify(text.slice(0, 40))} cannot be stored (empty, or the claim prefix)`);
  return text;
}

/** A codec from two functions. */
export function codec<T>(encode: (value: T) => string, decode: (text: string) => T): Codec<T> {
  return { encode, decode };
}

/** JSON text validated by a zod schema on the way in. */
export function jsonCodec<T>(schema: z.ZodType<T>): Codec<T> {
  return codec(
    (value) => JSON.stringify(value),
    (text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error('not JSON');
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; '));
      return result.data;
    },
  );
}

/** A non-negative integer in decimal (e.g. how many reviews were announced). */
export const countCodec: Codec<number> = codec(
  (value) => {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a count: ${value}`);
    return String(value);
  },
  (text) => {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) throw new Error('not a count');
    return Number(text);
  },
);

/** Text as is (e.g. an external id). */
export const textCodec: Codec<string> = codec(
  (value) => value,
  (text) => text,
);

/** A decision to do nothing for this key, with why (e.g. a recipient that has no Slack user). */
export interface Skipped {
  readonly skipped: string;
}

const SKIP_PREFIX = 'skip:';

export function isSkipped(value: unknown): value is Skipped {
  return typeof value === 'object' && value !== null && 'skipped' in value && typeof value.skipped === 'string';
}

/** `codec`'s values, or `skip:<why>` for a key the plugin decided to leave alone. */
export function skippable<T>(inner: Codec<T>): Codec<T | Skipped> {
  return codec(
    (value) => (isSkipped(value) ? `${SKIP_PREFIX}${value.skipped}` : inner.encode(value)),
    (text) => (text.startsWith(SKIP_PREFIX) ? { skipped: text.slice(SKIP_PREFIX.length) } : inner.decode(text)),
  );
}

/**
 * `<tag>:<rest>` with a tag from a closed set (e.g. `noted:APPROVED`, `resolved:APPROVED`);
 * `rest` is validated by `restSchema`.
 */
export function taggedCodec<Tag extends string, R extends string>(tags: readonly Tag[], restSchema: z.ZodType<R>): Codec<{ readonly tag: Tag; readonly rest: R }> {
  return codec(
    ({ tag, rest }) => `${tag}:${rest}`,
    (text) => {
      const colon = text.indexOf(':');
      const tag = tags.find((t) => t === text.slice(0, colon));
      if (colon < 0 || tag === undefined) throw new Error(`expected ${tags.map((t) => `${t}:…`).join(' or ')}`);
      const rest = restSchema.safeParse(text.slice(colon + 1));
      if (!rest.success) throw new Error(`${tag}: ${rest.error.issues[0]?.message ?? 'invalid'}`);
      return { tag, rest: rest.data };
    },
  );
}
