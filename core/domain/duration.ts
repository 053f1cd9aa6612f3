import { invalidArgument } from './app-error.ts';
import { quoteShort } from './quote-short.ts';

/** Milliseconds per duration unit accepted by {@link parseDuration}. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longest duration text we look at; real durations are a handful of characters. */
const MAX_DURATION_TEXT = 64;

/** Longest duration we represent: 100 years keeps every sum a safe integer. */
const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d!;

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Parses a Go-style duration (`8h`, `30m`, `1h30m`, `90s`, `1.5h`, `500ms`) extended with days
 * (`7d` = 168h), as Teleport role files write them. `"0"` is zero. Negative and signed values are
 * not accepted.
 *
 * @returns whole milliseconds (rounded).
 * @throws AppError `invalid_argument` `invalid duration "<text>"`.
 */
export function parseDuration(text: string): number {
  const fail = () => invalidArgument(`invalid duration ${quoteShort(text)}`);
  if (text.length === 0 || text.length > MAX_DURATION_TEXT) throw fail();
  if (text === '0') return 0;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (m === null) throw fail();
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  if (!Number.isFinite(total) || total > MAX_DURATION_MS) throw fail();
  return Math.round(total);
}

/**
 * Formats milliseconds compactly in Go style without zero parts: `336h`, `1h30m`, `45s`,
 * `1m0.5s` is written `1m500ms`; `0` is `0s`. Days are never used (Go has none), so the
 * result always parses back with {@link parseDuration} to the same value.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

