/**
 * A small seeded PRNG (mulberry32) for fuzz tests: the same seed gives the same sequence, so a
 * failure found in CI replays locally with the printed seed.
 */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** Creates a PRNG from a 32-bit seed. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    bytes: (n) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}

/**
 * The seed of a fuzz run: `envValue` (e.g. process.env.GATEHOUSE_FUZZ_SEED) when set, else a
 * fresh one. Throws on a value that is not a 32-bit unsigned integer.
 */
export function fuzzSeed(envValue: string | undefined): number {
  if (envValue === undefined || envValue === '') return Math.floor(Math.random() * 2 ** 32);
  const seed = Number(envValue);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`fuzz seed must be an integer 0..2^32-1, got ${JSON.stringify(envValue)}`);
  return seed;
}
