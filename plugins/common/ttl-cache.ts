/** A small map whose entries expire; bounded so a flood of distinct keys cannot grow it without end. */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(now: () => number, max = 10_000) {
    this.#now = now;
    this.#max = max;
  }

  /** The entry, or undefined when absent or expired; a cached `undefined` is `{ value: undefined }`. */
  get(key: string): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: entry.value };
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: this.#now() + ttlMs });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
