import { invalidArgument } from './app-error.ts';
import { cutShort, quoteShort } from './quote-short.ts';

/** Tests one name against a compiled pattern. */
export type NameMatcher = (name: string) => boolean;

// Patterns come from role files and predicates; checks run on every call, so compile once.
const cache = new Map<string, NameMatcher>();
const CACHE_LIMIT = 2048;

/**
 * Compiles a Teleport name pattern, as used in `request.roles`, `review_requests.roles` and
 * `regexp.match`: `^…$` is a regular expression; otherwise `*` matches any run of characters
 * (so `*` alone matches everything) and every other character is literal.
 *
 * @throws AppError `invalid_argument` `invalid regular expression "<p>": <why>`.
 */
export function compileNamePattern(pattern: string): NameMatcher {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const matcher = buildMatcher(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, matcher);
  return matcher;
}

function buildMatcher(pattern: string): NameMatcher {
  if (pattern === '*') return () => true;
  if (pattern.length >= 2 && pattern.startsWith('^') && pattern.endsWith('$')) {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'u');
    } catch (err) {
      // V8 says "Invalid regular expression: /<the whole pattern>/u: <reason>": keep the reason.
      const message = err instanceof Error ? err.message : String(err);
      const why = cutShort(message.slice(message.lastIndexOf(': ') + 2));
      throw invalidArgument(`invalid regular expression ${quoteShort(pattern)}: ${why}`);
    }
    return (name) => re.test(name);
  }
  if (!pattern.includes('*')) return (name) => name === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${source}$`, 'su');
  return (name) => re.test(name);
}

/**
 * Whether any pattern matches `name`. Patterns are validated when a role is loaded; should a bad
 * one still arrive, it counts as `onBadPattern`: pass `true` for deny lists and `false` for allow
 * lists so a broken pattern never grants anything.
 */
export function matchesAnyPattern(patterns: readonly string[], name: string, onBadPattern: boolean): boolean {
  return patterns.some((p) => {
    try {
      return compileNamePattern(p)(name);
    } catch {
      return onBadPattern;
    }
  });
}
