/**
 * The values of recently read or written rows by key, each with the JSON text it is stored
 * as. A row read back with exactly that text skips `JSON.parse` and schema validation, which
 * cost a create+approve cycle about a tenth of its server time (the approve reads back the row
 * the create just wrote). Matching on the whole text makes the cache safe without any
 * invalidation: a row changed in any way, by anyone, no longer matches and is parsed afresh.
 *
 * Values are deep-frozen, since every reader shares one object.
 */
export class ParsedRowCache<T extends object> {
  readonly #capacity: number;
  readonly #entries = new Map<string, { json: string; value: T }>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value of `json` stored under `key`: the cached one if the text matches, else `parse()`. */
  read(key: string, json: string, parse: () => T): T {
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.json === json) return hit.value;
    const value = parse();
    this.remember(key, json, value);
    return value;
  }

  /** Records that `key` is stored as `json`, whose parsed value is `value` (frozen here). */
  remember(key: string, json: string, value: T): void {
    this.#entries.delete(key);
    this.#entries.set(key, { json, value: deepFreeze(value) });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
